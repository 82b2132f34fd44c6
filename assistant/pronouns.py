"""Who a sentence's "he" or "she" is.

News names a speaker once and then writes "he said", "She added that ...": "He added that US adversaries do not have
a 'one-and-done mindset', suggesting he expected attacks to continue." answers "Does Lloyd Austin expect the attacks
to stop?" only for a reader who knows "he" is Mr Austin, named three paragraphs before. The answerer counts the name
of the person a sentence's pronoun refers to as words the sentence holds.

Organisations are referred to the same way, by what the text called them: after "The True Promise Corps, a small
group within the network, announced ...", "These attacks will continue ..., the group added" is the Corps speaking.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from .bridging import starts_sentence
from .person_names import is_name_word, name_runs
from .sentences import sentence_spans
from .terms import fold, stem, words

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
_SPEECH = r"(?:said|says|told|tells|added|adds|wrote|writes|testified|explained|noted|argued|insisted|stated|asked)"
_SAYING = re.compile(_SPEECH)
# "Chris Doyle, the director of ..., said"; not "Kataib Hezbollah said its decision ..." (a person says "his", "her")
_SPEECH_AFTER = re.compile(r"[\s,]*(?:[^.!?\n]{0,120},\s*)?" + _SPEECH + r"\b(?!\s+its\b)")
# "..., said John Kirby.", "... said State Department spokesman Matthew Miller."
_SPEECH_BEFORE = re.compile(r"\b(?:" + _SPEECH + r"|according to)\s+(?:[^.!?\n,;:“”\"]{0,50}\s)?$")
_PAUSE = re.compile(r"\s*[,.;:!?—–)]")  # not "said Kataib Hezbollah's pause ..."
# "Acme Corp said ...": the last word of an organisation's name
_ORGANISATION = frozenset("""corp corporation inc ltd llc plc co company companies group holdings bank university college
    council party agency association foundation institute ministry department court committee commission fund army
    forces force league club union network times news post journal press media airlines motors labs capital partners
    ventures technologies systems studios games records pictures entertainment""".split())
# "the Kataib Hezbollah group": not a person; "the Council for Arab-British Understanding, said": no evidence of one
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_PREPOSITION_BEFORE = re.compile(r"\b(?:of|for|in|at|from|on)\s+$", re.IGNORECASE)
REACH = 600  # characters back from the sentence to the name
# what a text calls an organisation, then refers to it by: "the group added", "the company said"
_KIND_NOUNS = (r"group|militia|faction|organi[sz]ation|movement|network|coalition|alliance|company|firm|startup|"
               r"agency|union|party|team|club|bank|exchange|newspaper|broadcaster|ministry|committee")
# "The True Promise Corps, a small group within the network": a word or two between (not "the director of the ...")
# "a", not "the": "Initially, the company ..." starts a clause
_TYPED_AFTER = re.compile(r",\s+an?\s+(?:(?!of\b)[\w'’-]+\s+){0,2}?(%s)\b" % _KIND_NOUNS, re.IGNORECASE)
# "an umbrella group called the Islamic Resistance in Iraq"
_TYPED_BEFORE = re.compile(r"\b(%s)\s+(?:called|named|known\s+as)\s+(?:the\s+)?$" % _KIND_NOUNS, re.IGNORECASE)
_THE_KIND = re.compile(r"\bthe\s+(%s)\b(?!\s+of\b)" % _KIND_NOUNS, re.IGNORECASE)  # not "the group of militias"


def _key(tokens: tuple[str, ...]) -> str:
    return fold(tokens[-1])


@lru_cache(maxsize=4096)
def people(text: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Where ``text`` names a person: ``(start, name)``, in order, the name in the longest form the text writes (two
    or three name words) ending in that surname.

    A person is a name written with an honorific ("Mr Austin"), or one the text writes in full (two or three name
    words) and either next to a verb of saying ("Kirby said", "said John Kirby.", "Chris Doyle, the director of ...,
    said") or also by surname alone. A mention right after "of", "for", "in", "at", "from" or "on" is no evidence
    ("the Council for Arab-British Understanding, said"; "testimony from Caroline Ellison" needs "Ellison said"
    elsewhere), and a name the text ever writes after "the" ("the Kataib Hezbollah group") or ending in an
    organisation's word ("Acme Corp") is none."""
    runs = name_runs(text)
    full: dict[str, tuple[str, ...]] = {}
    alone: set[str] = set()
    clean_full: set[str] = set()
    titled: set[str] = set()
    speaking: set[str] = set()
    things: set[str] = set()
    for tokens, start, end, honorific in runs:
        if not is_name_word(tokens[-1]) or fold(tokens[-1]) in _ORGANISATION:
            continue
        key = _key(tokens)
        trimmed = len(tokens) > 3
        if trimmed:  # "Defence Secretary Lloyd Austin": the name is the last two words
            tokens = tokens[-2:]
        before = max(0, start - 6)
        # "testimony from Caroline Ellison", "the Council for Arab-British Understanding": no evidence of a person
        clean = trimmed or not _PREPOSITION_BEFORE.search(text, before, start)
        named = len(tokens) >= 2 and all(is_name_word(t) for t in tokens)
        if named:
            if len(tokens) > len(full.get(key, ())):
                full[key] = tokens
            if clean:
                clean_full.add(key)
        elif len(tokens) == 1:
            alone.add(key)
        if honorific:
            titled.add(key)
        elif clean and (_SPEECH_AFTER.match(text, end)
                        or (_SPEECH_BEFORE.search(text, max(0, start - 70), start) and _PAUSE.match(text, end))):
            speaking.add(key)
        if not trimmed and _THE_BEFORE.search(text, before, start):
            things.add(key)
    persons = {k for k in full if k in speaking or (k in alone and k in clean_full)}
    persons = titled | (persons - things)
    return tuple((start, full.get(_key(tokens), tokens)) for tokens, start, _, _ in runs if _key(tokens) in persons)


