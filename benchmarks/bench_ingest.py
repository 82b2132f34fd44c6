"""Ingest benchmark: the 609 MultiHop-RAG reports into a fresh temp index, per embedder backend.

For each backend (``torch`` = float MiniLM, ``onnx`` = the default ONNX Runtime int8 build, ``int8`` = torch dynamic
quantization) a child process opens a fresh index,
ingests ``corpus.json`` (wall time, chunks/s, reports/s, peak RSS), re-ingests the unchanged corpus, and scores
retrieval (Hits@10, MRR@10 of ``search`` on the dev questions) so the backends can be compared on quality too.

    python benchmarks/bench_ingest.py                      # torch (float) and onnx (default), quality compared
    python benchmarks/bench_ingest.py --backend all        # torch, int8 and onnx
    python benchmarks/bench_ingest.py --backend onnx --repeat 3
    python benchmarks/bench_ingest.py --reports 80                 # a subset: the evidence reports of the first dev
                                                                   # questions, scored on those questions only
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPUS, PY, check, dev_questions, median, peak_rss_mb, require, retrieval_quality, write_results  # noqa: E402


def child(args) -> None:
    """One backend, one fresh index: print a JSON line with the figures."""
    t0 = time.perf_counter()
    from assistant import Assistant

    settings = {"data_dir": args.data_dir, "embedding": {"backend": args.backend, "batch_size": args.batch_size,
                                                         "threads": args.threads}}
    a = Assistant.open(settings)
    t_open = time.perf_counter() - t0
    corpus = args.corpus or str(require(CORPUS))
    rep = a.ingest([corpus], progress=False)
    first = {"seconds": rep.seconds, "reports": len(rep.added), "chunks": rep.chunks_embedded, "failed": len(rep.failed)}
    rss_ingest = peak_rss_mb()
    again = a.ingest([corpus], progress=False)
    out = {"backend": args.backend, "open_s": t_open, "ingest": first, "peak_rss_mb": rss_ingest,
           "reingest": {"seconds": again.seconds, "unchanged": len(again.unchanged), "chunks": again.chunks_embedded}}
    if not args.no_quality:
        tq = time.perf_counter()
        qs = dev_questions(args.limit_queries)
        if args.question_ids:
            keep = set(json.loads(args.question_ids))
            qs = [q for q in qs if q["id"] in keep]
        out["quality"] = retrieval_quality(a, qs, k=10)
        out["quality"]["seconds"] = time.perf_counter() - tq
    print("RESULT " + json.dumps(out), flush=True)


def subset(n_reports: int, folder: Path) -> tuple[Path, list[int]]:
    """The evidence reports of the dev questions, in question order, until ``n_reports``; the questions whose
    evidence all lies in them (null questions excluded). Written to a temp file, never into the repo."""
    arts = {a["url"]: a for a in json.loads(require(CORPUS).read_text())}
    chosen: dict[str, dict] = {}
    ids = []
    for q in dev_questions():
        urls = {e["url"] for e in q.get("evidence_list") or []}
        if not urls or len(chosen.keys() | urls) > n_reports:
            continue
        chosen.update({u: arts[u] for u in urls})
        ids.append(q["id"])
    path = folder / "subset.json"
    path.write_text(json.dumps(list(chosen.values())))
    return path, ids


def run_backend(backend: str, args, corpus: Path | None = None, question_ids: list[int] | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{backend}-"))
    try:
        cmd = [PY, __file__, "--child", "--backend", backend, "--data-dir", str(tmp / "index"),
               "--batch-size", str(args.batch_size), "--threads", str(args.threads),
               "--limit-queries", str(args.limit_queries)] + (["--no-quality"] if args.no_quality else []) \
            + (["--corpus", str(corpus), "--question-ids", json.dumps(question_ids)] if corpus else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            sys.exit(f"error: the {backend} run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        return json.loads(line[len("RESULT "):])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=["torch", "int8", "onnx", "both", "all"], default="both",
                   help="both = torch and onnx; all = torch, int8 and onnx")
    p.add_argument("--repeat", type=int, default=1, help="runs per backend; medians are reported")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--threads", type=int, default=0, help="cores for bulk embedding (0 = all cores)")
    p.add_argument("--no-quality", action="store_true", help="skip the Hits@10/MRR@10 check")
    p.add_argument("--limit-queries", type=int, default=0, help="score only the first N dev questions (0 = all)")
    p.add_argument("--reports", type=int, default=0, help="ingest only a subset of about N reports (0 = all 609)")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--question-ids", help=argparse.SUPPRESS)
    p.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    require(CORPUS)
    backends = {"both": ["torch", "onnx"], "all": ["torch", "int8", "onnx"]}.get(args.backend, [args.backend])
    results: dict[str, dict] = {}
    sub_dir = Path(tempfile.mkdtemp(prefix="bench-ingest-subset-"))
    corpus, qids = subset(args.reports, sub_dir) if args.reports else (None, None)
    if corpus:
        print(f"subset: {len(json.loads(corpus.read_text()))} reports, {len(qids)} dev questions with all evidence in them")
    for b in backends:
        runs = []
        for i in range(args.repeat):
            print(f"[{b}] run {i + 1}/{args.repeat}: ingesting {'a subset' if corpus else CORPUS.name} into a fresh temp index ...",
                  flush=True)
            r = run_backend(b, args, corpus, qids)
            runs.append(r)
            ing = r["ingest"]
            print(f"  {ing['reports']} reports, {ing['chunks']} chunks in {ing['seconds']:.1f} s "
                  f"({ing['chunks'] / ing['seconds']:.1f} chunks/s), peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"re-ingest {r['reingest']['seconds']:.2f} s" + (f", quality {r['quality']}" if "quality" in r else ""), flush=True)
        secs = median([r["ingest"]["seconds"] for r in runs])
        chunks = runs[0]["ingest"]["chunks"]
        reports = runs[0]["ingest"]["reports"]
        results[b] = {
            "runs": runs,
            "reports": reports, "chunks": chunks, "ingest_s": round(secs, 2),
            "chunks_per_s": round(chunks / secs, 2), "reports_per_s": round(reports / secs, 2),
            "model_load_s": round(median([r["open_s"] for r in runs]), 2),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            "reingest_s": round(median([r["reingest"]["seconds"] for r in runs]), 2),
            "quality": runs[0].get("quality"),
        }
    print("\nIngest of the MultiHop-RAG corpus (medians):")
    targets = {}
    for b, r in results.items():
        print(f"[{b}] {r['reports']} reports / {r['chunks']} chunks: {r['ingest_s']} s, {r['chunks_per_s']} chunks/s, "
              f"{r['reports_per_s']} reports/s, peak RSS {r['peak_rss_mb']} MB, model load {r['model_load_s']} s")
        targets[f"{b}.chunks_per_s"] = check(f"[{b}] ingest chunks/s", r["chunks_per_s"], 40, "chunks/s", lower_is_better=False)
        targets[f"{b}.reingest_s"] = check(f"[{b}] re-ingest unchanged corpus", r["reingest_s"], 5, "s")
        if r["quality"]:
            print(f"  [{b}] retrieval on dev: {r['quality']}")
    for b in [b for b in results if b != "torch"]:
        if "torch" in results and results["torch"]["quality"] and results[b]["quality"]:
            qt, qb = results["torch"]["quality"], results[b]["quality"]
            for m in ("hits@10", "mrr@10"):
                targets[f"{b}_vs_torch.{m}_delta"] = check(f"|{b} - torch| {m}", abs(qb[m] - qt[m]), 0.01, "")
            print(f"  {b} speed-up over torch: {results[b]['chunks_per_s'] / results['torch']['chunks_per_s']:.2f}x")
    shutil.rmtree(sub_dir, ignore_errors=True)
    write_results("ingest", {"corpus": str(CORPUS), "subset_reports": args.reports or None,
                             "settings": {"batch_size": args.batch_size, "threads": args.threads},
                             "backends": results, "targets": targets})


if __name__ == "__main__":
    main()
