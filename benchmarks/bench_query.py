"""Query benchmark: warm ``ask``/``search`` latency over the MultiHop-RAG dev questions, cold starts, serving memory.

- warm: one Assistant in this process, every dev question through ``ask`` and then ``search`` (p50, p95, max;
  search reuses the question vector ask computed, so it shows retrieval without the question's embedding; then
  ``search(q, top_k=60)``, which ranks the 10-passage window and one 100-deep list);
- cold: ``report-assistant ask`` from process start to printed answer, and ``python app.py`` from process start to
  HTTP 200 on ``/`` (median of 3 each); the app's peak RSS after answering questions over its JSON endpoint.

The index is used read-only: ``--index DIR`` (default ``.cache/multihop-index`` once ``.cache/multihop-index.done``
exists) is copied to a temp dir first; without one, the corpus is ingested into a temp index.

    python benchmarks/bench_query.py --index .cache/multihop-index
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (CORPUS, PY, ROOT, check, dev_questions, hwm_mb, median, peak_rss_mb, require,  # noqa: E402
                     summary_ms, write_results)

DEFAULT_INDEX = ROOT / ".cache" / "multihop-index"
QUESTION = "Which company did the TechCrunch article say was a Stripe rival?"


def prepare_index(arg: str | None, tmp: Path, backend: str) -> tuple[Path, str]:
    dst = tmp / "index"
    src = Path(arg) if arg else (DEFAULT_INDEX if Path(str(DEFAULT_INDEX) + ".done").exists() else None)
    if src is not None:
        if not (src / "catalog.sqlite3").exists():
            sys.exit(f"error: {src} holds no index (no catalog.sqlite3); pass --index DIR of an ingested data dir")
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("ingest.lock"))
        return dst, f"copy of {src}"
    print(f"no ready index given: ingesting {CORPUS.name} into a temp index (minutes) ...", flush=True)
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(dst), "ASSISTANT_EMBEDDING__BACKEND": backend}
    subprocess.run([str(Path(PY).parent / "report-assistant"), "ingest", "--quiet", str(require(CORPUS))], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return dst, f"fresh ingest of {CORPUS}"


def warm(index: Path, backend: str, limit: int) -> dict:
    from assistant import Assistant

    a = Assistant.open({"data_dir": str(index), "embedding": {"backend": backend}})
    qs = [q["query"] for q in dev_questions(limit)]
    held = a.hold_in_memory()  # as the app holds them once started (it reads them in the background as it starts)
    for q in qs[:3]:  # warm-up
        a.ask(q)
    search_t, deep_t, ask_t, parts = [], [], [], {"embed_ms": [], "retrieve_ms": [], "answer_ms": []}
    for q in qs:  # ask first: it pays for the question's embedding (search then finds it in the embedder's cache)
        t = time.perf_counter()
        ans = a.ask(q)
        ask_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        a.search(q)
        search_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        a.search(q, top_k=60)  # deeper than the 10-passage window: one more ranking, 100 deep
        deep_t.append(time.perf_counter() - t)
        for k in parts:
            parts[k].append(ans.timings.get(k, 0.0))
    stats = a.stats()
    return {"reports": stats["reports"], "chunks": stats["chunks"], "embedder": stats["embedder"], "held_in_memory": held,
            "search": summary_ms(search_t), "search_top60": summary_ms(deep_t), "ask": summary_ms(ask_t),
            "ask_parts_median_ms": {k: round(median(v), 1) for k, v in parts.items()},
            "peak_rss_mb_in_process": peak_rss_mb()}


def cold_cli(index: Path, backend: str, runs: int) -> dict:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(index), "ASSISTANT_EMBEDDING__BACKEND": backend}
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([str(Path(PY).parent / "report-assistant"), "ask", QUESTION], env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if p.returncode != 0:
            sys.exit(f"error: report-assistant ask failed: {p.stderr[-2000:]}")
    # CPU seconds (user + sys) are what the start costs on an idle machine; wall time includes waiting for the
    # cores when other processes run
    return {"runs_s": [round(x, 2) for x in times], "median_s": round(median(times), 2),
            "cpu_s": [round(x, 2) for x in cpu], "median_cpu_s": round(median(cpu), 2)}


def _cpu_s(pid: int) -> float:
    """user + sys CPU seconds a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cold_app(index: Path, backend: str, runs: int, tmp: Path, questions: list[str]) -> dict:
    times, hwm, cpu = [], [], []
    for i in range(runs):
        port = _free_port()
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(index), "ASSISTANT_PORT": str(port),
               "ASSISTANT_EMBEDDING__BACKEND": backend, "GRADIO_TEMP_DIR": str(tmp / "gradio")}
        t = time.perf_counter()
        proc = subprocess.Popen([PY, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}/"
            while True:
                if proc.poll() is not None:
                    sys.exit(f"error: app.py exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
                if time.perf_counter() - t > 180:
                    sys.exit("error: app.py did not answer on / within 180 s")
                try:
                    if urllib.request.urlopen(url, timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.05)
            times.append(time.perf_counter() - t)
            cpu.append(_cpu_s(proc.pid))
            if i == runs - 1:  # serve some questions, then read the peak RSS
                try:
                    from gradio_client import Client

                    client = Client(url, verbose=False)
                    for q in questions:
                        client.predict(q, api_name="/chat")
                except Exception as exc:  # the figure is still useful without questions
                    print(f"  (could not ask through the app: {exc})")
                hwm.append(hwm_mb(proc.pid))
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"runs_s": [round(x, 2) for x in times], "median_s": round(median(times), 2),
            "cpu_s": [round(x, 2) for x in cpu], "median_cpu_s": round(median(cpu), 2),
            "peak_rss_mb_serving": round(max(hwm), 1) if hwm else None, "questions_served": len(questions)}


def import_check() -> dict:
    """Seconds to import the library + CLI and the UI module, and which heavy libraries each pulls in at import
    (the library and CLI should pull in none: torch and chromadb load when an index is opened)."""
    heavy = ("torch", "sentence_transformers", "transformers", "chromadb", "llama_index", "gradio", "onnxruntime")
    out = {}
    for label, mods in (("library_and_cli", "assistant, assistant.cli"), ("ui_module", "assistant.ui")):
        code = (f"import json, sys, time; t=time.perf_counter(); import {mods}; d=time.perf_counter()-t; "
                f"print(json.dumps({{'import_s': round(d, 3), 'heavy': [m for m in {heavy!r} if m in sys.modules]}}))")
        p = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True)
        lines = p.stdout.strip().splitlines()
        out[label] = json.loads(lines[-1]) if p.returncode == 0 and lines else {"error": p.stderr.strip()[-500:]}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", help="an ingested data dir to copy and query (default .cache/multihop-index when ready)")
    p.add_argument("--backend", choices=["onnx", "torch", "int8"], default="onnx", help="embedder for the questions (match the index)")
    p.add_argument("--limit", type=int, default=0, help="only the first N dev questions (0 = all)")
    p.add_argument("--cold-runs", type=int, default=3)
    p.add_argument("--skip-cold", action="store_true")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-query-"))
    try:
        index, origin = prepare_index(args.index, tmp, args.backend)
        print(f"index: {origin}", flush=True)
        res: dict = {"index": origin, "imports": import_check()}
        print(f"imports: {res['imports']}", flush=True)
        res["warm"] = warm(index, args.backend, args.limit)
        w = res["warm"]
        print(f"warm ({w['reports']} reports, {w['chunks']} chunks, {w['embedder']}, {w['ask']['n']} dev questions):")
        print(f"  search {w['search']}\n  search top_k=60 {w['search_top60']}\n  ask    {w['ask']}\n"
              f"  ask parts (median) {w['ask_parts_median_ms']}", flush=True)
        if not args.skip_cold:
            res["cold_cli"] = cold_cli(index, args.backend, args.cold_runs)
            print(f"cold `report-assistant ask`: {res['cold_cli']}", flush=True)
            qs = [q["query"] for q in dev_questions(5)]
            res["cold_app"] = cold_app(index, args.backend, args.cold_runs, tmp, qs)
            print(f"cold `python app.py` to page ready: {res['cold_app']}", flush=True)
        print("\nTargets:")
        t = {"ask_p50_ms": check("warm ask p50", w["ask"]["p50_ms"], 100, "ms"),
             "ask_p95_ms": check("warm ask p95", w["ask"]["p95_ms"], 250, "ms")}
        if not args.skip_cold:
            t["cold_cli_s"] = check("cold report-assistant ask", res["cold_cli"]["median_s"], 5, "s")
            t["cold_cli_cpu_s"] = check("  the same, CPU seconds", res["cold_cli"]["median_cpu_s"], 5, "s")
            t["cold_app_s"] = check("python app.py to ready page", res["cold_app"]["median_s"], 10, "s")
            t["cold_app_cpu_s"] = check("  the same, CPU seconds", res["cold_app"]["median_cpu_s"], 10, "s")
            if res["cold_app"]["peak_rss_mb_serving"]:
                t["serving_rss_mb"] = check("peak RSS serving (app)", res["cold_app"]["peak_rss_mb_serving"], 1536, "MB")
        t["in_process_rss_mb"] = check("peak RSS of this benchmark process", w["peak_rss_mb_in_process"], 1536, "MB")
        res["targets"] = t
        write_results("query", res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
