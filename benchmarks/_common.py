"""Helpers shared by the benchmark scripts: data paths, timing statistics, memory, JSON results."""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
MULTIHOP = ROOT.parent / "shared" / "data" / "multihop-rag"
CORPUS = MULTIHOP / "corpus.json"
DEV_QUERIES = MULTIHOP / "queries-dev.json"
PY = sys.executable

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "ORT_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
for _k, _v in OFFLINE_ENV.items():
    os.environ.setdefault(_k, _v)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def require(path: Path) -> Path:
    if not path.exists():
        sys.exit(f"error: {path} is missing; the benchmarks read MultiHop-RAG from ../shared/data/multihop-rag/")
    return path


def dev_questions(limit: int = 0) -> list[dict]:
    qs = json.loads(require(DEV_QUERIES).read_text())
    return qs[:limit] if limit else qs


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank on sorted values, linear between ranks)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> dict:
    ms = [v * 1e3 for v in values_s]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1),
            "max_ms": round(max(ms), 1) if ms else None, "mean_ms": round(statistics.fmean(ms), 1) if ms else None}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb(pid: int | str = "self") -> float:
    return _status_kb(pid, "VmRSS") / 1024


def hwm_mb(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a running process."""
    return _status_kb(pid, "VmHWM") / 1024


def _status_kb(pid, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def machine() -> dict:
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "gpu": False, "python": platform.python_version(), "platform": platform.platform(),
            "load_avg_1m_at_start": round(load[0], 2),
            "note": "2 shared cores: other processes may run at the same time; compare variants within one run"}


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **data}
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(data, indent=2, default=str))
    print(f"\nwrote {out.relative_to(ROOT)}")
    return out


def check(label: str, value: float, target: float, unit: str, lower_is_better: bool = True) -> dict:
    ok = value <= target if lower_is_better else value >= target
    sign = "<=" if lower_is_better else ">="
    print(f"  {label:<38} {value:>10.2f} {unit:<8} target {sign} {target:g} {unit}  {'OK' if ok else 'MISSED'}")
    return {"value": round(value, 3), "target": f"{sign} {target:g} {unit}", "met": ok}


def retrieval_quality(assistant, questions: list[dict], k: int = 10) -> dict:
    """Hits@k and MRR@k of ``assistant.search`` on MultiHop-RAG questions, as upstream scores them: a passage is a
    hit when a gold evidence fact is a substring of it (whitespace removed on both sides); null queries skipped."""
    hits = rr = n = 0.0
    for q in questions:
        facts = ["".join(e["fact"].split()) for e in q.get("evidence_list") or []]
        if not facts:
            continue
        n += 1
        for rank, p in enumerate(assistant.search(q["query"], top_k=k), 1):
            body = "".join(p.text.split())
            if any(f in body for f in facts):
                hits += 1
                rr += 1 / rank
                break
    return {"questions": int(n), f"hits@{k}": round(hits / n, 4) if n else None, f"mrr@{k}": round(rr / n, 4) if n else None}
