"""The CLI through a real subprocess: ingest, ask (text and JSON), search with filters, stats, exit codes."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, NUJABA, ROOT, SEED

CLI = [str(Path(sys.executable).parent / "report-assistant")]


def run(args, data_dir, check_rc=None, extra_env=None):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), **(extra_env or {})}
    proc = subprocess.run(CLI + args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr
    return proc


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "index"
    out = run(["ingest", "corpus/", str(MINI), "--quiet"], data, check_rc=0)
    assert "added 4" in out.stdout
    return data


def test_ingest_again_embeds_nothing(cli_index):
    out = run(["ingest", "corpus/", str(MINI), "--json", "--quiet"], cli_index, check_rc=0)
    rep = json.loads(out.stdout)
    assert rep["added"] == [] and len(rep["unchanged"]) == 4 and rep["chunks_embedded"] == 0


def test_ask_prints_answer_with_sources(cli_index):
    out = run(["ask", "Which groups did not suspend attacks?"], cli_index, check_rc=0)
    assert "Harakat Hezbollah Al Nujaba" in out.stdout and "Sources:" in out.stdout and "[1]" in out.stdout


def test_ask_json_has_verified_citations(cli_index):
    out = run(["ask", "Which groups did not suspend attacks?", "--json"], cli_index, check_rc=0)
    ans = json.loads(out.stdout)
    assert ans["refused"] is False
    assert NUJABA in [c["quote"] for c in ans["citations"]]
    text = SEED.read_text()
    for c in ans["citations"]:
        if c["title"].startswith("Revealed"):
            assert text[c["start"]:c["end"]] == c["quote"]


def test_refusal_exits_zero(cli_index):
    out = run(["ask", "How much money does Iran give Kataib Hezbollah each year?", "--json"], cli_index, check_rc=0)
    assert json.loads(out.stdout)["refused"] is True


def test_search_with_source_and_date_filters(cli_index):
    out = run(["search", "road flooding", "--source", "Valley Times", "--after", "2024-01-01", "--json"], cli_index, check_rc=0)
    hits = json.loads(out.stdout)
    assert hits and all(h["source"] == "Valley Times" and h["published"] >= "2024-01-01" for h in hits)


def test_stats(cli_index):
    s = json.loads(run(["stats", "--json"], cli_index, check_rc=0).stdout)
    assert s["reports"] == 4 and s["chunks"] == s["vectors"] > 0


def test_exit_codes(cli_index):
    assert run(["ask"], cli_index).returncode == 2  # missing question: usage
    assert run(["frobnicate"], cli_index).returncode == 2
    bad = run(["ask", "Who?", "--source", "Nowhere Daily"], cli_index)
    assert bad.returncode == 1 and "unknown source 'Nowhere Daily'" in bad.stderr and "Traceback" not in bad.stderr
    empty = run(["ask", "   "], cli_index)
    assert empty.returncode == 1 and "question is empty" in empty.stderr


def test_unreachable_chroma_server_is_a_clear_error(tmp_path):
    out = run(["stats"], tmp_path / "x", extra_env={"ASSISTANT_CHROMA_URL": "http://127.0.0.1:9"})
    assert out.returncode == 1 and "cannot open the Chroma store at http://127.0.0.1:9" in out.stderr
    assert "make chroma" in out.stderr and "Traceback" not in out.stderr


def test_an_index_chunked_with_other_settings_is_noted_until_ingested_again(cli_index):
    """After an upgrade that changes the embedder build (or a change of chunk size or backend) the stored passages
    were embedded differently from the questions: ask still answers, with a note on stderr naming the fix."""
    assert "note:" not in run(["ask", "Which groups did not suspend attacks?"], cli_index, check_rc=0).stderr
    other = {"ASSISTANT_CHUNKING__MAX_TOKENS": "200"}
    out = run(["ask", "Which groups did not suspend attacks?"], cli_index, check_rc=0, extra_env=other)
    assert "Harakat Hezbollah Al Nujaba" in out.stdout
    assert "were embedded or chunked with other settings" in out.stderr and "report-assistant ingest" in out.stderr
    assert json.loads(run(["stats", "--json"], cli_index, check_rc=0, extra_env=other).stdout)["index_current"] is False
    assert json.loads(run(["stats", "--json"], cli_index, check_rc=0).stdout)["index_current"] is True


def test_eval_prints_each_figure_with_its_interval(tmp_path):
    index = tmp_path / "index"  # its own: the eval ingests corpus/ into it
    out = run(["eval", "evals/seed.jsonl", "--limit", "12", "--out", str(tmp_path / "rep"), "--index", str(index),
               "--quiet"], index, check_rc=0)
    doc = json.loads((tmp_path / "rep" / "report.json").read_text())
    lo, hi = doc["intervals"]["overall"]["hits@10"]
    hits = doc["summary"]["overall"]["hits@10"]
    assert f"hits@10 {hits:.3f} ({lo:.3f}-{hi:.3f})" in out.stdout
    assert "95% bootstrap intervals" in out.stdout
    chance = doc["targets"]["hits@10"]["chance"]
    assert f"hits@10 >= 0.97: {chance:.2f}" in out.stdout
