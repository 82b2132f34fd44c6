"""The running app under load, and the app offline.

1. 16 concurrent clients (8 ``gradio_client`` on ``/ask``, 8 ``POST /api/ask``) x 10 questions against one launched
   app: no errors, and every answer (text, refusal, confidence, citations with quotes and offsets, retrieved
   passages) equal to the one the same question gets when asked alone. p50/p95 latency is printed and written to
   ``test-artifacts/concurrency.json``.
2. ``python app.py`` in a subprocess with every non-loopback connection blocked and recorded by an audit hook (a
   ``sitecustomize.py`` first on PYTHONPATH): starting, answering and serving the page attempts none.
"""
import json
import os
import random
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import ARTIFACTS, MINI, ROOT, SEED, free_port

QUESTIONS = [
    "Which groups did not suspend attacks?",
    "How long did the dockworkers strike last?",
    "How many homes will the solar farm power?",
    "Who is Barbara Leaf?",
    "What did Lloyd Austin say?",
    "Why did Kataib Hezbollah suspend operations?",
    "How much will wages rise under the port deal?",
    "Why was River Road closed?",
    "Who visited Baghdad?",
    "How much money does Iran give Kataib Hezbollah each year?",  # refused
]
CLIENTS = 16
SEED_SHUFFLE = 1234
REQUEST_TIMEOUT = 300


def _comparable(ans: dict) -> dict:
    """Everything in an answer except its timings (which differ by nature)."""
    return {k: v for k, v in ans.items() if k != "timings"}


@pytest.fixture(scope="module")
def app_url(seed_assistant, tmp_path_factory):
    from assistant.ui import launch

    mp = pytest.MonkeyPatch()
    mp.setenv("GRADIO_TEMP_DIR", str(tmp_path_factory.mktemp("ui-load") / "gradio-tmp"))
    port = free_port()
    # the app reads its search copies in the background as it starts; the reference answers below must come from
    # the same (exact, in-memory) search as the concurrent ones, not from Chroma's while the copies are being read
    assert seed_assistant.hold_in_memory() == {"keyword": True, "dense": True}
    demo = launch(seed_assistant, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}"
    demo.close()
    mp.undo()


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]  # nearest rank


def test_16_concurrent_clients_get_the_answers_given_alone(app_url, seed_assistant):
    from gradio_client import Client

    # the reference: each question asked alone
    reference = {}
    with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
        for q in QUESTIONS:
            r = http.post(f"{app_url}/api/ask", json={"question": q})
            assert r.status_code == 200, r.text
            reference[q] = _comparable(r.json())
    assert reference[QUESTIONS[-1]]["refused"] is True
    assert all(not reference[q]["refused"] and reference[q]["citations"] for q in QUESTIONS[:-1])
    assert "eleven-day strike" in reference["How long did the dockworkers strike last?"]["text"]
    assert "9,000 homes" in reference["How many homes will the solar farm power?"]["text"]

    # cold again: the embedder's query/sentence cache emptied, so the concurrent clients embed at the same time
    # (several threads missing the same text at once), in other orders than the reference did. This found that
    # sentence vectors depended on their batchmates (int8 dynamic quantization), so cached answer-sentence scores,
    # confidences and sometimes the chosen sentences ("Who visited Baghdad?") depended on the other questions:
    # fixed by embedding small calls one text per forward pass (assistant/embedding.py, _SMALL_BATCH).
    cache = getattr(seed_assistant.embedder, "_cache", None)
    if cache is not None:
        cache.clear()

    results: list[dict] = []  # one row per request
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def run(i: int) -> None:
        kind = "gradio_client" if i % 2 == 0 else "api"
        order = QUESTIONS[:]
        random.Random(SEED_SHUFFLE + i).shuffle(order)
        client = http = None
        try:
            if kind == "gradio_client":
                client = Client(app_url, verbose=False)
            else:
                http = httpx.Client(timeout=REQUEST_TIMEOUT)
        except Exception as exc:  # noqa: BLE001
            with lock:
                results.append({"client": i, "kind": kind, "question": None, "error": f"connect: {exc!r}"})
            start.abort()
            return
        try:
            start.wait(REQUEST_TIMEOUT)
            for q in order:
                t0 = time.perf_counter()
                row = {"client": i, "kind": kind, "question": q, "error": None, "answer": None}
                try:
                    if client is not None:
                        ans = client.predict(q, None, api_name="/ask")
                    else:
                        r = http.post(f"{app_url}/api/ask", json={"question": q})
                        if r.status_code != 200:
                            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:300]}")
                        ans = r.json()
                    row["answer"] = _comparable(ans)
                except Exception as exc:  # noqa: BLE001
                    row["error"] = repr(exc)
                row["seconds"] = time.perf_counter() - t0
                with lock:
                    results.append(row)
        except threading.BrokenBarrierError:
            with lock:
                results.append({"client": i, "kind": kind, "question": None, "error": "start barrier broken"})
        finally:
            if client is not None:
                client.close()
            if http is not None:
                http.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    wall = time.perf_counter() - t0
    assert not any(t.is_alive() for t in threads), "a client hung"

    errors = [r for r in results if r["error"]]
    mismatches = []
    for r in results:
        if r["error"]:
            continue
        if r["answer"] == reference[r["question"]]:
            continue
        ref, got = reference[r["question"]], r["answer"]
        diff = sorted(k for k in ref.keys() | got.keys() if ref.get(k) != got.get(k))
        mismatches.append({"client": r["client"], "kind": r["kind"], "question": r["question"], "fields": diff})
    ok = [r["seconds"] for r in results if not r["error"]]
    by_kind = {kind: [r["seconds"] for r in results if r["kind"] == kind and not r["error"]]
               for kind in ("gradio_client", "api")}
    report = {
        "clients": CLIENTS, "questions": len(QUESTIONS), "requests": len(results), "errors": len(errors),
        "mismatches": len(mismatches), "wall_seconds": round(wall, 2),
        "p50_seconds": round(statistics.median(ok), 3) if ok else None,
        "p95_seconds": round(_pct(ok, 95), 3) if ok else None,
        "by_client": {k: {"requests": len(v), "p50_seconds": round(statistics.median(v), 3) if v else None,
                          "p95_seconds": round(_pct(v, 95), 3) if v else None} for k, v in by_kind.items()},
        "cpus": os.cpu_count(), "error_samples": [r["error"] for r in errors[:5]], "mismatch_samples": mismatches[:5],
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "concurrency.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nconcurrency: {CLIENTS} clients x {len(QUESTIONS)} questions, {len(results)} requests in {wall:.1f} s; "
          f"p50 {report['p50_seconds']} s, p95 {report['p95_seconds']} s; "
          f"{len(errors)} errors, {len(mismatches)} mismatches")

    assert len(results) == CLIENTS * len(QUESTIONS), report
    assert not errors, errors[:5]
    assert not mismatches, mismatches[:5]


