"""Scale benchmark on SYNTHETIC data: how query latency, memory and ingest time grow with the index.

Chunks are synthetic: ~1,000-character texts built from sentences of words drawn by their frequency in the
MultiHop-RAG corpus (so real questions find keyword matches), 10 chunks per synthetic report; vectors are random
unit vectors (384-d), not embeddings of the texts. Embedding a million real chunks would take days on 2 cores, and
neither Chroma's HNSW search nor SQLite FTS5 cost depends on what the vectors mean. Both sides are written through
the project's own adapters (``ChromaStore.upsert``, ``Catalog.replace_report``), 1,000 chunks at a time, and at each
checkpoint size the script measures:

- dense: ``ChromaStore.query`` top-50 latency (random query vectors);
- keyword: ``Catalog.keyword_search`` top-50 latency (dev questions' words) in FTS5; then the time of a keyword index
  merge (``Catalog.optimize_keyword_index``, which an ingest makes after many replaced chunks) and the latency after
  it; up to ``--memory-max`` chunks also the in-memory copy (``keyword_memory``): the seconds to read it, the memory
  it takes and its top-50 latency;
- end to end: warm ``Assistant.search``/``ask`` with the real embedder on dev questions (dense hits are random), with
  the keyword index in memory when the default ``retrieval.keyword_memory_chunks`` covers the size, as the app has it;
- process RSS and the on-disk size of each side; ingest seconds per 1,000 chunks around that size.

    python benchmarks/bench_scale.py --sizes 10000,100000          # default also tries 1,000,000 within --budget-min
"""
from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPUS, check, dev_questions, median, require, rss_mb, summary_ms, write_results  # noqa: E402

BATCH = 1000
PER_REPORT = 10
DIM = 384


def vocabulary() -> tuple[list[str], np.ndarray]:
    counts: Counter = Counter()
    for art in json.loads(require(CORPUS).read_text()):
        counts.update(w for w in art["body"].split() if w.isalpha())
    words, freq = zip(*counts.most_common(50_000))
    p = np.array(freq, dtype=np.float64)
    return list(words), p / p.sum()


