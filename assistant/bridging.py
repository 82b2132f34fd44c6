"""Bridge entities: the second hop of a question that asks for something it does not name.

"Who is the individual tried for fraud, who convinced a former colleague from Jane Street to join him at Alameda?"
names neither the person nor the reports; each clause is a fact from a different report. The first passages found
for the whole question mostly share one name (here "Bankman-Fried"): the likely answer. Searching each clause again
together with that name finds the report that tells that clause about that entity, which the clause's own words
alone rank below reports about other people.
"""
from __future__ import annotations

import math
import re
from typing import Sequence

from .terms import STOPWORDS, fold, words

# "Who is ...", "Which company ...", "What organization ...": the question asks for an entity it does not name
_ASKS_FOR_ENTITY = re.compile(r"^\W*(?:who|whom|whose|which|what)\b", re.IGNORECASE)
# every upper-case letter below U+2000: Latin, Greek, Cyrillic, Armenian, Georgian ("Élysée", "Łukasz",
# "Зеленский")
UPPER = "".join(chr(c) for c in range(0x2000) if chr(c).isupper() and chr(c).isalpha())
_CAPITALISED = re.compile(r"\b[" + re.escape(UPPER) + r"][\w’'\-]*[^\W_]")
_POSSESSIVE = re.compile(r"'s?$")
_SENTENCE_END = set(".!?:;\"“”'‘’—–-([\n")  # a word right after one of these (spaces aside) starts a sentence


def asks_for_entity(question: str) -> bool:
    return bool(_ASKS_FOR_ENTITY.match(question))


def starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` starts a sentence: the character before it, spaces skipped, ends one (or none)."""
    i = at - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def names(text: str) -> list[str]:
    """Capitalised words in the middle of a sentence (a sentence's first word is capitalised whatever it is), folded,
    without stopwords, each once, in order."""
    out: dict[str, None] = {}
    for m in _CAPITALISED.finditer(text):
        if starts_sentence(text, m.start()):
            continue
        word = _POSSESSIVE.sub("", fold(m.group(0)).replace("’", "'"))  # "O’Brien’s" -> "o'brien"
        if len(word) > 1 and word not in STOPWORDS:
            out[word] = None
    return list(out)


def bridge_name(question: str, passages: Sequence[tuple[str, str]], min_share: float = 0.5,
                min_reports: int = 3) -> str | None:
    """The name most of the passages' reports share and the question does not use, or None.

    ``passages`` are ``(report_id, text)`` pairs; a name counts once per report. It must occur in at least
    ``min_share`` of the distinct reports and in at least ``min_reports`` of them; ties go to the name seen first."""
    asked = {w.split("'")[0] for w in words(question)}
    per_report: dict[str, dict[str, None]] = {}
    for rid, text in passages:
        per_report.setdefault(rid, {}).update(dict.fromkeys(names(text)))
    counts: dict[str, int] = {}  # in order of first sight, best passage first: max() keeps the first of a tie
    for found in per_report.values():
        for name in found:
            if name not in asked and not any(part in asked for part in re.split(r"[-']", name) if part):
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return None
    name, n = max(counts.items(), key=lambda kv: kv[1])
    return name if n >= max(min_reports, math.ceil(min_share * len(per_report))) else None
