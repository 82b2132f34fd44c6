"""Who a sentence's "he" or "she" is.

News names a speaker once and then writes "he said", "She added that ...": "He added that US adversaries do not have
a 'one-and-done mindset', suggesting he expected attacks to continue." answers "Does Lloyd Austin expect the attacks
to stop?" only for a reader who knows "he" is Mr Austin, named three paragraphs before. The answerer counts the name
of the person a sentence's pronoun refers to as words the sentence holds.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .person_names import _is_name_word, name_runs
from .sentences import sentence_spans
from .terms import fold

_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
_SPEECH = r"(?:said|says|told|tells|added|adds|wrote|writes|testified|explained|noted|argued|insisted|stated|asked)"
_SPEECH_AFTER = re.compile(r"[\s,]*(?:[^.!?\n]{0,120},\s*)?" + _SPEECH + r"\b")  # "Chris Doyle, the director of ..., said"
_SPEECH_BEFORE = re.compile(r"\b(?:" + _SPEECH + r"|according to)\s*$")  # "..., said John Kirby."
_PAUSE = re.compile(r"\s*[,.;:!?—–)]")  # not "said Kataib Hezbollah's pause ..."
# "Acme Corp said ...": the last word of an organisation's name
_ORGANISATION = frozenset("""corp corporation inc ltd llc plc co company companies group holdings bank university college
    council party agency association foundation institute ministry department court committee commission fund army
    forces force league club union network times news post journal press media airlines motors labs capital partners
    ventures technologies systems studios games records pictures entertainment""".split())
# "the Kataib Hezbollah group", "the Council for Arab-British Understanding": not a person
_THING_BEFORE = re.compile(r"\b(?:the|of|for|in|at|from|on)\s+$", re.IGNORECASE)
REACH = 600  # characters back from the sentence to the name


def _key(tokens: tuple[str, ...]) -> str:
    return fold(tokens[-1])


@lru_cache(maxsize=4096)
def referents(text: str) -> dict[int, tuple[str, ...]]:
    """Sentence start -> the name its "he" / "she" refers to, for the sentences of ``text`` that have one.

    A person is a name written with an honorific ("Mr Austin"), next to a verb of saying ("Kirby said", "said John
    Kirby", "Chris Doyle, the director of ..., said"), or in full and by surname alone in ``text``. The pronoun refers
    to the last person named before its sentence, within ``REACH`` characters, and a sentence naming a person before
    its pronoun ("Kirby said he ...") has none: it names its person itself. The name given is the longest form the
    text writes (two or three name words) ending in that surname."""
    runs = name_runs(text)
    alone = {_key(t) for t, _, _, _ in runs if len(t) == 1}
    full: dict[str, tuple[str, ...]] = {}
    titled: set[str] = set()
    persons: set[str] = set()
    things: set[str] = set()
    for tokens, start, end, honorific in runs:
        if not _is_name_word(tokens[-1]) or fold(tokens[-1]) in _ORGANISATION:
            continue
        key = _key(tokens)
        trimmed = len(tokens) > 3
        if trimmed:  # "Defence Secretary Lloyd Austin": the name is the last two words
            tokens = tokens[-2:]
        named = len(tokens) >= 2 and all(_is_name_word(t) for t in tokens)
        if named and len(tokens) > len(full.get(key, ())):
            full[key] = tokens
        if honorific:
            titled.add(key)
        elif named and (key in alone or _SPEECH_AFTER.match(text, end)
                        or (_SPEECH_BEFORE.search(text, max(0, start - 20), start) and _PAUSE.match(text, end))):
            persons.add(key)
        if not trimmed and _THING_BEFORE.search(text, max(0, start - 6), start):
            things.add(key)
    persons = titled | (persons - things)
    people = [(start, tokens) for tokens, start, _, _ in runs if _key(tokens) in persons]
    out: dict[int, tuple[str, ...]] = {}
    for s, e in sentence_spans(text):
        pronoun = _PRONOUN.search(text, s, e)
        if pronoun is None:
            continue
        before = [(at, tokens) for at, tokens in people if s - REACH <= at < pronoun.start()]
        if not before or before[-1][0] >= s:  # no one named within reach, or the sentence names its own person
            continue
        tokens = before[-1][1]
        out[s] = full.get(_key(tokens), tokens)
    return out
