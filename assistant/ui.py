"""The chat UI (Gradio): only calls the public API and renders what it returns."""
from __future__ import annotations

import html
import os

from . import _offline  # noqa: F401
from .core import Assistant
from .errors import AssistantError
from .types import Answer


def render_sources(ans: Answer) -> str:
    """Markdown list of the citations (or the closest passages of a refusal); report text is escaped."""
    if ans.refused:
        lines = ["**The reports do not contain an answer.** Closest passages:"]
        for p in ans.passages[:3]:
            lines.append(f"- *{html.escape(p.title)}* ({html.escape(p.source or 'unknown source')}, {p.published or 'undated'}): "
                         f"{html.escape(' '.join(p.text.split())[:240])}…")
        return "\n".join(lines)
    lines = ["**Sources**"]
    for c in ans.citations:
        link = f" [link]({html.escape(c.url)})" if c.url.startswith(("http://", "https://")) else ""
        lines.append(f"{c.n}. *{html.escape(c.title)}*, {html.escape(c.source or 'unknown source')}, "
                     f"{c.published or 'undated'}{link}: “{html.escape(c.quote)}”")
    return "\n".join(lines)


def build_ui(assistant: Assistant):
    import gradio as gr

    def respond(message: str, history: list):
        try:
            ans = assistant.ask(message)
        except AssistantError as exc:
            return f"⚠️ {html.escape(str(exc))}"
        body = html.escape(ans.text) if not ans.refused else f"**{html.escape(ans.text)}**"
        return f"{body}\n\n{render_sources(ans)}"

    return gr.ChatInterface(respond, title="Report Assistant", api_name="chat",
                            description="Ask questions of your reports; every sentence cites its source.")


def launch(assistant: Assistant, **kwargs):
    s = assistant.settings
    port = s.port if "ASSISTANT_PORT" in os.environ or "GRADIO_SERVER_PORT" not in os.environ else int(os.environ["GRADIO_SERVER_PORT"])
    auth = (s.username, s.password.get_secret_value()) if s.username else None
    demo = build_ui(assistant)
    return demo.launch(server_name=s.host, server_port=port, auth=auth, share=False, **kwargs)
