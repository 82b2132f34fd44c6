"""The person a "Who ...?" question asks for, as the reports read name them.

"Who is the individual, once likened to Warren Buffett, who persuaded a former colleague to join him at Alameda?"
names neither the person nor the reports. The sentences that best match its clauses often refer to the person by
surname alone ("Bankman-Fried told the jury ..."), so the answer never says who it is. The person most of the
reports read name, and the question does not, is the likely answer; news style names a person in full once
("Sam Bankman-Fried") and by the surname after that, which tells a person from a company or a place.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .bridging import UPPER, starts_sentence
from .terms import STOPWORDS, fold, words

# "Who ...?", "Which individual ...?", "What pop star ...?": the question asks for a person
PERSON_NOUNS = (r"individuals?|persons?|people|man|men|woman|women|players?|quarterbacks?|athletes?|stars?|"
                r"singers?|actors?|actress(?:es)?|directors?|filmmakers?|executives?|founders?|ceos?|leaders?|"
                r"politicians?|officials?|journalists?|coach(?:es)?|celebrit(?:y|ies)|figures?|entrepreneurs?|"
                r"investors?|billionaires?|musicians?|rappers?|artists?|authors?|writers?|presidents?")
_ASKS_PERSON = re.compile(r"^\W*(?:who\b|whom\b|(?:which|what)\s+(?:[\w-]+\s+){0,2}?(%s)\b)" % PERSON_NOUNS,
                          re.IGNORECASE)
# several people: "Who are ...?", "Which individuals ...?" (a list, answered sentence by sentence)
_ASKS_PEOPLE = re.compile(r"^\W*(?:who|whom)\s+(?:are|were|have)\b", re.IGNORECASE)
_PLURAL_NOUN = re.compile(r"(?:[^s]s|people|men|women)$", re.IGNORECASE)  # "actresses", not "actress"
_ASKS_OTHER = re.compile(r"^\W*(?:who|whom|which|what)\s+(?:else|other|another)\b", re.IGNORECASE)
_TOKEN = r"[" + re.escape(UPPER) + r"][\w’'\-]*[^\W_]"
_RUN = re.compile(r"%s(?: %s)*" % (_TOKEN, _TOKEN))  # capitalised words in a row, one space apart
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_TWO_CAPITALS = re.compile(r"[" + re.escape(UPPER) + r"]{2}")
_WORD = re.compile(r"[^\W_][\w’'\-]*[^\W_]|[^\W_]")
_GENDERED = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_PRONOUN_REACH = 250
_QUOTED_MIN_REPORTS = 2  # reports that must name a person the answer's quoted sentences call by surname alone
# words that start a run of capitalised words without being part of a name ("Former FTX CEO Sam Bankman-Fried")
_TITLES = frozenset("mr mrs ms dr sir dame lord lady former then ex late judge prosecutor prosecutors attorney "
                    "general president senator rep governor minister chancellor ceo founder cofounder co-founder "
                    "chief chairman chairwoman coach quarterback star singer actor actress director".split())


@dataclass(frozen=True)
class NamedPerson:
    name: str      # the full form the reports use most ("Sam Bankman-Fried")
    reports: int   # reports read that name the person
    read: int      # reports read

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


def asks_for_person(question: str) -> bool:
    """"Who ...?", "Which pop star ...?": one person. Not "Who else ...?" or "Which other player ...?", which ask for
    someone besides the person the reports name most (in a conversation, usually the one the last answer named), and
    not "Who are ...?" or "Which players ...?", which ask for several."""
    m = _ASKS_PERSON.match(question)
    if m is None or _ASKS_OTHER.match(question) or _ASKS_PEOPLE.match(question):
        return False
    return not (m.group(1) and _PLURAL_NOUN.search(m.group(1)))


def asks_for_people(question: str) -> bool:
    """"Who are ...?", "Which US officials ...?", "What players ...?": several people (not "Which other player ...?")."""
    if _ASKS_PEOPLE.match(question):
        return True
    m = _ASKS_PERSON.match(question)
    return bool(m and m.group(1) and _PLURAL_NOUN.search(m.group(1)) and not _ASKS_OTHER.match(question))


def is_name_word(token: str) -> bool:
    """'Bankman-Fried', 'McCarthy', 'O’Brien', 'Élise': capitalised, with lower-case letters, never two capitals in a
    row (not 'FTX', 'OpenAI', 'ChatGPT'), and not a stopword ('After')."""
    return (token[0].isupper() and not token.isupper() and _TWO_CAPITALS.search(token) is None
            and fold(token) not in STOPWORDS)


_HONORIFIC = frozenset("mr mrs ms miss dr".split())
_HONORIFIC_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.\s*$")  # "Mr. Doyle": the dot ends the run before the name


@lru_cache(maxsize=4096)
def name_runs(text: str) -> tuple[tuple[tuple[str, ...], int, int, bool], ...]:
    """The runs of capitalised words in ``text``, possessives stripped, without leading titles and stopwords, and
    without a sentence's first word when the text also uses it in lower case ("Because FTX ..."): ``(tokens, start,
    end, honorific)``, where ``honorific`` says "Mr", "Ms", "Dr" ... stood right before the name (a person)."""
    runs = []
    lower = {w for w in _WORD.findall(text) if w[0].islower()}  # the words the text writes in lower case
    for m in _RUN.finditer(text):
        tokens = [_POSSESSIVE.sub("", t) for t in m.group(0).split(" ")]
        if starts_sentence(text, m.start()) and tokens[0].lower() in lower:
            tokens = tokens[1:]
        honorific = _HONORIFIC_BEFORE.search(text, max(0, m.start() - 6), m.start()) is not None
        cut = [i for i, t in enumerate(tokens) if fold(t) in _TITLES or t.isupper()]
        if cut:  # "Former FTX CEO Sam Bankman-Fried": the name follows the last title or acronym
            honorific = honorific or fold(tokens[cut[-1]]) in _HONORIFIC
            tokens = tokens[cut[-1] + 1:]
        while tokens and fold(tokens[0]) in STOPWORDS:
            tokens = tokens[1:]
        if tokens:
            runs.append((tuple(tokens), m.start() + m.group(0).index(tokens[0]), m.end(), honorific))
    return tuple(runs)


@lru_cache(maxsize=4096)
def mentions(text: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The runs of capitalised words in ``text`` (``name_runs``), each with whether a "he", "she", "his", "her", ...
    refers to it: the nearest run before the pronoun, within ``_PRONOUN_REACH`` characters (people are referred to
    so, companies and places are not). Remembered: the same passages come back for other questions."""
    runs = name_runs(text)
    # each "he" / "she" / "his" / "her" ... goes to the nearest name before it, within reach
    ends = [end for _, _, end, _ in runs]
    referred = set()
    for p in _GENDERED.finditer(text):
        i = bisect_right(ends, p.start()) - 1
        if i >= 0 and p.start() - ends[i] <= _PRONOUN_REACH:
            referred.add(i)
    return tuple((tokens, i in referred) for i, (tokens, _, _, _) in enumerate(runs))


