"""Citation checks: every citation must quote its report exactly at its offsets and come from a retrieved passage."""
from __future__ import annotations

import re
from typing import Callable

from .answering import REFUSAL
from .types import Answer

TextLookup = Callable[[str], str | None]
_MARKER = re.compile(r"\[(\d+)\]")
_LAST_MARKER = re.compile(r"\[(\d+)\]$")


def citation_holds(report_text: str | None, start: int, end: int, quote: str) -> bool:
    return report_text is not None and 0 <= start < end <= len(report_text) and report_text[start:end] == quote


def verify(answer: Answer, report_text: TextLookup) -> Answer:
    """Drop citations that fail the offset check or cite a report outside the answer's passages.

    An answer left without any citation becomes a refusal: an uncited claim is never returned.
    """
    if answer.refused:
        return answer
    retrieved = {p.report_id for p in answer.passages}
    texts: dict[str, str | None] = {}
    kept = []
    for c in answer.citations:
        if c.report_id not in texts:
            texts[c.report_id] = report_text(c.report_id)
        if c.report_id in retrieved and citation_holds(texts[c.report_id], c.start, c.end, c.quote):
            kept.append(c)
    if len(kept) == len(answer.citations):
        return answer
    if not kept:
        return Answer(question=answer.question, text=REFUSAL, passages=answer.passages, refused=True,
                      confidence=answer.confidence, timings=answer.timings)
    # Renumber, keeping the lines whose markers all survived. A line ending in a marker ("<quote> [2]"; the person
    # line shares its marker with its quote's line) is judged by that marker alone, since a quote may hold brackets
    # of its own; another line by all its markers (the publication-order line), or kept when it has none. A kept
    # citation that no line marks gets a line of its own.
    renumber = {c.n: new_n for new_n, c in enumerate(kept, 1)}
    lines = []
    for line in answer.text.split("\n"):
        last = _LAST_MARKER.search(line)
        if last:
            if int(last.group(1)) in renumber:
                lines.append(f"{line[:last.start()]}[{renumber[int(last.group(1))]}]")
        elif all(int(n) in renumber for n in _MARKER.findall(line)):
            lines.append(_MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]", line))
    shown = {int(m.group(1)) for line in lines if (m := _LAST_MARKER.search(line))}
    lines.extend(f"{c.quote} [{renumber[c.n]}]" for c in kept if renumber[c.n] not in shown)
    citations = [type(c)(**{**c.__dict__, "n": renumber[c.n]}) for c in kept]
    return Answer(question=answer.question, text="\n".join(lines), citations=citations, passages=answer.passages,
                  refused=False, confidence=answer.confidence, timings=answer.timings)