class Synth:
    """Deterministic synthetic reports: chunk text = 6 sentences drawn from a pool of frequency-sampled sentences."""

    def __init__(self, seed: int = 7):
        self.rng = np.random.default_rng(seed)
        words, p = vocabulary()
        lens = self.rng.integers(12, 30, size=20_000)
        idx = self.rng.choice(len(words), size=int(lens.sum()), p=p)
        self.sentences, at = [], 0
        for n in lens:
            s = " ".join(words[i] for i in idx[at: at + n])
            self.sentences.append(s[0].upper() + s[1:] + ".")
            at += n

    def batch(self, first_report: int, n_reports: int):
        from assistant.types import Article, Chunk

        out = []
        for r in range(first_report, first_report + n_reports):
            rid = f"synthetic-{r:07d}"
            picks = self.rng.integers(0, len(self.sentences), size=PER_REPORT * 6)
            texts = [" ".join(self.sentences[j] for j in picks[c * 6:(c + 1) * 6]) for c in range(PER_REPORT)]
            text, chunks, at = "", [], 0
            for c, t in enumerate(texts):
                chunks.append(Chunk(f"{rid}:{c}", rid, c, at, at + len(t), t))
                text += t + "\n"
                at += len(t) + 1
            art = Article(id=rid, title=f"Synthetic report {r}", text=text, source=f"Synthetic source {r % 50}",
                          origin="synthetic")
            out.append((art, chunks))
        vecs = self.rng.standard_normal((n_reports * PER_REPORT, DIM)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        return out, vecs


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def keyword_times(catalog, questions) -> list[float]:
    from assistant.terms import content_words

    out = []
    for q in questions:
        t = time.perf_counter()
        catalog.keyword_search(content_words(q), 50)
        out.append(time.perf_counter() - t)
    return out


def keyword_memory(catalog, questions) -> tuple[dict, object]:
    """Read the keyword index into memory (any size) and time searches from it; the catalog holding it."""
    from assistant.catalog import Catalog

    mem = Catalog(catalog.path, keyword_memory_chunks=10**12)
    before = rss_mb()
    t = time.perf_counter()
    held = mem.hold_keyword_index()
    read_s = round(time.perf_counter() - t, 2)
    return {"held": held, "read_s": read_s, "rss_growth_mb": round(rss_mb() - before, 1),
            "query": summary_ms(keyword_times(mem, questions))}, mem


def measure(size, a, catalog, store, questions, rng, ask_n, memory_max) -> dict:
    from assistant.settings import RetrievalSettings

    dense_t = []
    for q in questions:
        v = rng.standard_normal(DIM).astype(np.float32)
        v /= np.linalg.norm(v)
        t = time.perf_counter()
        store.query(v, 50)
        dense_t.append(time.perf_counter() - t)
    out = {"chunks": size, "dense_query": summary_ms(dense_t),
           "keyword_query": summary_ms(keyword_times(catalog, questions))}
    t = time.perf_counter()
    store.report_ids()
    out["store_report_ids_s"] = round(time.perf_counter() - t, 2)
    mem = None
    if size <= memory_max:
        out["keyword_memory"], mem = keyword_memory(catalog, questions)
    if a is not None:
        in_memory = mem is not None and size <= RetrievalSettings().keyword_memory_chunks  # what the app would do
        a.catalog = a.retriever.catalog = mem if in_memory else catalog
        out["ask_keyword_side"] = "memory" if in_memory else "fts5"
        # what the app holds once started: the vector copy too, up to retrieval.dense_memory_chunks
        out["ask_dense_side"] = "memory" if in_memory and a.hold_in_memory()["dense"] else "chroma"
        for q in questions[:3]:
            a.ask(q)
        s_t, a_t = [], []
        for q in questions[:ask_n]:
            t = time.perf_counter()
            a.search(q)
            s_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            a.ask(q)
            a_t.append(time.perf_counter() - t)
        out["search"], out["ask"] = summary_ms(s_t), summary_ms(a_t)
        a.catalog = a.retriever.catalog = catalog
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000", help="checkpoint index sizes in chunks, comma-separated")
    p.add_argument("--budget-min", type=float, default=70, help="stop growing the index after this many minutes (1M chunks took 48 min here)")
    p.add_argument("--queries", type=int, default=50, help="dev questions per latency measurement")
    p.add_argument("--memory-max", type=int, default=200_000, help="measure the in-memory keyword index up to this many chunks (about 2 KB of RAM a chunk)")
    p.add_argument("--no-model", action="store_true", help="skip the end-to-end search/ask with the real embedder")
    p.add_argument("--keep", help="build the index in this folder and keep it (default: a temp dir, removed)")
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    from assistant import Assistant
    from assistant.catalog import Catalog
    from assistant.store import ChromaStore

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))  # still removes the temp index
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    data = tmp / "index"
    print("SYNTHETIC chunks and random vectors (see the docstring); building the sentence pool ...", flush=True)
    synth = Synth()
    questions = [q["query"] for q in dev_questions(args.queries)]
    rss0 = rss_mb()
    catalog = Catalog(data / "catalog.sqlite3")
    store = ChromaStore("reports", data_dir=data)
    a = None
    if not args.no_model:
        a = Assistant.open({"data_dir": str(data)}, store=store)
        a.catalog = catalog
        a.retriever.catalog = catalog
    rng = np.random.default_rng(11)
    t_start = time.time()
    n, reports = 0, 0
    dense_ingest, kw_ingest = [], []
    checkpoints = []
    stopped = None
    try:
        for size in sizes:
            while n < size:
                if (time.time() - t_start) / 60 > args.budget_min:
                    stopped = f"stopped at {n} chunks: the {args.budget_min:g}-minute budget ran out before {size}"
                    break
                batch, vecs = synth.batch(reports, BATCH // PER_REPORT)
                reports += len(batch)
                ids = [c.id for _, chunks in batch for c in chunks]
                metas = [{"report_id": art.id, "source": art.source, "date": 0} for art, chunks in batch for _ in chunks]
                t = time.perf_counter()
                store.upsert(ids, vecs, metas)
                dense_ingest.append((n, time.perf_counter() - t))
                t = time.perf_counter()
                for art, chunks in batch:
                    catalog.replace_report(art, "h" + art.id, "t" + art.id, chunks, [c.text for c in chunks])
                kw_ingest.append((n, time.perf_counter() - t))
                n += BATCH
                if n % 20_000 == 0:
                    print(f"  {n} chunks, {time.time() - t_start:.0f} s, RSS {rss_mb():.0f} MB, last 1k: dense "
                          f"{dense_ingest[-1][1]:.2f} s, keyword {kw_ingest[-1][1]:.2f} s", flush=True)
            if stopped:
                break
            m = measure(n, a, catalog, store, questions, rng, args.queries, args.memory_max)
            # what a keyword index merge (an ingest makes one after many replaced chunks; this index only grows)
            # costs here, and the keyword latency after it
            t = time.perf_counter()
            catalog.optimize_keyword_index()
            merge_s = round(time.perf_counter() - t, 2)
            merged = summary_ms(keyword_times(catalog, questions))
            m.update({"keyword_merge_s": merge_s, "keyword_query_merged": merged})
            recent = lambda xs: round(median([s for at, s in xs[-10:]]), 3)  # noqa: E731
            m.update({"ingest_s_per_1k_chunks": {"dense": recent(dense_ingest), "keyword": recent(kw_ingest)},
                      "rss_mb": round(rss_mb(), 1), "rss_growth_mb": round(rss_mb() - rss0, 1),
                      "disk_mb": {"chroma": dir_mb(data / "chroma"), "catalog": dir_mb(data) - dir_mb(data / "chroma")},
                      "elapsed_s": round(time.time() - t_start, 1)})
            checkpoints.append(m)
            print(f"\n== {n} chunks (SYNTHETIC) ==\n  dense top-50   {m['dense_query']}\n  keyword top-50 {m['keyword_query']}"
                  f"\n  keyword top-50 after a merge {merged} (merge {merge_s} s)"
                  + (f"\n  keyword top-50 in memory {m['keyword_memory']}" if "keyword_memory" in m else "")
                  + (f"\n  ask's keyword side: {m['ask_keyword_side']}, dense side: {m['ask_dense_side']}"
                     if "ask_keyword_side" in m else "")
                  + (f"\n  search {m['search']}\n  ask    {m['ask']}" if "search" in m else "")
                  + f"\n  ingest s/1k chunks {m['ingest_s_per_1k_chunks']}, RSS {m['rss_mb']} MB (+{m['rss_growth_mb']}), "
                  f"disk {m['disk_mb']} MB, store.report_ids() {m['store_report_ids_s']} s\n", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    if stopped:
        print(stopped)
    targets = {}
    at100k = next((c for c in checkpoints if c["chunks"] == 100_000), None)
    if at100k and "ask" in at100k:
        targets["ask_p50_ms_at_100k"] = check("warm ask p50 at 100k chunks", at100k["ask"]["p50_ms"], 200, "ms")
    write_results("scale", {"synthetic": True, "data": "SYNTHETIC chunks (corpus word frequencies) and random vectors",
                            "sizes_requested": sizes, "reached_chunks": n, "stopped": stopped, "checkpoints": checkpoints,
                            "ingest_curve_s_per_1k": {"dense": [(at, round(s, 3)) for at, s in dense_ingest[::10]],
                                                      "keyword": [(at, round(s, 3)) for at, s in kw_ingest[::10]]},
                            "targets": targets})


if __name__ == "__main__":
    main()
