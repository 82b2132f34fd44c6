"""Checking what a user asks: the question text and the filters."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from .errors import InputError
from .types import Filters

MAX_QUESTION_CHARS = 2000


def check_question(question: Any) -> str:
    if not isinstance(question, str):
        raise InputError(f"the question must be text, got {type(question).__name__}")
    q = " ".join(question.split())
    if not q:
        raise InputError("the question is empty; type a question about the reports")
    if not any(ch.isalnum() for ch in q):
        raise InputError(f"the question {q[:40]!r} has no words, only punctuation or symbols; type a question about the reports")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(q):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: shorten it")
    return q


def check_top_k(top_k: Any) -> int | None:
    """``None`` (the default) or a whole number of passages, at least 1."""
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise InputError(f"top_k must be a whole number of at least 1, got {top_k!r}")
    return top_k


def parse_filters(value: Filters | dict | None, known_sources: Iterable[str],
                  known_authors: Iterable[str] = ()) -> Filters:
    """Filters from a Filters object or a dict ``{"sources": [...], "authors": [...], "after": "YYYY-MM-DD",
    "before": ...}``; sources and authors are matched to the stored names (any case)."""
    if value is None:
        return Filters()
    if isinstance(value, Filters):
        raw = {"sources": list(value.sources), "authors": list(value.authors), "after": value.after,
               "before": value.before, "reports": list(value.reports)}
    elif isinstance(value, dict):
        unknown = set(value) - {"sources", "source", "authors", "author", "after", "before"}
        if unknown:
            raise InputError(f"unknown filter key(s) {sorted(unknown)}; use sources, authors, after, before")
        raw = dict(value)
    else:
        raise InputError(f"filters must be a dict or Filters, got {type(value).__name__}")
    sources = _known(raw.get("sources", raw.get("source")), known_sources, "source")
    authors = _known(raw.get("authors", raw.get("author")), known_authors, "author")
    after, before = _date(raw.get("after"), "after"), _date(raw.get("before"), "before")
    if after and before and after > before:
        raise InputError(f"the date range is empty: after {after} is later than before {before}; swap them")
    return Filters(sources=sources, after=after, before=before, authors=authors, reports=tuple(raw.get("reports") or ()))


def _known(names: Any, known: Iterable[str], kind: str) -> tuple[str, ...]:
    """The stored spelling of each name (matched in any case); an unknown name raises, listing the known ones."""
    if isinstance(names, str):
        names = [names]
    by_fold = {s.casefold(): s for s in known}
    resolved = []
    for s in names or []:
        if not isinstance(s, str) or s.strip().casefold() not in by_fold:
            listed = ", ".join(sorted(by_fold.values())[:20]) or "none (ingest reports first)"
            raise InputError(f"unknown {kind} {s!r}; known {kind}s: {listed}")
        resolved.append(by_fold[s.strip().casefold()])
    return tuple(resolved)


def _date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InputError(f"{name} date {value!r} is not a date; use YYYY-MM-DD") from None
