"""Kill `report-assistant ingest` with SIGKILL at random moments, run it again to completion, and check that the index
equals one clean ingest of the same inputs: the same report ids and hashes, the same chunk ids, as many vectors in
Chroma as chunks in the catalog, no duplicates, and the keyword (FTS5) side holding exactly the catalog's chunks.

    .venv/bin/python scripts/kill_test.py            # 100 kills (about 25 minutes on 2 cores)
    .venv/bin/python scripts/kill_test.py --kills 10 --seed 7

Runs go in rounds: the first run of a round is `ingest --rebuild` (so every round has the whole corpus to redo), the
others plain `ingest`; each is killed at a random moment after it starts reading (the embedder is loaded by then),
up to ``--window`` seconds later; then one run goes to completion and the index is compared with the clean one.
A run that finished before its kill is counted as "finished_before_kill" and not as a kill (the next run of the round
is then an `ingest --rebuild` again, so it has work to be killed in).
tests/test_kill_ingest.py runs this with 10 kills.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "report-assistant")
TOPICS = ("harbour", "council", "rail", "school", "hospital", "river", "market", "airport", "library", "bridge")


def make_corpus(folder: Path, n: int = 80) -> Path:
    """``n`` short generated reports (one chunk each), so runs spend most of their time writing, not embedding."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        (folder / f"gen-{i:03d}.txt").write_text(
            f"Report {i}: the {topic} board meets on day {i}\n"
            f"The {topic} board of district {i} met on Monday to discuss budget item {i * 7 % 101}.\n"
            f"Members voted {i % 9} to {9 - i % 9} on the proposal, officials said.\n", encoding="utf-8")
    return folder


def inputs(gen: Path) -> list[str]:
    return [str(ROOT / "corpus"), str(ROOT / "tests" / "data" / "mini"), str(gen)]


