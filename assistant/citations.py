"""Citation checks: every citation must quote its report exactly at its offsets and come from a retrieved passage."""
from __future__ import annotations

from typing import Callable

from .answering import REFUSAL
from .types import Answer

TextLookup = Callable[[str], str | None]


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
    # Renumber: keep only the answer lines whose marker survived.
    lines, citations = [], []
    for new_n, c in enumerate(kept, 1):
        line = next((ln for ln in answer.text.split("\n") if ln.endswith(f"[{c.n}]")), f"{c.quote} [{c.n}]")
        lines.append(line[: -len(f"[{c.n}]")] + f"[{new_n}]")
        citations.append(type(c)(**{**c.__dict__, "n": new_n}))
    return Answer(question=answer.question, text="\n".join(lines), citations=citations, passages=answer.passages,
                  refused=False, confidence=answer.confidence, timings=answer.timings)