# ------------------------------------------------------------------------------ the app offline (a real `app.py`)

_SITECUSTOMIZE = r'''
"""Test hook: record (and block) every connection or name lookup that would leave this machine."""
import ipaddress, json, os, sys

_LOG = os.environ.get("NETLOG_FILE")


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0]
    if host in ("", "localhost", "None") or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _is_ip(host) -> bool:
    try:
        ipaddress.ip_address(str(host).strip("[]").split("%")[0])
        return True
    except ValueError:
        return False


def _hook(event, args):
    if event == "socket.connect":
        addr = args[1]
        if not isinstance(addr, tuple):  # AF_UNIX paths are local
            return
        host = addr[0]
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is None or _is_ip(host):  # a literal address is checked when it is connected to
            return
    else:
        return
    if _local(host):
        return
    with open(_LOG, "a") as f:
        f.write(json.dumps({"event": event, "host": str(host), "pid": os.getpid(), "argv": sys.argv[:2]}) + "\n")
    raise ConnectionRefusedError(f"blocked by test: {event} {host}")


if _LOG:
    sys.addaudithook(_hook)
    with open(_LOG + ".procs", "a") as f:  # which processes ran with the hook
        f.write(json.dumps(sys.argv[:1]) + "\n")
'''


def _clean_env(tmp_path: Path, hook_dir: Path, log: Path) -> dict:
    """The test's offline switches removed: the app must set its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "TRANSFORMERS_", "ANONYMIZED", "ORT_", "GRADIO_", "ASSISTANT_"))}
    env.update({"PYTHONPATH": os.pathsep.join([str(hook_dir), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                "NETLOG_FILE": str(log), "ASSISTANT_DATA_DIR": str(tmp_path / "index"),
                "GRADIO_TEMP_DIR": str(tmp_path / "gradio-tmp"), "PYTHONUNBUFFERED": "1"})
    return env


def test_app_py_attempts_no_outbound_connection(tmp_path):
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(textwrap.dedent(_SITECUSTOMIZE))
    probe_log, log = tmp_path / "probe.jsonl", tmp_path / "attempts.jsonl"
    log.touch()

    # the hook works: an outbound connect and a name lookup are recorded and blocked
    probe = subprocess.run(
        [sys.executable, "-c", textwrap.dedent("""
            import socket
            for target in (("192.0.2.1", 80), ("example.com", 80)):
                try:
                    socket.create_connection(target, timeout=1)
                except ConnectionRefusedError as exc:
                    assert "blocked by test" in str(exc), exc
                else:
                    raise SystemExit("not blocked")
            """)],
        env=_clean_env(tmp_path, hook_dir, probe_log), capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr[-2000:]
    events = [(e["event"], e["host"]) for e in map(json.loads, probe_log.read_text().splitlines())]
    assert events == [("socket.connect", "192.0.2.1"), ("socket.getaddrinfo", "example.com")], events

    env = _clean_env(tmp_path, hook_dir, log)
    ingest = subprocess.run([str(Path(sys.executable).parent / "report-assistant"), "ingest", "--quiet",
                             str(SEED.parent), str(MINI)], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert ingest.returncode == 0, ingest.stderr[-3000:]

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = (tmp_path / "app.log").open("w")
    app = subprocess.Popen([sys.executable, "app.py"], env={**env, "ASSISTANT_PORT": str(port)}, cwd=ROOT,
                           stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            assert app.poll() is None, f"app.py exited {app.returncode}:\n{(tmp_path / 'app.log').read_text()[-3000:]}"
            try:
                if httpx.get(url + "/", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline, f"app.py not up in 120 s:\n{(tmp_path / 'app.log').read_text()[-3000:]}"
            time.sleep(0.5)
        r = httpx.post(f"{url}/api/ask", json={"question": "How long did the dockworkers strike last?"}, timeout=120)
        assert r.status_code == 200, r.text
        assert "eleven-day strike" in r.json()["text"]
        page = httpx.get(url + "/", timeout=60)
        assert page.status_code == 200 and "Report Assistant" in page.text
    finally:
        app.terminate()
        try:
            app.wait(30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait(10)
        out.close()
    hooked = [json.loads(line) for line in Path(f"{log}.procs").read_text().splitlines()]
    assert ["app.py"] in hooked and any(h[0].endswith("report-assistant") for h in hooked), hooked
    assert log.read_text() == "", log.read_text()
