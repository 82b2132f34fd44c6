"""The index under stress (issue 7): two ingests at once, a missing/partial/corrupt index, a Chroma server that
restarts, and nothing phoning home. CLI cases run `report-assistant` in subprocesses, like a user would."""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import IndexUnavailable, IngestLocked
from assistant.ingest import ingest_lock
from conftest import MINI, NUJABA, ROOT, SEED, assert_citations_hold, free_port

sys.path.insert(0, str(ROOT / "scripts"))
import kill_test  # noqa: E402

CLI = str(Path(sys.executable).parent / "report-assistant")
INPUTS = [str(ROOT / "corpus"), str(MINI)]
QUESTION = "How long did the dockworkers strike last?"


def cli(args, data_dir, timeout=300, **extra_env):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), **extra_env}
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)


def fresh(path: Path, embedder, **settings) -> Assistant:
    """An Assistant that does not reuse a Chroma client cached for this path (another process wrote since)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return Assistant.open({"data_dir": str(path), **settings}, embedder=embedder)


# ------------------------------------------------------------------------------------------- two ingests at once


def test_second_concurrent_ingest_is_refused_and_the_first_completes(tmp_path, embedder):
    gen = kill_test.make_corpus(tmp_path / "generated")
    data = tmp_path / "index"
    log = tmp_path / "first.log"
    first = kill_test._start([*kill_test.inputs(gen)], data, log)
    try:
        while first.poll() is None and "reading" not in log.read_text(errors="replace"):
            time.sleep(0.02)
        assert first.poll() is None, "the first ingest ended before the second could start"
        with pytest.raises(IngestLocked) as exc:  # the library: a second ingest in this process
            fresh(data, embedder).ingest(INPUTS, progress=False)
        assert str(exc.value) == (f"another ingest (pid {first.pid}) is writing to {data}; wait for it to finish, "
                                  "then run this one again")
    finally:
        assert first.wait(300) == 0, log.read_text()[-2000:]
    snap = kill_test.snapshot(data)
    # consistent (one vector and one keyword row per catalog chunk) and complete (every generated report, each chunked)
    assert kill_test.problems(snap, snap) == [] and len(snap["reports"]) == 84
    assert set(snap["chunk_reports"]) == set(snap["reports"])


def test_cli_second_ingest_exits_1_with_the_lock_message(tmp_path):
    data = tmp_path / "index"
    with ingest_lock(data):  # this test process plays the first ingest
        out = cli(["ingest", "--quiet", str(SEED)], data)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"error: another ingest (pid {os.getpid()}) is writing to {data}; wait for it to finish" in out.stderr
    assert "added 1" in cli(["ingest", "--quiet", str(SEED)], data).stdout  # the lock is gone with its holder


# ------------------------------------------------------------------------------------------- damaged index


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A clean index of corpus/ + mini made by the CLI, and its snapshot."""
    data = tmp_path_factory.mktemp("template") / "index"
    out = cli(["ingest", "--quiet", *INPUTS], data)
    assert out.returncode == 0, out.stderr
    return data, kill_test.snapshot(data)


