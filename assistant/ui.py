"""The chat UI (Gradio): parses input, calls the public API (``Assistant``, ``Conversation``), renders the result.

No retrieval and no prompts here. Layout: a Chat tab (streamed cited answers, Sources under each, filters beside,
an in-page report viewer) and a Reports tab (the ingested reports, uploads, index totals). Programmatic access:
the Gradio API endpoints ``/chat`` (a conversation per client session) and ``/ask`` (the ``Answer`` as JSON), and
the plain routes of ``ui_api``.
"""
import datetime as dt
import ipaddress
import os
import re
import shutil
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

from . import _offline  # noqa: F401  (before gradio is imported)

import gradio as gr  # noqa: E402

from . import ui_render as R  # noqa: E402
from .conversation import Conversation  # noqa: E402
from .core import Assistant  # noqa: E402
from .errors import AssistantError, IndexUnavailable  # noqa: E402
from .ui_api import routes  # noqa: E402

MAX_SESSIONS = 1000
STREAM_DELAY = 0.04  # seconds between streamed sentences


class Sessions:
    """One ``Conversation`` per browser tab or API client (Gradio's session hash), least recently used dropped."""

    def __init__(self, assistant: Assistant, limit: int = MAX_SESSIONS):
        self.assistant, self.limit = assistant, limit
        self._items: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, request: gr.Request | None) -> Conversation:
        key = getattr(request, "session_hash", None) or "default"
        with self._lock:
            conv = self._items.get(key)
            if conv is None:
                conv = self._items[key] = self.assistant.chat()
                while len(self._items) > self.limit:
                    self._items.popitem(last=False)
            self._items.move_to_end(key)
            return conv


def parse_filters(after: str, before: str, sources: list[str] | None, authors: list[str] | None = None) -> dict | None:
    """The filter dict for ``Assistant.ask`` from the form (dates checked here for an immediate message)."""
    f: dict = {}
    for name, value in (("after", after), ("before", before)):
        value = (value or "").strip()
        if value:
            try:
                f[name] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                raise gr.Error(f"'{value}' is not a date: use YYYY-MM-DD") from None
    if f.get("after") and f.get("before") and f["after"] > f["before"]:
        raise gr.Error(f"the date range is empty: {f['after']} is after {f['before']}; swap them")
    if sources:
        f["sources"] = list(sources)
    if authors:
        f["authors"] = list(authors)
    return f or None


def describe_filters(f: dict | None) -> str:
    if not f:
        return "No filters: questions search all reports."
    bits = []
    if f.get("sources"):
        bits.append("sources: " + ", ".join(f["sources"]))
    if f.get("authors"):
        bits.append("authors: " + "; ".join(f["authors"]))
    if f.get("after") or f.get("before"):
        bits.append(f"published {f.get('after') or '…'} to {f.get('before') or '…'}")
    return "Filters for the next questions: " + "; ".join(bits) + "."


def safe_upload_name(name: str) -> str:
    """A plain file name (no folders, no leading dots, only safe characters) for the upload folder."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._-")[:120]
    return base or "upload"


class UploadHandler:
    """Copies uploads into ``<data_dir>/uploads/`` (checked type, size and name) and ingests them one by one."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        s = assistant.settings
        self.folder = (Path(s.data_dir) / "uploads").resolve()
        self.max_bytes = s.upload_max_mb * 1024 * 1024
        self.types = {t.lower() if t.startswith(".") else "." + t.lower() for t in s.upload_types}

    def store(self, path: str) -> tuple[Path | None, str, str]:
        """(stored path or None, shown name, reason when refused)."""
        src = Path(path)
        name = safe_upload_name(src.name)
        ext = Path(name).suffix.lower()
        if ext not in self.types:
            return None, name, f"type {ext or '(none)'} is not accepted; use one of {', '.join(sorted(self.types))}"
        size = src.stat().st_size
        if size > self.max_bytes:
            return None, name, f"{size / 1e6:.1f} MB is over the {self.max_bytes // (1024 * 1024)} MB upload limit"
        self.folder.mkdir(parents=True, exist_ok=True)
        dest = (self.folder / name).resolve()
        if dest.parent != self.folder:
            return None, name, "the file name is not allowed"
        shutil.copyfile(src, dest)
        return dest, name, ""

    def ingest(self, paths: list[str], progress=None) -> list[tuple[str, str, str]]:
        rows = []
        for i, path in enumerate(paths):
            dest, name, reason = self.store(path)
            if dest is None:
                rows.append((name, "failed", reason))
                continue
            if progress is not None:
                progress((i, len(paths)), desc=f"ingesting {name}")
            try:
                rep = self.assistant.ingest([dest], progress=False)
            except AssistantError as exc:
                rows.append((name, "failed", str(exc)))
                continue
            outcome, detail = R.outcome(rep)
            if outcome == "failed":
                dest.unlink(missing_ok=True)
            rows.append((name, outcome, detail))
        return rows


