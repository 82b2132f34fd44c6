"""Crash safety (issue 7): SIGKILL `report-assistant ingest` at random moments, run it again, compare with a clean ingest.

The logic lives in scripts/kill_test.py (which does the same 100 times); here: 10 runs killed mid-run, fixed seed, two
rounds of five (each round starts with a killed `ingest --rebuild`, then killed plain runs, then one run to completion).
"""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import kill_test  # noqa: E402


def test_ten_random_sigkills_then_rerun_equals_one_clean_ingest(tmp_path):
    counts = kill_test.run(kills=10, seed=7, work=tmp_path, per_round=5, say=lambda msg: print(msg))
    assert counts["problems"] == []
    assert counts["killed"] == 10 and counts["rounds"] == counts["rounds_equal"] == 2, counts  # 10 runs killed mid-run
    assert counts["clean"]["reports"] == 84 and counts["clean"]["chunks"] >= 84  # the chunk count follows the chunker


def test_snapshot_sees_a_damaged_index(tmp_path):
    """The comparison itself can fail: a missing vector or keyword row is reported."""
    clean = {"reports": {"r1": "h"}, "chunk_ids": ["r1-0000", "r1-0001"], "chunk_reports": ["r1"],
             "n_chunks_declared": 2, "fts_ids": ["r1-0000", "r1-0001"], "n_fts": 2,
             "vector_ids": ["r1-0000", "r1-0001"], "vector_reports": ["r1"]}
    assert kill_test.problems(clean, clean) == []
    assert kill_test.problems({**clean, "vector_ids": ["r1-0000"]}, clean) == [
        "Chroma holds 1 vectors for 2 catalog chunks (1 ids differ)",
        "keyword index holds 2 rows (2 joined), Chroma 1"]
    assert kill_test.problems({**clean, "reports": {"r1": ""}}, clean) == ["report ids/hashes differ: 1 vs 1 clean"]
    assert kill_test.problems({**clean, "sentence_vector_ids": ["r1-0001"]}, clean) == [
        "the catalog holds sentence vectors for 1 of 2 chunks"]
