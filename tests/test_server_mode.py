"""Server mode, two processes: a long-lived Assistant serves questions while another process ingests new reports
into the same Chroma server and data dir (the SQLite catalog, with the keyword index, is shared through
ASSISTANT_DATA_DIR). The new reports must become answerable without restarting the serving process."""
import json
import os
import subprocess
import sys
import textwrap

from assistant import Assistant
from conftest import MINI, NUJABA, ROOT, SEED

SERVE = textwrap.dedent("""
    import json, sys
    from assistant import Assistant
    a = Assistant.open()                       # everything from ASSISTANT_* environment variables
    print("READY", flush=True)
    for line in sys.stdin:
        ans = a.ask(line.strip())
        print(json.dumps({"refused": ans.refused, "quotes": [c.quote for c in ans.citations],
                          "reports": [c.report_id for c in ans.citations], "chunks": a.stats()["chunks"]}), flush=True)
""")
PORT_QUESTION = "How long did the dockworkers' strike at Port Alder last?"


def test_reports_ingested_by_another_process_are_answerable_without_restart(chroma_server, tmp_path, embedder):
    data_dir = tmp_path / "shared-index"
    settings = {"data_dir": str(data_dir), "chroma_url": chroma_server["url"], "collection": "server_mode_test"}
    writer = Assistant.open(settings, embedder=embedder)
    assert len(writer.ingest([SEED], progress=False).added) == 1

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_CHROMA_URL": chroma_server["url"],
           "ASSISTANT_COLLECTION": "server_mode_test"}
    server = subprocess.Popen([sys.executable, "-c", SERVE], cwd=ROOT, env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert server.stdout.readline().strip() == "READY"

        def ask(question: str) -> dict:
            server.stdin.write(question + "\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        before = ask(PORT_QUESTION)
        assert not any("eleven-day strike" in q for q in before["quotes"])
        assert NUJABA in ask("Which groups did not suspend attacks?")["quotes"]

        rep = writer.ingest([MINI], progress=False)  # this process writes while the other one keeps serving
        assert rep.added and not rep.failed

        after = ask(PORT_QUESTION)
        assert not after["refused"]
        assert any("eleven-day strike" in q for q in after["quotes"]), after
        assert after["chunks"] == writer.stats()["chunks"] > before["chunks"]
        assert NUJABA in ask("Which groups did not suspend attacks?")["quotes"]  # the old reports still answer
    finally:
        server.stdin.close()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