def named_person(question: str, passages: Sequence[tuple[str, str]], min_reports: int = 3,
                 min_share: float = 0.5, quoted: Sequence[str] = ()) -> NamedPerson | None:
    """The person most of the passages' reports name and the question does not, or None.

    ``passages`` are ``(report_id, text)`` pairs. A person is a surname written both after a first name ("Sam
    Bankman-Fried": two or three name words) and alone ("Bankman-Fried said ...") in the passages, and referred to
    by "he", "she", "his", "her" ... at least once (not "Lumen Freight" ... "Freight"); a report counts when it uses
    either form. The person must be named by at least ``min_reports`` reports and ``min_share`` of those read; ties
    go to the one seen first. None too when more reports use another surname, written alone and referred to so, but
    never in full in these passages: the passages may call the person asked for "Bankman-Fried" only, and name
    someone else in full.

    When no one is named by that many reports, and the answer's ``quoted`` sentences use a surname alone ("At its
    first developer conference last week, Altman was the main speaker ..."): that surname's person, if the passages
    write it in full and refer to it by "he" / "she", and at least ``_QUOTED_MIN_REPORTS`` reports name it. The
    quoted sentences are the best evidence found; the passages say who "Altman" is."""
    asked = {part for w in words(question) for part in re.split(r"[-']", w) if part}
    full: dict[str, Counter] = {}   # surname -> its full forms
    alone: set[str] = set()         # surnames also written alone
    referred: set[str] = set()      # surnames followed by a gendered pronoun
    naming: dict[str, set[str]] = {}
    for rid, text in passages:
        for tokens, gendered in mentions(text):
            if not is_name_word(tokens[-1]):
                continue
            key = fold(tokens[-1])
            if any(part in asked for t in tokens for part in re.split(r"[-'’]", fold(t)) if part):
                continue  # the question names it: not what it asks for
            if len(tokens) == 1:
                alone.add(key)
            elif len(tokens) <= 3 and all(is_name_word(t) for t in tokens):
                full.setdefault(key, Counter())[" ".join(tokens)] += 1
            else:
                continue
            naming.setdefault(key, set()).add(rid)
            if gendered:
                referred.add(key)
    read = len({rid for rid, _ in passages})
    need = max(min_reports, math.ceil(min_share * read))
    persons = [(k, len(r)) for k, r in naming.items() if k in full and k in alone and k in referred]
    people = [(k, n) for k, n in persons if n >= need]
    if not people and quoted:
        said = {fold(tokens[0]) for q in quoted for tokens, _ in mentions(q) if len(tokens) == 1}
        people = [(k, n) for k, n in persons if k in said and n >= _QUOTED_MIN_REPORTS]
    if not people:
        return None
    key, n = max(people, key=lambda kn: kn[1])  # max() keeps the first of a tie: the one seen first
    if any(len(r) > n for k, r in naming.items() if k in alone and k in referred and k not in full):
        return None  # more reports use a surname never written in full here ("Bankman-Fried"): it may be the one
    name = max(full[key].items(), key=lambda fc: fc[1])[0]
    return NamedPerson(name=name, reports=n, read=read)