def _text_of(content) -> str:
    """The text of a chat message's content (a string, or Gradio's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def build_ui(assistant: Assistant) -> gr.Blocks:
    sessions = Sessions(assistant)
    uploads = UploadHandler(assistant)

    def add_question(message: str, history: list):
        message = (message or "").strip()
        if not message:
            return "", history, ""
        return "", history + [{"role": "user", "content": R.esc(message)}], message

    def respond(question: str, history: list, request: gr.Request):
        if not question:
            yield history
            return
        history = history + [{"role": "assistant", "content": '<p class="ra-pending">Searching the reports…</p>'}]
        yield history
        try:
            ans = sessions.get(request).ask(question)
        except AssistantError as exc:
            hint = " You can also add files in the Reports tab." if isinstance(exc, IndexUnavailable) else ""
            history[-1]["content"] = R.render_error(f"{exc}{hint}")
            yield history
            return
        for partial in R.stream_answer(ans):
            history[-1]["content"] = partial
            yield history
            time.sleep(STREAM_DELAY)

    def new_conversation(request: gr.Request):
        sessions.get(request).reset()
        return [], ""

    def apply_filters(after: str, before: str, sources: list[str], authors: list[str], request: gr.Request):
        f = parse_filters(after, before, sources, authors)
        sessions.get(request).filters = f
        return R.esc(describe_filters(f))

    def refresh():
        stats = assistant.stats()
        return (gr.update(choices=assistant.sources()), gr.update(choices=assistant.authors()), R.totals(stats),
                R.reports_table(assistant.reports()))

    def ingest_files(files: list[str] | None, progress=gr.Progress()):
        if not files:
            return ("<p>Choose files first.</p>",) + refresh()
        rows = uploads.ingest([str(f) for f in files], progress)
        return (R.ingest_results(rows),) + refresh()

    # API: a conversation per client session (gradio_client keeps one session per Client) ...
    def chat(message: str, request: gr.Request) -> str:
        """Ask in this client's conversation (follow-ups use the earlier turns); the answer and its sources as text."""
        try:
            return R.answer_plain(sessions.get(request).ask(message))
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    # ... and single questions answered as JSON.
    def ask(question: str, filters: dict | None = None) -> dict:
        """The Answer as JSON: text, refused, citations (report_id, quote, start, end, title, source, ...), passages."""
        try:
            return assistant.ask(question, filters=filters or None).to_dict()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    upload_note = f"{', '.join(uploads.types)}; up to {assistant.settings.upload_max_mb} MB each"
    with gr.Blocks(title="Report Assistant") as demo:
        gr.Markdown("## Report Assistant\nAsk questions of the reports; every sentence of an answer cites the report "
                    "sentence it quotes. Click a `[n]` marker or a source to read the whole report.")
        pending = gr.State("")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(elem_id="ra-chat", height=560, show_label=False, latex_delimiters=[],
                                         sanitize_html=True, allow_tags=False, feedback_options=None,
                                         placeholder="Ask a question about the reports, e.g. *Which groups did not "
                                                     "suspend attacks?*")
                    with gr.Row():
                        box = gr.Textbox(placeholder="Ask a question about the reports…", show_label=False, scale=6,
                                         elem_id="ra-question", lines=1, max_lines=4, autofocus=True)
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="ra-ask")
                    new = gr.Button("New conversation", size="sm", elem_id="ra-new")
                with gr.Column(scale=1, min_width=240):
                    gr.Markdown("### Filters")
                    after = gr.Textbox(label="Published on or after", placeholder="YYYY-MM-DD", elem_id="ra-after")
                    before = gr.Textbox(label="Published on or before", placeholder="YYYY-MM-DD", elem_id="ra-before")
                    sources = gr.CheckboxGroup(label="Sources", choices=assistant.sources(), elem_id="ra-sources")
                    authors = gr.Dropdown(label="Authors", choices=assistant.authors(), multiselect=True,
                                          filterable=True, elem_id="ra-authors")
                    apply = gr.Button("Apply filters", elem_id="ra-apply")
                    filter_status = gr.Markdown(describe_filters(None), elem_id="ra-filter-status")
        with gr.Tab("Reports", elem_id="ra-reports-tab"):
            totals = gr.Markdown(elem_id="ra-totals")
            files = gr.File(label=f"Add reports ({upload_note})", file_count="multiple", type="filepath",
                            file_types=sorted(uploads.types), elem_id="ra-upload")
            ingest_btn = gr.Button("Ingest uploaded files", variant="primary", elem_id="ra-ingest")
            results = gr.HTML(elem_id="ra-ingest-results")
            table = gr.HTML(elem_id="ra-report-list")

        for trigger in (box.submit, send.click):
            trigger(add_question, [box, chatbot], [box, chatbot, pending], queue=False, api_visibility="private").then(
                respond, [pending, chatbot], [chatbot], api_visibility="private")
        new.click(new_conversation, None, [chatbot, pending], queue=False, api_visibility="private")
        apply.click(apply_filters, [after, before, sources, authors], [filter_status], api_visibility="private")
        ingest_btn.click(ingest_files, [files], [results, sources, authors, totals, table], api_visibility="private")
        demo.load(refresh, None, [sources, authors, totals, table], api_visibility="private")
        gr.api(chat, api_name="chat")
        gr.api(ask, api_name="ask")
    return demo


