"""Sentence spans with exact character offsets (no framework: a rule-based splitter tuned for news text)."""
from __future__ import annotations

import re
from functools import lru_cache

from .terms import content_stems

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt",
    "cmdr", "adm", "maj", "mt", "vs", "etc", "inc", "corp", "ltd", "co", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "approx",
    "dept", "est", "fig", "rev", "hon", "pres", "supt", "ave", "blvd",
}
# End punctuation, optional closing quotes/brackets, then whitespace and a likely sentence start.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_abbreviation(line: str, dot_pos: int) -> bool:
    if line[dot_pos] != ".":
        return False
    m = _WORD_BEFORE.search(line, 0, dot_pos)
    if not m:
        return False
    word = m.group(1).rstrip(".").lower()
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1  # an initial such as "John F. Kennedy"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans ``(s, e)`` of the sentences in ``text[start:end]``, offsets into ``text``, whitespace trimmed.

    Every line break ends a sentence (news reports put one paragraph on a line).
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        _split_line(text, pos, line_end, spans)
        pos = line_end + 1
    return spans


def _split_line(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    line = text[start:end]
    cut = 0
    for m in _BOUNDARY.finditer(line):
        first_punct = m.start()
        if m.group(0)[0] == "." and len(m.group(0).rstrip("\"'”’)]")) == 1 and _is_abbreviation(line, first_punct):
            continue
        _add(text, start + cut, start + m.end(), out)
        cut = m.end()
    _add(text, start + cut, end, out)


def _add(text: str, s: int, e: int, out: list[tuple[int, int]]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        out.append((s, e))


@lru_cache(maxsize=20_000)
def sentence_stems(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """``(s, e, content stems)`` of each sentence of ``text`` (``sentence_spans`` order), remembered for the last
    20,000 texts: retrieval's re-scoring and the answerer read the same passages' sentences, and a passage comes back
    question after question."""
    return tuple((s, e, frozenset(content_stems(text[s:e]))) for s, e in sentence_spans(text))
