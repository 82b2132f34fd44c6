"""Shared fixtures. The offline switches are set before anything imports gradio, transformers or chromadb."""
import os

for _k, _v in {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "ORT_DISABLE_TELEMETRY": "1",
}.items():
    os.environ[_k] = _v

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "iran-commander-baghdad-de-escalation.txt"
MINI = Path(__file__).resolve().parent / "data" / "mini"
SHARED = ROOT.parent / "shared"
MULTIHOP = SHARED / "data" / "multihop-rag"
ARTIFACTS = ROOT / "test-artifacts"
NUJABA = ("Despite the visit by the Iranian commander to Baghdad, the two other major militia groups under the Islamic "
          "Resistance in Iraq umbrella, Harakat Hezbollah Al Nujaba and Kataib Sayyid Al Shuhada, have not announced any "
          "suspension of operations against the US.")

os.environ.setdefault("GRADIO_TEMP_DIR", str(ROOT / "test-artifacts" / "gradio-tmp"))


@pytest.fixture(scope="session")
def embedder():
    """The real packaged MiniLM, loaded once for the whole run."""
    from assistant.embedding import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture()
def make_assistant(tmp_path, embedder):
    """Build an Assistant on a fresh data dir (embedded Chroma) with the shared real embedder."""
    from assistant import Assistant

    made = []

    def make(data_dir=None, **settings):
        a = Assistant.open({"data_dir": str(data_dir or tmp_path / "index"), **settings}, embedder=embedder)
        made.append(a)
        return a

    yield make


@pytest.fixture(scope="session")
def seed_assistant(tmp_path_factory, embedder):
    from assistant import Assistant

    a = Assistant.open({"data_dir": str(tmp_path_factory.mktemp("seed") / "index")}, embedder=embedder)
    a.ingest([str(SEED.parent), str(MINI)], progress=False)
    return a


@pytest.fixture(scope="session")
def seed_eval(tmp_path_factory, embedder):
    """The seed eval (evals/seed.jsonl on corpus/), run once in-process through the public API on a temp index."""
    from assistant import Assistant
    from assistant.evaluation import evaluate

    a = Assistant.open({"data_dir": str(tmp_path_factory.mktemp("seed-eval") / "index")}, embedder=embedder)
    return evaluate(ROOT / "evals" / "seed.jsonl", assistant=a, corpus=[SEED.parent], progress=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port, for the whole session."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: run `make test` (it installs chromadb into .venv)")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start within 60 s")
    yield {"url": url, "proc": proc, "port": port, "path": path}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def assert_citations_hold(assistant, answer):
    """The offset check, from outside: every quote equals its report's text at its offsets."""
    for c in answer.citations:
        text = assistant.report(c.report_id).text
        assert text[c.start:c.end] == c.quote, c
    if not answer.refused:
        assert answer.citations, "an answer must cite"
        for n in range(1, len(answer.citations) + 1):
            assert f"[{n}]" in answer.text


def write_reports(folder, reports, source="Bay Post", date="2024-04-02"):
    """Write ``(file, title, body)`` reports as Markdown with front matter into ``folder`` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, title, body in reports:
        (folder / name).write_text(f"---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n{title}\n\n{body}\n")
    return folder