def server_port(settings) -> int:
    """ASSISTANT_PORT, else GRADIO_SERVER_PORT, else the settings' default."""
    if "ASSISTANT_PORT" not in os.environ and os.environ.get("GRADIO_SERVER_PORT", "").strip():
        return int(os.environ["GRADIO_SERVER_PORT"])
    return settings.port


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(assistant: Assistant, *, host: str | None = None, port: int | None = None,
           prevent_thread_lock: bool = False, **kwargs) -> gr.Blocks:
    """Serve the UI and the JSON routes on host:port from the settings (127.0.0.1:7860 by default)."""
    s = assistant.settings
    host = host or s.host
    port = port or server_port(s)
    auth = (s.username, s.password.get_secret_value()) if s.username and s.password.get_secret_value() else None
    if auth is None and not is_loopback(host):
        print(f"warning: the app listens on {host}, reachable from other machines, without a login; set "
              "ASSISTANT_USERNAME and ASSISTANT_PASSWORD to require one", file=sys.stderr)
    demo = build_ui(assistant)
    demo.queue(default_concurrency_limit=4)
    # the search copies are read while the server starts, not after the first question: until they are held, dense
    # searches go to Chroma's approximate index, and the first questions could rank a chunk differently from later ones
    threading.Thread(target=assistant.hold_in_memory, daemon=True, name="hold-in-memory").start()
    demo.launch(server_name=host, server_port=port, auth=auth, share=False, ssr_mode=False,
                prevent_thread_lock=prevent_thread_lock, max_file_size=f"{s.upload_max_mb}mb", css=R.CSS,
                head=R.VIEWER_JS, mcp_server=False, app_kwargs={"routes": routes(assistant, auth)}, **kwargs)
    return demo
