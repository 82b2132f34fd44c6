"""The launched app, driven from outside: gradio_client (/chat with a follow-up, /ask as JSON) and POST /api/ask."""
import base64

import httpx
import pytest

from assistant.reading import report_id
from conftest import NUJABA, SEED, free_port

SEED_ID = report_id(str(SEED.resolve()))


def _launch(assistant, tmp_path, monkeypatch):
    from assistant.ui import launch

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))
    port = free_port()
    demo = launch(assistant, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def app_url(seed_assistant, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    demo, url = _launch(seed_assistant, tmp_path_factory.mktemp("ui"), mp)
    yield url
    demo.close()
    mp.undo()


def test_gradio_client_chat_keeps_the_conversation(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    first = client.predict("Which groups did not suspend attacks?", api_name="/chat")
    assert "Harakat Hezbollah Al Nujaba" in first and "Kataib Sayyid Al Shuhada" in first
    assert "[1]" in first and "Sources:" in first
    follow = client.predict("When was that?", api_name="/chat")
    assert "Sources:" in follow  # answered, not refused: the follow-up was retrieved with the first turn's terms
    assert "Iran" in follow or "Kataib" in follow or "Hezbollah" in follow
    client.close()


def test_gradio_client_ask_returns_the_answer_json(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    ans = client.predict("Which groups did not suspend attacks?", None, api_name="/ask")
    assert ans["refused"] is False and ans["question"] == "Which groups did not suspend attacks?"
    nujaba = next(c for c in ans["citations"] if c["quote"] == NUJABA)
    assert nujaba["report_id"] == SEED_ID and nujaba["published"] == "2024-02-01"
    assert f"[{nujaba['n']}]" in ans["text"]
    client.close()


def test_post_api_ask(app_url, seed_assistant):
    r = httpx.post(f"{app_url}/api/ask", json={"question": "Which groups did not suspend attacks?"}, timeout=60)
    assert r.status_code == 200
    ans = r.json()
    assert any(c["quote"] == NUJABA for c in ans["citations"])
    for c in ans["citations"]:
        assert seed_assistant.report(c["report_id"]).text[c["start"]:c["end"]] == c["quote"]
    filtered = httpx.post(f"{app_url}/api/ask", json={"question": "How long did the dockworkers strike last?",
                                                      "filters": {"sources": ["Harbor Gazette"]}}, timeout=60).json()
    assert {c["source"] for c in filtered["citations"]} == {"Harbor Gazette"}


@pytest.mark.parametrize("body, status, message", [
    (b"not json", 400, "not JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b'{"filters": {}}', 400, "question"),
    (b'{"question": ""}', 400, "empty"),
    (b'{"question": "Who?", "filters": {"sources": ["No Such Paper"]}}', 400, "unknown source"),
    (b'{"question": "Who?", "filters": {"after": "2024-02-01", "before": "2024-01-01"}}', 400, "date range is empty"),
    (b'{"question": "Who?", "filters": "x"}', 400, "filters"),
    (b'{"question": "Who?", "top_k": 0}', 400, "top_k"),
    (b'{"question": "Who?", "colour": "red"}', 400, "unknown key"),
])
def test_post_api_ask_bad_requests_get_4xx_json(app_url, body, status, message):
    r = httpx.post(f"{app_url}/api/ask", content=body, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code == status
    assert message in r.json()["error"]
    assert "Traceback" not in r.text


def test_report_route_serves_only_ingested_reports(app_url):
    r = httpx.get(f"{app_url}/api/report/{SEED_ID}", timeout=30)
    assert r.status_code == 200 and NUJABA in r.json()["text"]
    page = httpx.get(f"{app_url}/report/{SEED_ID}?start=10&end=20", timeout=30)
    assert page.status_code == 200 and 'id="ra-hl"' in page.text
    for bad in ("0000000000000000", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "%2e%2e/%2e%2e/pyproject.toml",
                f"{SEED_ID}/../../catalog.sqlite3"):
        for prefix in ("/api/report/", "/report/"):
            assert httpx.get(f"{app_url}{prefix}{bad}", timeout=30).status_code == 404, prefix + bad


def test_auth_protects_ui_and_api(make_assistant, tmp_path, monkeypatch):
    a = make_assistant(username="ann", password="s3cret")  # an empty index: the app must start anyway
    demo, url = _launch(a, tmp_path, monkeypatch)
    try:
        body = {"question": "Anything?"}
        assert httpx.post(f"{url}/api/ask", json=body, timeout=30).status_code == 401
        wrong = base64.b64encode(b"ann:nope").decode()
        assert httpx.post(f"{url}/api/ask", json=body, headers={"authorization": f"Basic {wrong}"},
                          timeout=30).status_code == 401
        assert httpx.get(f"{url}/config", timeout=30).status_code == 401
        assert httpx.get(f"{url}/api/report/{SEED_ID}", timeout=30).status_code == 401
        r = httpx.post(f"{url}/api/ask", json=body, auth=("ann", "s3cret"), timeout=60)
        assert r.status_code == 503 and "no reports" in r.json()["error"]  # nothing ingested yet: says so, no 500
        from gradio_client import Client

        with pytest.raises(Exception):
            Client(url, verbose=False)
        client = Client(url, auth=("ann", "s3cret"), verbose=False)
        assert client.view_api(print_info=False, return_format="dict")["named_endpoints"].keys() >= {"/chat", "/ask"}
        client.close()
    finally:
        demo.close()


def test_non_loopback_without_auth_warns(make_assistant, tmp_path, monkeypatch, capsys):
    demo, _ = _launch_on(make_assistant(), "0.0.0.0", tmp_path, monkeypatch)
    demo.close()
    assert "without a login" in capsys.readouterr().err


def _launch_on(assistant, host, tmp_path, monkeypatch):
    from assistant.ui import launch

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))
    return launch(assistant, host=host, port=free_port(), prevent_thread_lock=True, quiet=True), None


def test_upload_names_cannot_escape_the_upload_folder(make_assistant, tmp_path):
    from assistant.ui import UploadHandler, safe_upload_name

    assert safe_upload_name("../../etc/passwd") == "passwd"
    assert safe_upload_name("..\\..\\x.txt") == "x.txt"
    assert safe_upload_name(".hidden.md") == "hidden.md"
    assert safe_upload_name("..") == "upload"
    a = make_assistant(upload_max_mb=1)
    handler = UploadHandler(a)
    big = tmp_path / "big.txt"
    big.write_text("x " * 600_000)
    exe = tmp_path / "tool.exe"
    exe.write_text("MZ")
    good = tmp_path / "port.md"
    good.write_text((SEED.parent.parent / "tests" / "data" / "mini" / "port-strike.md").read_text())
    rows = {name: (outcome, detail) for name, outcome, detail in handler.ingest([str(big), str(exe), str(good)])}
    assert rows["big.txt"][0] == "failed" and "upload limit" in rows["big.txt"][1]
    assert rows["tool.exe"][0] == "failed" and "not accepted" in rows["tool.exe"][1]
    assert rows["port.md"][0] == "added"
    stored = list((tmp_path / "index" / "uploads").iterdir())
    assert [p.name for p in stored] == ["port.md"]


def test_filter_form_is_checked_before_asking():
    import gradio as gr

    from assistant.ui import describe_filters, parse_filters

    assert parse_filters("", " ", []) is None
    f = parse_filters("2024-01-01", "2024-02-01", ["Harbor Gazette"])
    assert f == {"after": "2024-01-01", "before": "2024-02-01", "sources": ["Harbor Gazette"]}
    assert describe_filters(f) == ("Filters for the next questions: sources: Harbor Gazette; "
                                   "published 2024-01-01 to 2024-02-01.")
    f = parse_filters("", "", [], ["Mina Ortega", "Jane Doe, Sam Roe"])
    assert f == {"authors": ["Mina Ortega", "Jane Doe, Sam Roe"]}
    assert describe_filters(f) == "Filters for the next questions: authors: Mina Ortega; Jane Doe, Sam Roe."
    with pytest.raises(gr.Error, match="use YYYY-MM-DD"):
        parse_filters("last tuesday", "", [])
    with pytest.raises(gr.Error, match="swap them"):
        parse_filters("2024-03-01", "2024-02-01", [])


def test_date_filter_through_the_gradio_api(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    ans = client.predict("What did the council approve?", {"after": "2024-01-01"}, api_name="/ask")
    assert all(c["published"] >= "2024-01-01" for c in ans["citations"] + ans["passages"])
    with pytest.raises(Exception, match="date range is empty"):
        client.predict("Who?", {"after": "2024-02-01", "before": "2024-01-01"}, api_name="/ask")
    client.close()


def test_port_and_host_settings(monkeypatch):
    from assistant import Settings
    from assistant.ui import is_loopback, server_port

    monkeypatch.delenv("ASSISTANT_PORT", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    assert server_port(Settings()) == 7860 and Settings().host == "127.0.0.1"
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    assert server_port(Settings()) == 7999
    monkeypatch.setenv("ASSISTANT_PORT", "8123")
    assert server_port(Settings()) == 8123  # ASSISTANT_PORT wins
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
