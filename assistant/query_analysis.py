"""Question analysis: which publishers, dates and time order a question names, matched against the index's own
metadata (never a hard-coded list), so retrieval can run one sub-query per named facet.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

from .dates import parse_date

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_EXPLICIT_DATE = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b")
# "an article by X", "a report from X", "X's article", "the X article"
_NAME = r"[A-Z][\w&.-]*(?:\s+(?:[A-Z][\w&.-]*|of|and|&|-|–|\|))*"
_NAMED_OUTLET = re.compile(
    rf"(?:article|report|piece|review|story|coverage|another|(?:reported|discussed|mentioned|published|described|presented|detailed))s?\s+(?:by|from|in)\s+(?P<a>(?:[Tt]he\s+)?{_NAME})(?!['’]s)"
    rf"|\b(?:[Aa]n?|[Tt]he)\s+['‘]?(?P<b>{_NAME})['’]?\s+(?:article|report|piece|review|story)s?\b"
)
LIST_QUESTION = re.compile(r"^\s*(which|what (are|were)|who (are|were)|list|name (the|all)|how many)\b", re.I)
_ORDER_LATEST = re.compile(r"\b(latest|most recent|more recent|newest|later|subsequent)\b", re.I)
_ORDER_EARLIEST = re.compile(r"\b(earliest|first|earlier|before|prior)\b", re.I)


@dataclass
class Facets:
    sources: list[str] = field(default_factory=list)  # stored sources the question names
    mentions: dict[str, int] = field(default_factory=dict)  # how often each is named ("TechCrunch ... TechCrunch" = 2)
    unknown_outlets: list[str] = field(default_factory=list)  # outlets named in the question that the index lacks
    dates: list[dt.date] = field(default_factory=list)  # explicit dates named
    order: str = ""  # "latest" | "earliest" | ""
    listing: bool = False  # asks for several items ("Which groups ...?")


class SourceMatcher:
    """Finds stored source names in a question: whole name, or its leading part before ' - ' / ' | ' / ':'."""

    def __init__(self, sources: Iterable[str]):
        self.sources = sorted(set(s for s in sources if s), key=len, reverse=True)
        aliases: dict[str, set[str]] = {}
        for s in self.sources:
            for alias in {s, re.split(r"\s+[-|:–]\s+|:\s+", s)[0]}:
                alias = alias.strip()
                if len(alias) >= 3:
                    aliases.setdefault(alias, set()).add(s)
        self._aliases = sorted(aliases.items(), key=lambda kv: -len(kv[0]))
        self._folded = {_fold(a): srcs for a, srcs in aliases.items()}

    def find(self, question: str) -> list[str]:
        return list(self.count(question))

    def count(self, question: str) -> dict[str, int]:
        """Stored sources named in the question, with how many times each is named."""
        found: dict[str, int] = {}
        taken: list[tuple[int, int]] = []
        for alias, srcs in self._aliases:
            for m in re.finditer(r"(?<![\w])" + re.escape(alias) + r"(?![\w])", question):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                for src in sorted(srcs):
                    found[src] = found.get(src, 0) + 1
        return found

    def knows(self, outlet: str) -> bool:
        f = _fold(outlet)
        return any(f == k or f in k or k in f for k in self._folded)


def analyse(question: str, matcher: SourceMatcher) -> Facets:
    mentions = matcher.count(question)
    facets = Facets(sources=list(mentions), mentions=mentions)
    for m in _NAMED_OUTLET.finditer(question):
        outlet = (m.group("a") or m.group("b") or "").strip(" .,'’")
        if outlet and _looks_like_outlet(outlet) and not matcher.knows(outlet) and not matcher.find(outlet):
            facets.unknown_outlets.append(outlet)
    for m in _EXPLICIT_DATE.finditer(question):
        d = parse_date(m.group(0))
        if d:
            facets.dates.append(d)
    facets.listing = bool(LIST_QUESTION.match(question))
    if _ORDER_LATEST.search(question):
        facets.order = "latest"
    elif _ORDER_EARLIEST.search(question):
        facets.order = "earliest"
    return facets


def _looks_like_outlet(name: str) -> bool:
    words = [w for w in re.split(r"\s+", name) if w]
    return 1 <= len(words) <= 6 and words[0][0].isupper() and name.lower() not in {"the", "a", "an"}


def _fold(s: str) -> str:
    s = re.sub(r"^(the)\s+", "", s.strip().lower())
    return re.sub(r"[^\w]+", " ", s).strip()