def _garble(path: Path, offset: int, n: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(os.urandom(n))


DAMAGE = {
    "chroma folder deleted": (lambda d: shutil.rmtree(d / "chroma"),
                              "the catalog lists 4 reports but the vector store is empty"),
    "catalog deleted, chroma kept": (lambda d: (d / "catalog.sqlite3").unlink(),
                                     "vectors but the catalog lists no reports"),
    "catalog truncated": (lambda d: os.truncate(d / "catalog.sqlite3", 40_000), "is unreadable"),
    "catalog header garbled": (lambda d: _garble(d / "catalog.sqlite3", 0, 100), "is unreadable (file is not a database)"),
    "chroma database garbled": (lambda d: _garble(d / "chroma" / "chroma.sqlite3", 0, 100),
                                "cannot open the Chroma store at"),
    "whole index deleted": (lambda d: shutil.rmtree(d), "holds no reports yet; run `report-assistant ingest <inputs>` first"),
}


def _damaged(template, tmp_path, name) -> Path:
    data = tmp_path / "index"
    shutil.copytree(template[0], data)
    DAMAGE[name][0](data)
    return data


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_index_names_the_fix(template, tmp_path, embedder, name):
    data = _damaged(template, tmp_path, name)
    with pytest.raises(IndexUnavailable) as exc:
        fresh(data, embedder).ask(QUESTION)
    assert DAMAGE[name][1] in str(exc.value)
    fix = "report-assistant ingest <inputs>" if name == "whole index deleted" else "report-assistant ingest --rebuild <inputs>"
    assert f"run `{fix}`" in str(exc.value)


@pytest.mark.parametrize("name", ["catalog header garbled", "chroma database garbled", "catalog deleted, chroma kept"])
def test_cli_damaged_index_message_then_rebuild_repairs_it(template, tmp_path, name):
    data = _damaged(template, tmp_path, name)
    out = cli(["ask", QUESTION], data)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert DAMAGE[name][1] in out.stderr and "run `report-assistant ingest --rebuild <inputs>`" in out.stderr
    rebuilt = cli(["ingest", "--rebuild", "--quiet", *INPUTS], data)
    assert rebuilt.returncode == 0 and "added 4" in rebuilt.stdout and "Traceback" not in rebuilt.stderr, rebuilt.stderr
    assert kill_test.problems(kill_test.snapshot(data), template[1]) == []


def test_plain_ingest_restores_lost_vectors(template, tmp_path, embedder):
    data = _damaged(template, tmp_path, "chroma folder deleted")
    a = fresh(data, embedder)
    rep = a.ingest(INPUTS, progress=False)
    assert len(rep.updated) == 4 and rep.chunks_embedded == len(template[1]["chunk_ids"])  # every chunk, once
    assert kill_test.problems(kill_test.snapshot(data), template[1]) == []
    assert "eleven-day strike" in fresh(data, embedder).ask(QUESTION).text


def test_store_scan_only_after_an_unclean_run(make_assistant, monkeypatch):
    """Reading every vector's report id costs minutes at a million chunks: an ingest after a clean one skips it;
    after a run that did not finish (flag left at 0) it scans and removes orphan vectors, as before."""
    import numpy as np

    a = make_assistant()
    a.ingest(INPUTS, progress=False)
    scans = []
    real = type(a.store).report_ids
    monkeypatch.setattr(type(a.store), "report_ids", lambda self: scans.append(1) or real(self))
    rep = a.ingest(INPUTS, progress=False)
    assert len(rep.unchanged) == 4 and scans == []
    # an interrupted run: vectors of a report the catalog never recorded, and the flag still at 0
    a.store.upsert(["ghost-0", "ghost-1"], np.eye(2, a.embedder.dim, dtype=np.float32),
                   [{"report_id": "ghost", "source": "x", "date": 0}] * 2)
    a.catalog.set_meta("last_ingest_clean", "0")
    rep = a.ingest(INPUTS, progress=False)
    assert scans == [1] and "ghost" not in real(a.store) and a.store.count() == a.catalog.chunk_count()
    # the vector count no longer matching the catalog also triggers a scan, even after a clean run
    a.store.upsert(["ghost-0"], np.eye(1, a.embedder.dim, dtype=np.float32), [{"report_id": "ghost", "source": "x", "date": 0}])
    a.ingest(INPUTS, progress=False)
    assert scans == [1, 1] and "ghost" not in real(a.store)


def test_cli_truncated_catalog_never_shows_a_traceback(template, tmp_path):
    data = _damaged(template, tmp_path, "catalog truncated")
    for args in (["ask", QUESTION], ["search", "strike"], ["stats"]):
        out = cli(args, data)
        assert out.returncode == 1 and "Traceback" not in out.stderr and "ingest --rebuild" in out.stderr, out.stderr


# ------------------------------------------------------------------------------------------- Chroma server restart


def _start_chroma(path: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("chroma server did not start within 60 s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_chroma_server_restarted_mid_session_is_reconnected(tmp_path, embedder):
    port, path = free_port(), tmp_path / "chroma-server"
    server = _start_chroma(path, port)
    try:
        a = Assistant.open({"data_dir": str(tmp_path / "idx"), "chroma_url": f"http://127.0.0.1:{port}",
                            "collection": "restart_test"}, embedder=embedder)
        a.ingest([SEED, MINI], progress=False)
        before = a.ask("Which groups did not suspend attacks?")
        assert NUJABA in [c.quote for c in before.citations]
        _stop(server)
        with pytest.raises(IndexUnavailable) as exc:  # down: a clear error, not a connection traceback
            a.ask("Which groups did not suspend attacks?")
        assert f"cannot open the Chroma store at http://127.0.0.1:{port}" in str(exc.value) and "make chroma" in str(exc.value)
        server = _start_chroma(path, port)  # same port, same data
        after = a.ask("Which groups did not suspend attacks?")
        assert after.text == before.text and [c.quote for c in after.citations] == [c.quote for c in before.citations]
        assert_citations_hold(a, after)
        assert a.stats()["vectors"] == a.stats()["chunks"] > 0
    finally:
        _stop(server)


# ------------------------------------------------------------------------------------------- nothing phones home

_WRAPPER = r"""
import json, socket, sys
log = open(sys.argv[1], "a")
LOCAL = ("127.", "::1", "localhost", "0.0.0.0")

def hook(event, args):
    host = None
    if event == "socket.connect":
        addr = args[1]
        host = addr[0] if isinstance(addr, tuple) else None  # AF_UNIX paths are local
    elif event == "socket.getaddrinfo":
        host = args[0]
    if host is not None and not str(host).startswith(LOCAL):
        log.write(json.dumps({"event": event, "host": str(host)}) + "\n")
        log.flush()
        raise ConnectionRefusedError(f"blocked by test: {event} {host}")

sys.addaudithook(hook)
try:  # the hook works: this attempt is recorded (and blocked), and is the only line the test allows
    socket.socket().connect(("192.0.2.1", 9))
except ConnectionRefusedError:
    pass
from assistant.cli import main
codes = [main(["ingest", "--quiet", *sys.argv[3:]]), main(["ask", "How long did the dockworkers strike last?"]),
         main(["search", "strike", "--json"])]
open(sys.argv[2], "w").write(json.dumps(codes))
"""


def test_ingest_and_ask_attempt_no_outbound_connection(tmp_path):
    attempts, codes = tmp_path / "attempts.jsonl", tmp_path / "codes.json"
    attempts.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "ANONYMIZED", "ORT_"))}
    env["ASSISTANT_DATA_DIR"] = str(tmp_path / "index")  # the offline switches come from the app itself, not the test
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(attempts), str(codes), *INPUTS], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(codes.read_text()) == [0, 0, 0]
    assert "eleven-day strike" in proc.stdout
    assert attempts.read_text() == '{"event": "socket.connect", "host": "192.0.2.1"}\n', attempts.read_text()


def test_index_current_tells_an_index_embedded_with_other_settings_until_it_is_ingested_again(make_assistant, tmp_path):
    a = make_assistant(tmp_path / "index")
    assert a.index_current()  # empty: nothing embedded differently
    a.ingest([str(SEED)], progress=False)
    assert a.index_current() and a.stats()["index_current"] is True
    other = make_assistant(tmp_path / "index", chunking={"max_tokens": 200})
    assert other.index_current() is False and other.stats()["index_current"] is False
    assert other.search("Kataib Hezbollah suspension", top_k=3)  # still searchable meanwhile
    rep = other.ingest([str(SEED)], progress=False)
    assert rep.chunks_embedded > 0 and other.index_current() is True


def test_the_reports_tab_totals_say_when_the_index_needs_re_embedding():
    from assistant.ui_render import totals

    stats = {"reports": 3, "chunks": 9, "sources": 1, "first_date": None, "embedder": "e", "chroma": "embedded"}
    assert "re-embed" not in totals({**stats, "index_current": True})
    assert "run `report-assistant ingest` on the same reports" in totals({**stats, "index_current": False})
