"""Conversations: follow-up questions are retrieved with the context of the earlier turns, without an LLM.

A follow-up ("Why did it do that?", "And the other groups?", "When was that?") says too little to find its
passages on its own. ``Conversation.ask`` spots follow-ups (a leading connective, a pronoun or a bare question with
at most one content word) and passes ``Assistant.ask`` a ``context``: the entities and key terms of the previous
question and answer (and the context that turn itself carried). The user's own wording comes first in the query,
so it keeps its weight in scoring; a question that stands on its own is asked as it is.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .terms import STOPWORDS, content_words
from .types import Answer, Citation, Filters

if TYPE_CHECKING:
    from .core import Assistant

_CONNECTIVE = re.compile(
    r"^\s*(and|but|also|so|then|plus|or|what about|how about|what else|anything else|any other|tell me more|more on)\b",
    re.I)
_ANAPHORA = frozenset(
    "it its it's itself they them their theirs themselves this that these those he him his she her hers there then "
    "other others else same former latter such one ones".split())
_OTHER = re.compile(r"\b(other|others|else|rest|remaining)\b", re.I)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december".split())
_PLURAL_QUESTION = re.compile(r"^\s*(which|what)\s+(\w+\s+)?\w+s\b|\bwho (are|were)\b|^\s*(list|name)\b", re.I)
_MARKER = re.compile(r"\s*\[\d+\]")
# A run of capitalised words, possibly joined by a few lower-case particles ("Islamic Resistance in Iraq").
_ENTITY = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|in|the|al|el|bin|de|du|la|von|van)\s+)*[A-Z][\w'’-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n)\s*[\"“'‘(]*$")

MAX_ENTITIES = 6
MAX_CONTEXT_WORDS = 24


@dataclass
class Turn:
    """One exchange: the user's question, the context added for retrieval (None if it stood alone), the answer."""

    question: str
    answer: Answer
    context: str | None = None
    filters: Filters | dict | None = None

    @property
    def retrieval_query(self) -> str:
        """The text retrieval actually used."""
        return f"{self.question} {self.context}" if self.context else self.question


@dataclass
class Conversation:
    """The turns of one chat with an ``Assistant``; ``ask`` resolves follow-ups against the earlier turns.

    ``filters`` apply to every question unless ``ask`` is given its own. At most ``max_turns`` turns are kept.
    """

    assistant: "Assistant"
    filters: Filters | dict | None = None
    max_turns: int = 50
    turns: list[Turn] = field(default_factory=list)

    def ask(self, question: str, filters: Filters | dict | None = None, top_k: int | None = None) -> Answer:
        """Answer ``question`` in the context of the earlier turns and remember the exchange."""
        context = self.context_for(question)
        used = filters if filters is not None else self.filters
        answer = self.assistant.ask(question, filters=used, top_k=top_k, context=context)
        self.turns.append(Turn(answer.question, answer, context, used))
        del self.turns[: -self.max_turns]
        return answer

    def reset(self) -> None:
        """Forget the earlier turns (the filters stay)."""
        self.turns.clear()

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def sources(self) -> list[Citation]:
        """The citations of the last answer (empty after a refusal or before the first question)."""
        return list(self.last.answer.citations) if self.last else []

    def context_for(self, question: str) -> str | None:
        """The text added to ``question`` for retrieval, or None when it stands on its own (or nothing came before)."""
        if not self.turns or not is_follow_up(question):
            return None
        prev = self.turns[-1]
        own = {w.casefold() for w in content_words(question)}
        parts: list[str] = []
        named = answer_entities(prev.answer) if not prev.answer.refused else []
        if _OTHER.search(question):  # "the other groups": not the ones just named
            own |= {w.casefold() for name in named for w in name.split()}
        else:
            parts.extend(named)
        parts.extend(content_words(prev.question))
        if prev.context:  # a chain of follow-ups keeps the topic of the question that started it
            parts.extend(prev.context.split())
        words, seen = [], set(own)
        for part in parts:
            for w in part.split():
                key = w.casefold()
                if key in seen or key in STOPWORDS:
                    continue
                seen.add(key)
                words.append(w)
        return " ".join(words[:MAX_CONTEXT_WORDS]) or None


def is_follow_up(question: str) -> bool:
    """A question that leans on earlier turns: a leading connective, a pronoun, or at most one content word."""
    if _CONNECTIVE.match(question):
        return True
    tokens = {t.casefold().replace("’", "'") for t in re.findall(r"[\w'’]+", question)}
    if tokens & _ANAPHORA:
        return True
    return len(content_words(question)) <= 1


def answer_entities(answer: Answer, limit: int = MAX_ENTITIES) -> list[str]:
    """The names an answer is about, most frequent (then earliest) first: for a question asking for several things
    ("Which groups ...") those of every sentence, else those of the first (best-supported) sentence and the names
    the other sentences repeat.

    A single capitalised word at the start of a sentence counts only if it is also capitalised elsewhere."""
    lines = [ln for ln in _MARKER.sub("", answer.text).split("\n") if ln.strip()]
    text = "\n".join(lines)
    per_line = [set(_names(ln, text)) for ln in lines]
    if _PLURAL_QUESTION.search(answer.question):
        keep = set().union(*per_line)
    else:
        keep = set(per_line[0]) if per_line else set()
    keep |= {n for n, c in Counter(n for names in per_line for n in names).items() if c >= 2}
    ranked = [n for n in _names(text, text) if n in keep]
    out: list[str] = []
    for name in ranked:
        if any(name in o for o in out):
            continue
        out.append(name)
        if len(out) >= limit:
            break
    return out


def _names(text: str, whole: str) -> list[str]:
    """Capitalised runs of ``text``, most frequent, then multi-word, then earliest first (``whole``: the text to check
    sentence-initial single words against)."""
    found: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in _ENTITY.finditer(text):
        name = m.group(0).strip("'’-")
        at_start = _SENTENCE_START.search(text[: m.start()]) is not None
        if " " not in name:
            if (name.casefold() in STOPWORDS or name.casefold() in _CALENDAR
                    or (at_start and not _capitalised_elsewhere(name, whole))):
                continue
        elif at_start:
            head, _, rest = name.partition(" ")
            if head.casefold() in STOPWORDS:
                name = rest
        found[name] += 1
        first.setdefault(name, m.start())
    return sorted(found, key=lambda n: (-found[n], " " not in n, first[n]))  # multi-word names are more specific


def _capitalised_elsewhere(word: str, text: str) -> bool:
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        if _SENTENCE_START.search(text[: m.start()]) is None:
            return True
    return False
