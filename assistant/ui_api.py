"""Plain HTTP routes beside the Gradio app: ``POST /api/ask``, ``GET /api/report/<id>``, ``GET /report/<id>``.

Each maps errors to a JSON body and a 4xx status (never a traceback), and, when the app has a login, accepts HTTP
Basic credentials or the browser's Gradio session cookie.
"""
import base64
import binascii
import re
import secrets

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from .core import Assistant
from .errors import AssistantError, InputError
from .ui_render import report_page

REPORT_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_BODY_BYTES = 64_000


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


class Guard:
    """Who may call the routes: anyone without a login; otherwise Basic auth or a logged-in Gradio session."""

    def __init__(self, auth: tuple[str, str] | None):
        self.auth = auth

    def allowed(self, request: Request) -> bool:
        if self.auth is None:
            return True
        app = request.app  # the Gradio app: its login tokens and cookie name
        tokens = getattr(app, "tokens", {}) or {}
        cookie_id = getattr(app, "cookie_id", "")
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            token = request.cookies.get(name)
            if token and token in tokens:
                return True
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return (secrets.compare_digest(user.encode(), self.auth[0].encode())
                    and secrets.compare_digest(password.encode(), self.auth[1].encode()))
        return False

    def denied(self) -> JSONResponse:
        return _error(401, "authentication required: send HTTP Basic credentials (the app's username and password)",
                      **{"WWW-Authenticate": 'Basic realm="report-assistant"'})


def routes(assistant: Assistant, auth: tuple[str, str] | None) -> list[APIRoute]:
    """The routes, to be given to the Gradio app when it is created (so they exist before it serves)."""
    guard = Guard(auth)

    async def ask(request: Request) -> Response:
        if not guard.allowed(request):
            return guard.denied()
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return _error(413, f"the request body is {len(raw):,} bytes; the limit is {MAX_BODY_BYTES:,}")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, 'the body is not JSON; send {"question": "...", "filters": {...}}')
        if not isinstance(body, dict):
            return _error(400, 'the body must be a JSON object such as {"question": "..."}')
        unknown = set(body) - {"question", "filters", "top_k"}
        if unknown:
            return _error(400, f"unknown key(s) {sorted(unknown)}; use question, filters, top_k")
        question, filters, top_k = body.get("question"), body.get("filters"), body.get("top_k")
        if not isinstance(question, str):
            return _error(400, 'the "question" field is missing or not text')
        if filters is not None and not isinstance(filters, dict):
            return _error(400, '"filters" must be an object such as {"sources": ["The National"], "after": "2024-01-01"}')
        if top_k is not None and (not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= 100):
            return _error(400, '"top_k" must be a whole number from 1 to 100')
        try:
            answer = await run_in_threadpool(assistant.ask, question, filters or None, top_k)
        except InputError as exc:
            return _error(400, str(exc))
        except AssistantError as exc:
            return _error(503, str(exc))
        except Exception as exc:  # noqa: BLE001  (an unexpected fault: a message, never a traceback)
            return _error(500, f"internal error ({type(exc).__name__}); see the server log")
        return JSONResponse(answer.to_dict())

    def _article(request: Request, report_id: str):
        if not REPORT_ID.match(report_id):
            return None
        return assistant.report(report_id)

    async def report_json(request: Request, report_id: str) -> Response:
        if not guard.allowed(request):
            return guard.denied()
        art = await run_in_threadpool(_article, request, report_id)
        if art is None:
            return _error(404, "no such report")
        return JSONResponse({"id": art.id, "title": art.title, "source": art.source, "published": art.date_str or None,
                             "url": art.url, "author": art.author, "text": art.text})

    async def report_html(request: Request, report_id: str) -> Response:
        if not guard.allowed(request):
            return guard.denied()
        art = await run_in_threadpool(_article, request, report_id)
        if art is None:
            return HTMLResponse("<!doctype html><title>Not found</title><p>No such report.</p>", status_code=404)
        start, end = _int(request.query_params.get("start")), _int(request.query_params.get("end"))
        return HTMLResponse(report_page(art, start, end),
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})

    return [APIRoute("/api/ask", ask, methods=["POST"], include_in_schema=False),
            APIRoute("/api/report/{report_id:path}", report_json, methods=["GET"], include_in_schema=False),
            APIRoute("/report/{report_id:path}", report_html, methods=["GET"], include_in_schema=False)]


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