def snapshot(data_dir: Path, collection: str = "reports") -> dict:
    """What the index holds, read straight from SQLite and Chroma (not through the assistant)."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings

    db = sqlite3.connect(data_dir / "catalog.sqlite3")
    try:
        reports = dict(db.execute("SELECT id, hash FROM reports").fetchall())
        chunk_rows = db.execute("SELECT rowid, id, report_id FROM chunks").fetchall()
        fts = db.execute("SELECT c.id FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid").fetchall()
        n_fts = db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
        n_chunks_declared = db.execute("SELECT coalesce(sum(n_chunks), 0) FROM reports").fetchone()[0]
        sentence_ids = [r[0] for r in db.execute("SELECT chunk_id FROM sentence_vectors")]
    finally:
        db.close()
    SharedSystemClient.clear_system_cache()  # another process wrote since: never reuse a cached client
    client = chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=Settings(anonymized_telemetry=False))
    got = client.get_collection(collection).get(include=["metadatas"])
    SharedSystemClient.clear_system_cache()
    chunk_ids = [r[1] for r in chunk_rows]
    return {
        "reports": reports,
        "chunk_ids": sorted(chunk_ids),
        "chunk_reports": sorted({r[2] for r in chunk_rows}),
        "n_chunks_declared": n_chunks_declared,
        "fts_ids": sorted(r[0] for r in fts),
        "n_fts": n_fts,
        "vector_ids": sorted(got["ids"]),
        "vector_reports": sorted({m["report_id"] for m in got["metadatas"]}),
        "sentence_vector_ids": sorted(sentence_ids),
    }


def problems(snap: dict, clean: dict) -> list[str]:
    """Every way ``snap`` differs from the clean ingest ``clean`` (empty = identical)."""
    out = []
    if snap["reports"] != clean["reports"]:
        out.append(f"report ids/hashes differ: {len(snap['reports'])} vs {len(clean['reports'])} clean")
    if snap["chunk_ids"] != clean["chunk_ids"]:
        out.append(f"catalog chunk ids differ: {len(snap['chunk_ids'])} vs {len(clean['chunk_ids'])} clean")
    if len(set(snap["chunk_ids"])) != len(snap["chunk_ids"]):
        out.append("duplicate chunk ids in the catalog")
    if snap["n_chunks_declared"] != len(snap["chunk_ids"]):
        out.append(f"reports declare {snap['n_chunks_declared']} chunks, the catalog holds {len(snap['chunk_ids'])}")
    if snap["vector_ids"] != snap["chunk_ids"]:
        out.append(f"Chroma holds {len(snap['vector_ids'])} vectors for {len(snap['chunk_ids'])} catalog chunks "
                   f"({len(set(snap['vector_ids']) ^ set(snap['chunk_ids']))} ids differ)")
    if snap["fts_ids"] != snap["vector_ids"] or snap["n_fts"] != len(snap["fts_ids"]):
        out.append(f"keyword index holds {snap['n_fts']} rows ({len(snap['fts_ids'])} joined), Chroma {len(snap['vector_ids'])}")
    if snap.get("sentence_vector_ids", snap["chunk_ids"]) != snap["chunk_ids"]:
        out.append(f"the catalog holds sentence vectors for {len(snap['sentence_vector_ids'])} of "
                   f"{len(snap['chunk_ids'])} chunks")
    if snap["vector_reports"] != snap["chunk_reports"] or set(snap["chunk_reports"]) != set(snap["reports"]):
        out.append("the reports of the vectors, the chunks and the catalog differ")
    return out


def _start(args: list[str], data_dir: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([CLI, "ingest", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "w"), start_new_session=True)


def killed_run(args: list[str], data_dir: Path, delay: float, log: Path) -> str:
    """Start an ingest, wait until it reads (the model is loaded), wait ``delay`` s, SIGKILL it.

    Returns "killed" or "finished" (it ended before the kill)."""
    proc = _start(args, data_dir, log)
    deadline = time.time() + 300
    while proc.poll() is None and "reading" not in log.read_text(errors="replace"):
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"ingest never started reading: {log.read_text()[-2000:]}")
        time.sleep(0.02)
    end = time.time() + delay
    while proc.poll() is None and time.time() < end:
        time.sleep(0.005)
    if proc.poll() is not None:
        if proc.returncode != 0:
            raise RuntimeError(f"ingest failed (exit {proc.returncode}): {log.read_text()[-2000:]}")
        return "finished"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return "killed"


def complete_run(args: list[str], data_dir: Path, log: Path) -> None:
    proc = _start(args, data_dir, log)
    if proc.wait(600) != 0:
        raise RuntimeError(f"ingest after kills failed (exit {proc.returncode}): {log.read_text()[-3000:]}")


def clean_ingest(gen: Path, data_dir: Path, log: Path) -> tuple[dict, float]:
    t0 = time.time()
    complete_run([*inputs(gen), "--quiet"], data_dir, log)
    return snapshot(data_dir), time.time() - t0


def run(kills: int, seed: int, work: Path, per_round: int = 4, window: float | None = None, say=print) -> dict:
    """``kills`` runs SIGKILLed mid-run, in rounds of ``per_round``, each round ending in a completed ingest compared
    with a clean one. A run that finished before its kill does not count (the next one rebuilds, to have work)."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    gen = make_corpus(work / "generated")
    clean, seconds = clean_ingest(gen, work / "clean", work / "clean.log")
    window = window or max(3.0, seconds * 0.6)  # the clean run's time includes loading the model (about half)
    data = work / "killed"
    counts = {"kills": 0, "killed": 0, "finished_before_kill": 0, "rounds": 0, "rounds_equal": 0, "problems": []}
    while counts["killed"] < kills:
        counts["rounds"] += 1
        target, rebuild = min(kills, counts["killed"] + per_round), True
        while counts["killed"] < target and counts["kills"] < 3 * kills:
            args = inputs(gen) + (["--rebuild"] if rebuild else [])
            outcome = killed_run(args, data, rng.uniform(0, window), work / "run.log")
            counts["kills"] += 1
            counts["killed" if outcome == "killed" else "finished_before_kill"] += 1
            rebuild = outcome == "finished"  # it finished first: rebuild, so the next run has work to be killed in
        complete_run([*inputs(gen), "--quiet"], data, work / "complete.log")
        found = problems(snapshot(data), clean)
        if counts["kills"] >= 3 * kills:
            raise RuntimeError(f"most runs finished before their kill ({counts}); pass a smaller --window")
        if found:
            counts["problems"].append({"round": counts["rounds"], "problems": found})
        else:
            counts["rounds_equal"] += 1
        say(f"round {counts['rounds']}: {counts['killed']} runs killed mid-run so far ({counts['kills']} started), "
            f"{'equal to a clean ingest' if not found else 'DIFFERS: ' + '; '.join(found)}")
    counts["clean"] = {"reports": len(clean["reports"]), "chunks": len(clean["chunk_ids"])}
    counts["window_seconds"] = round(window, 1)
    return counts


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=100, help="runs killed mid-run in total (default 100)")
    p.add_argument("--per-round", type=int, default=4, help="kills before each completed run and comparison")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--window", type=float, default=None, help="kill within this many seconds after reading starts")
    p.add_argument("--work", default=None, help="work folder (default: a temporary one, deleted afterwards)")
    a = p.parse_args()
    import tempfile

    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="kill-test-"))
    try:
        counts = run(a.kills, a.seed, work, a.per_round, a.window)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({k: v for k, v in counts.items()}, indent=2))
    return 0 if not counts["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
