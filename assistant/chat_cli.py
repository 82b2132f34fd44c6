"""``report-assistant chat``: a terminal conversation over the public API (``Assistant.chat``).

Commands: ``/sources`` (the last answer's citations with their quotes), ``/history`` (the turns so far, with the
context each follow-up was retrieved with), ``/reset`` (forget the turns), ``/help``, ``/quit``.
"""
from __future__ import annotations

import sys
from typing import Callable, TextIO

from .conversation import Conversation
from .errors import AssistantError

HELP = "Ask a question, or: /sources  /history  /reset  /help  /quit"


def format_answer(conv: Conversation) -> str:
    ans = conv.last.answer
    lines = [ans.text]
    if ans.refused and ans.passages:
        lines.append("Closest passages:")
        lines += [f"  - {p.title} ({p.source or 'unknown source'}, {p.published or 'undated'})" for p in ans.passages[:3]]
    elif ans.citations:
        lines.append("(" + "; ".join(f"[{c.n}] {c.title}" for c in ans.citations) + ")  /sources for the quotes")
    return "\n".join(lines)


def format_sources(conv: Conversation) -> str:
    if not conv.turns:
        return "No answer yet."
    cites = conv.sources()
    if not cites:
        return "The last answer cites nothing (it was a refusal)."
    return "\n".join(f"[{c.n}] {c.title} ({c.source or 'unknown source'}, {c.published or 'undated'}) "
                     f"chars {c.start}-{c.end} {c.url}\n    \u201c{c.quote}\u201d" for c in cites)


def format_history(conv: Conversation) -> str:
    if not conv.turns:
        return "No turns yet."
    out = []
    for i, t in enumerate(conv.turns, 1):
        out.append(f"{i}. {t.question}" + (f"   [retrieved with: {t.context}]" if t.context else ""))
        out.append("   " + ("(refused)" if t.answer.refused else t.answer.text.split("\n")[0][:160]))
    return "\n".join(out)


def repl(conv: Conversation, read: Callable[[str], str] = input, out: TextIO = sys.stdout) -> int:
    """Read questions until /quit or end of input; every answer and error goes to ``out``."""
    print(HELP, file=out)
    while True:
        try:
            line = read("you> ").strip()
        except EOFError:
            print(file=out)
            return 0
        if not line:
            continue
        cmd = line.lower()
        if cmd in ("/quit", "/exit", "/q"):
            return 0
        if cmd == "/help":
            print(HELP, file=out)
        elif cmd == "/reset":
            conv.reset()
            print("(conversation reset)", file=out)
        elif cmd == "/sources":
            print(format_sources(conv), file=out)
        elif cmd == "/history":
            print(format_history(conv), file=out)
        elif cmd.startswith("/"):
            print(f"unknown command {line!r}; {HELP}", file=out)
        else:
            try:
                conv.ask(line)
            except AssistantError as exc:
                print(f"error: {exc}", file=out)
                continue
            print(format_answer(conv), file=out)


def run(filters: dict | None = None) -> int:
    from .cli import warn_if_outdated
    from .core import Assistant

    a = Assistant.open()
    warn_if_outdated(a)
    return repl(a.chat(filters=filters or None))