@lru_cache(maxsize=4096)
def referents(text: str) -> dict[int, tuple[str, ...]]:
    """Sentence start -> the person (``people``) its "he" / "she" refers to, for the sentences of ``text`` that have
    one: the last person named before its sentence, within ``REACH`` characters. A sentence naming a person before its
    pronoun ("Kirby said he ...") has none: it names its person itself."""
    named = people(text)
    return _last_named_before(text, _PRONOUN, lambda _: named)


def _last_named_before(text: str, word: re.Pattern, named: Callable[[re.Match], Iterable[tuple[int, tuple[str, ...]]]]
                       ) -> dict[int, tuple[str, ...]]:
    """Sentence start -> the last of ``named(match)`` (``(start, name)``, in text order) written before the first
    match of ``word`` in the sentence, within ``REACH`` characters of the sentence, for the sentences with such a
    match; none when that name is written in the sentence itself."""
    out: dict[int, tuple[str, ...]] = {}
    for s, e in sentence_spans(text):
        ref = word.search(text, s, e)
        if ref is None:
            continue
        before = [(at, name) for at, name in named(ref) if s - REACH <= at < ref.start()]
        if not before or before[-1][0] >= s:  # no one named within reach, or the sentence names its own
            continue
        out[s] = before[-1][1]
    return out


def sentences_naming(text: str, asked: frozenset[str], about: frozenset[str], window: int) -> set[int]:
    """Starts of the sentences of ``text`` that name a person (``people``) none of whose name words (stemmed) are in
    ``asked``, within ``window`` words of a word whose stem is in ``about``: the sentences that can answer "What is
    the name of the commander who travelled to Baghdad?" ("The commander, Jane Doe, travelled ..."), not one that
    names a spokesman elsewhere in it."""
    spans = sentence_spans(text)
    out: set[int] = set()
    for at, name in people(text):
        if any(stem(w) in asked for t in name for w in words(t)):
            continue
        for s, e in spans:
            if s <= at < e and s not in out and _near(text, s, e, at, about, window):
                out.add(s)
    return out


def _near(text: str, s: int, e: int, at: int, about: frozenset[str], window: int) -> bool:
    """Whether a word of ``about`` stands within ``window`` words of the name written at ``at``, or in its run of
    capitalised words ("Defence Secretary Lloyd Austin"), with no verb of saying between them ("... to kill US troops," said John Kirby: he is the
    speaker, not the one killed)."""
    tokens = [(m.start(), m.group(0)) for m in _WORD.finditer(text, s, e)]
    first = next((i for i, (start, _) in enumerate(tokens) if start >= at), len(tokens))
    last = first
    while last + 1 < len(tokens) and tokens[last + 1][1][:1].isupper():
        last += 1
    lower = [w.lower().replace("’", "'") for _, w in tokens]
    for i, w in enumerate(lower):  # the run itself counts: "Defence Secretary Lloyd Austin"
        if not first - window <= i <= last + window or stem(w) not in about:
            continue
        between = lower[i + 1:first] if i < first else lower[last + 1:i]
        if not any(_SAYING.fullmatch(b) for b in between):
            return True
    return False


@lru_cache(maxsize=4096)
def organisations(text: str) -> tuple[tuple[int, tuple[str, ...], frozenset[str]], ...]:
    """Where ``text`` names an organisation it calls a group, a company, ...: ``(start, name, kinds)``, in order,
    for every mention of a name the text once writes as "X, a small group ..." or "a group called X" (``kinds``: the
    words it was called by, lower case). A name right after "in", "of", ... is none ("Iraq" in "the Islamic
    Resistance in Iraq, an Iran-backed group"), nor is a single word starting a sentence. Not "the X club": there X
    is as often a place ("the Merseyside club", "the Australian team"; on the MultiHop corpus that form more than
    doubled the sentences given a name, most of the added ones wrongly)."""
    runs = name_runs(text)
    kinds: dict[str, set[str]] = {}
    for tokens, start, end, _ in runs:
        if _PREPOSITION_BEFORE.search(text, max(0, start - 6), start):  # "Iraq" in "the ... in Iraq, a group"
            continue
        if len(tokens) == 1 and starts_sentence(text, start):  # "Initially, a ...": any sentence's first word
            continue
        typed = (_TYPED_AFTER.match(text, end), _TYPED_BEFORE.search(text, max(0, start - 40), start))
        found = [m.group(1) for m in typed if m]
        if found:
            kinds.setdefault(_key(tokens), set()).update(fold(k) for k in found)
    return tuple((start, tokens, frozenset(kinds[_key(tokens)])) for tokens, start, _, _ in runs
                 if _key(tokens) in kinds)


@lru_cache(maxsize=4096)
def organisation_referents(text: str) -> dict[int, tuple[str, ...]]:
    """Sentence start -> the organisation its "the group" / "the company" ... refers to: the last one named before it,
    within ``REACH`` characters, that the text called by that word (``organisations``). A sentence naming such an
    organisation before the words has none: it names it itself."""
    named = organisations(text)
    return _last_named_before(text, _THE_KIND,
                              lambda ref: [(at, name) for at, name, kinds in named if fold(ref.group(1)) in kinds])
