"""Question analysis: which publishers, authors, dates and time order a question names, matched against the index's
own metadata (never a hard-coded list), so retrieval can run one sub-query per named facet; and the question's parts:
"Does the X article say A, while the Y article says B?" has one part per publisher, so each part's evidence is found
and cited on its own.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from .date_ranges import MONTHS as _MONTHS, Anchor, DateRange, EventDate, publication_ranges
from .dates import parse_date
from .terms import content_words

_EXPLICIT_DATE = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b")
# "an article by X", "a report from X", "X's article", "the X article"
_NAME = r"[A-Z][\w&.-]*(?:\s+(?:[A-Z][\w&.-]*|of|and|&|-|–|\|))*"
_NAMED_OUTLET = re.compile(
    rf"(?:article|report|piece|review|story|coverage|another|(?:reported|discussed|mentioned|published|described|presented|detailed))s?\s+(?:by|from|in)\s+(?P<a>(?:[Tt]he\s+)?{_NAME})(?!['’]s)"
    rf"|\b(?:[Aa]n?|[Tt]he)\s+['‘]?(?P<b>{_NAME})['’]?\s+(?:article|report|piece|review|story)s?\b"
)
LIST_QUESTION = re.compile(r"^\s*(which|what (are|were)|who (are|were)|list|name (the|all)|how many)\b", re.I)
_ORDER_LATEST = re.compile(r"\b(latest|most recent|more recent|newest|later|subsequent)\b", re.I)
# asks for the newest reporting: "the latest on X", "the most recent reports about X", "latest developments in X"
_RECENCY = re.compile(r"\b(?:latest|most recent|newest|most up-to-date)\s+(?:news|reports?|reporting|articles?|"
                      r"coverage|stor(?:y|ies)|updates?|developments?|headlines?|word|information|on|about|in)\b", re.I)
# compares reports over time ("Between the X report of ... and the later one, did the view change?")
_OVER_TIME = re.compile(r"\b(?:between|chang(?:e|es|ed|ing)|consisten(?:t|cy)|remain(?:s|ed)?|subsequent|later|earlier|"
                        r"shift(?:s|ed)?|differ(?:s|ed)?|evolv(?:e|es|ed)|still)\b", re.I)
_ORDER_EARLIEST = re.compile(r"\b(earliest|first|earlier|before|prior)\b", re.I)
# Where one clause of a question ends and the next begins ("..., while", " and ", " compared to ", ";").
_CLAUSE_BREAK = re.compile(r",?\s+(?:while|whereas|but|and|or|compared (?:to|with)|than|as opposed to|yet|however|versus)"
                           r"\s+|[;,]\s*", re.I)
_COORDINATOR = re.compile(r"\s+(?:and|or)\s+", re.I)  # a bare "and" between two pieces, no comma before it
_RANGE_WORD = re.compile(r"\b(before|after|since|until|prior to|by|from)\s+$", re.I)
_MIN_PART_WORDS = 3  # a part needs this many content words besides publisher names to be scored on its own
_MIN_CLAUSE_WORDS = 4  # a clause needs this many content words to be searched on its own


@dataclass
class Part:
    """One clause of a multi-part question and the publishers it names. ``own`` is False when the clause has too
    few words of its own ("..., as reported by X, Y and Z"): its publishers are then matched with the whole question."""

    text: str
    sources: list[str]
    own: bool = True
    dates: list[dt.date] = field(default_factory=list)  # explicit dates in the part ("published on October 7, 2023")
    clause: bool = False  # a long clause of a question naming its publishers once (``_clause_parts``)


@dataclass
class Facets:
    sources: list[str] = field(default_factory=list)  # stored sources the question names
    source_names: list[str] = field(default_factory=list)  # how the question writes them ("the NYT", "CNBC")
    authors: list[str] = field(default_factory=list)  # stored author fields naming a person the question names
    author_reports: list[str] = field(default_factory=list)  # ids of their reports (filled in by the retriever)
    mentions: dict[str, int] = field(default_factory=dict)  # how often each is named ("TechCrunch ... TechCrunch" = 2)
    unknown_outlets: list[str] = field(default_factory=list)  # outlets named in the question that the index lacks
    dates: list[dt.date] = field(default_factory=list)  # explicit dates named
    order: str = ""  # "latest" | "earliest" | ""
    recency: bool = False  # asks for the newest reporting ("What is the latest on X?")
    over_time: bool = False  # compares reports over time ("did the view change between ... and ...?")
    listing: bool = False  # asks for several items ("Which groups ...?")
    parts: list[Part] = field(default_factory=list)  # one per clause naming publishers, when it names two or more
    clauses: list[str] = field(default_factory=list)  # the long clauses of a question with two or more of them
    clause_sources: list[list[str]] = field(default_factory=list)  # the stored sources each clause names
    ranges: list[DateRange] = field(default_factory=list)  # publication-date ranges named ("reported last week")

    @property
    def preferred_ranges(self) -> list[DateRange]:
        """The date ranges whose reports retrieval and citation should prefer: all of them, unless the question
        compares reports over time ("Between the report before October 31 and the later one, did it change?"),
        where the reports outside the range are wanted too."""
        return [] if self.over_time else self.ranges


class SourceMatcher:
    """Finds stored source names in a question: the whole name, or its leading part before ' - ' / ' | ' / ':', as
    people write them. Case aside, but each capitalised word of the name capitalised in the question too ("CNBC" for
    "Cnbc | World Business News Leader", "Fox News" for "FOX News - Health"; not "the age of 16" for "The Age"); a
    leading "The" in any case, and left out when two or more words follow it ("the Sydney Morning Herald", "New York
    Times"); the initials of a name of three or more capitalised words ("NYT", "SMH") and a name's leading acronym
    ("BBC" for "BBC News - Technology"), in capitals; a one-word name without its web domain and in words ("CBS
    Sports" for "CBSSports.com")."""

    def __init__(self, sources: Iterable[str], as_written: bool = True):
        """``as_written`` False: only the stored names and their leading parts, in the stored case (as before the
        2026-11-27 evening session)."""
        self.sources = sorted(set(s for s in sources if s), key=len, reverse=True)
        aliases: dict[str, set[str]] = {}
        for s in self.sources:
            for alias in {s, re.split(r"\s+[-|:–]\s+|:\s+", s)[0]}:
                alias = alias.strip()
                if len(alias) >= 3:
                    aliases.setdefault(alias, set()).add(s)
        short: dict[str, set[str]] = {}  # initials and leading acronyms, matched in capitals only
        spelled: dict[str, set[str]] = {}  # "CBS Sports" for "CBSSports.com"
        for alias, srcs in aliases.items() if as_written else ():
            for name in _short_names(alias):
                short.setdefault(name, set()).update(srcs)
            for name in _spelled_out(alias):
                spelled.setdefault(name, set()).update(srcs)
        for name, srcs in [*spelled.items(), *short.items()]:
            if name not in aliases:
                aliases[name] = srcs
        self._aliases = sorted(aliases.items(), key=lambda kv: -len(kv[0]))
        written = "written" if as_written else "stored"
        self._patterns = [(_alias_pattern(alias, "short" if alias in short else written), alias, sorted(srcs))
                          for alias, srcs in self._aliases]
        self._folded = {_fold(a): srcs for a, srcs in aliases.items()}
        self._long = [_fold(a) for a in aliases if a not in short]  # "BBC Sport" is not known for holding "BBC"

    def find(self, question: str) -> list[str]:
        return list(self.count(question))

    def count(self, question: str) -> dict[str, int]:
        """Stored sources named in the question, with how many times each is named."""
        return _mentions(self.spans(question))

    def spans(self, question: str) -> list[tuple[int, int, list[str]]]:
        """Where the question names stored sources: ``(start, end, sources)`` in order, longest names first."""
        taken: list[tuple[int, int, list[str]]] = []
        for pattern, alias, srcs in self._patterns:
            for m in pattern.finditer(question):
                if not _capitalised_as(m.group("name"), alias):
                    continue
                if any(m.start() < e and s < m.end() for s, e, _ in taken):
                    continue
                taken.append((m.start(), m.end(), srcs))
        return sorted(taken)

    def names(self, text: str) -> bool:
        """Whether the text is a stored source's name or alias (any case, "The" aside)."""
        return _fold(text) in self._folded

    def knows(self, outlet: str) -> bool:
        f = _fold(outlet)
        return f in self._folded or any(f in k or k in f for k in self._long)


class AuthorMatcher:
    """Finds the people of the stored author fields in a question, by full name as written ("Sarah Perez"); an
    author field may name several ("Jane Doe and Sam Roe", "By Jane Doe, Sam Roe"). Names of one word, and names that
    are also a publisher's ("The New York Times" as author), are left to the source matcher."""

    def __init__(self, authors: Iterable[str], sources: SourceMatcher | None = None):
        people: dict[str, set[str]] = {}
        for field_ in authors:
            for name in author_names(field_):
                if not (sources and sources.names(name)):
                    people.setdefault(name, set()).add(field_)
        # by first word, so that finding them costs one lookup per word of the question, however many are stored
        self._by_first: dict[str, list[tuple[str, list[str]]]] = {}
        for name, fields in sorted(people.items(), key=lambda kv: -len(kv[0])):
            self._by_first.setdefault(name.split()[0], []).append((name, sorted(fields)))

    def find(self, question: str) -> list[str]:
        """The stored author fields naming a person the question names, in the order they are named."""
        found: list[str] = []
        for m in _WORD.finditer(question):
            for name, fields in self._by_first.get(m.group(0), ()):
                end = m.start() + len(name)
                if question.startswith(name, m.start()) and not question[end:end + 1].isalnum():
                    found.extend(fields)
                    break
        return list(dict.fromkeys(found))


_WORD = re.compile(r"(?<![\w'’-])[\w'’.-]+")


def author_names(field_: str) -> list[str]:
    """The people an author field names: "By Jane Doe and Sam Roe" -> ["Jane Doe", "Sam Roe"] (names of two to five
    words, capitalised)."""
    out = []
    for name in _PEOPLE_SPLIT.split(_BY.sub("", field_ or "")):
        name = " ".join(name.split()).strip(" .")
        words = name.split()
        if 2 <= len(words) <= 5 and all(w[0].isupper() for w in words if w.isalpha() and len(w) > 3):
            out.append(name)
    return out


_BY = re.compile(r"^\s*by\s+", re.I)
_PEOPLE_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\|)\s*")


def analyse(question: str, matcher: SourceMatcher, anchor: Anchor = None, event_date: EventDate | None = None,
            authors: AuthorMatcher | None = None, counted_from: str = "the newest report",
            coordinated: bool = True) -> Facets:
    """What the question names; ``anchor`` (the newest report date, or a function giving it; ``counted_from`` says
    which) resolves relative dates such as "last week" or "late November", ``event_date`` dates events ("reported
    before the attack"), ``authors`` finds the stored authors it names; ``coordinated``: see ``long_clauses``."""
    spans = matcher.spans(question)
    mentions = _mentions(spans)
    facets = Facets(sources=list(mentions), mentions=mentions, parts=split_parts(question, spans),
                    authors=authors.find(question) if authors else [],
                    source_names=list(dict.fromkeys(question[s:e] for s, e, _ in spans)))
    if not facets.parts:  # "the November 9 article on A and the November 15 article on B": one part per dated report
        facets.parts = split_parts(question, _date_spans(question, list(mentions)))
    for m in _NAMED_OUTLET.finditer(question):
        outlet = (m.group("a") or m.group("b") or "").strip(" .,'’")
        if outlet and _looks_like_outlet(outlet) and not matcher.knows(outlet) and not matcher.find(outlet):
            facets.unknown_outlets.append(outlet)
    facets.dates = _dates(question)
    facets.ranges = publication_ranges(question, anchor, event_date, counted_from)
    facets.over_time = bool(_OVER_TIME.search(question))
    found = _long_clause_spans(question, _MIN_CLAUSE_WORDS, [(a, b) for a, b, _ in spans], coordinated)
    facets.clauses = [question[a:b] for a, b in found]
    # each clause's publishers: the question's own name matches that lie inside it
    facets.clause_sources = [list(_mentions([sp for sp in spans if a <= sp[0] and sp[1] <= b])) for a, b in found]
    if not facets.parts:  # "Which company, scrutinized by TechCrunch for A, also claimed B?": one part per clause
        facets.parts = _clause_parts(facets.clauses, list(mentions), spans, question)
    facets.listing = bool(LIST_QUESTION.match(question))
    facets.recency = bool(_RECENCY.search(_blank(question, spans)))  # not "Business Today | Latest Stock Market News"
    if _ORDER_LATEST.search(question):
        facets.order = "latest"
    elif _ORDER_EARLIEST.search(question):
        facets.order = "earliest"
    return facets


def _blank(question: str, spans: list[tuple[int, int, list[str]]]) -> str:
    """The question with the publisher names it contains blanked out."""
    for start, end, _ in spans:
        question = question[:start] + " " * (end - start) + question[end:]
    return question


def _mentions(spans: list[tuple[int, int, list[str]]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for _, _, srcs in spans:
        for src in srcs:
            found[src] = found.get(src, 0) + 1
    return found


def long_clauses(question: str, min_words: int = _MIN_CLAUSE_WORDS, names: Sequence[tuple[int, int]] = (),
                 coordinated: bool = True) -> list[str]:
    """The clauses of at least ``min_words`` content words, when there are two or more ("Which company, scrutinized
    for A, also claimed B?" asks about A and B, often told by different reports); else none. ``coordinated``: a
    short piece joined to its neighbour by a bare "and" / "or" stays with it, and the question is not cut inside
    ``names`` (where it names publishers); else every break cuts (the behaviour before the 2026-11-27 morning
    session)."""
    return [question[a:b] for a, b in _long_clause_spans(question, min_words, names, coordinated)]


def _long_clause_spans(question: str, min_words: int, names: Sequence[tuple[int, int]],
                       coordinated: bool) -> list[tuple[int, int]]:
    """Where ``long_clauses`` are in the question, without the punctuation around them."""
    found = []
    for a, b in _clauses(question, min_words, names if coordinated else (), coordinated):
        text = question[a:b]
        if len(content_words(text)) >= min_words:
            found.append((a + len(text) - len(text.lstrip(" ,;?")), b - (len(text) - len(text.rstrip(" ,;?")))))
    return found if len(found) >= 2 else []


def _clauses(question: str, min_words: int, names: Sequence[tuple[int, int]], merge: bool) -> list[tuple[int, int]]:
    """The question cut at its clause breaks, except inside a publisher's name ("The Independent - Life and Style")
    and, with ``merge``, where a bare "and" / "or" joins a piece of fewer than ``min_words`` content words to its
    neighbour: "influencing app distribution and payment processing on Android" is one clause naming two things, not
    two clauses too short to search. A comma before it (", and harming ...") starts the next clause of a list."""
    pieces: list[tuple[int, int]] = []
    seps: list[str] = []
    begin = 0
    for m in _CLAUSE_BREAK.finditer(question):
        if any(a < m.start() < b for a, b in names):
            continue
        pieces.append((begin, m.start()))
        seps.append(m.group(0))
        begin = m.end()
    pieces.append((begin, len(question)))
    if not merge:
        return pieces

    def short(span: tuple[int, int]) -> bool:
        return len(content_words(question[span[0]:span[1]])) < min_words

    merged = [pieces[0]]
    for sep, piece in zip(seps, pieces[1:]):
        if _COORDINATOR.fullmatch(sep) and (short(merged[-1]) or short(piece)):
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    return merged


def _date_matches(text: str, exact: bool = False) -> list[tuple[re.Match, dt.date]]:
    """Explicit dates in the text with where they are; ``exact``: only those not bounding a range ("before October
    31, 2023")."""
    out = []
    for m in _EXPLICIT_DATE.finditer(text):
        d = parse_date(m.group(0))
        if d and not (exact and _RANGE_WORD.search(text, max(0, m.start() - 12), m.start())):
            out.append((m, d))
    return out


def _dates(text: str, exact: bool = False) -> list[dt.date]:
    return [d for _, d in _date_matches(text, exact)]


def _date_spans(question: str, sources: list[str]) -> list[tuple[int, int, list[str]]]:
    """Where the question names exact days (not "before October 31, 2023"), each standing for a report of the named
    publishers (any publisher when it names none)."""
    return [(m.start(), m.end(), sources) for m, _ in _date_matches(question, exact=True)]


def split_parts(question: str, spans: list[tuple[int, int, list[str]]]) -> list[Part]:
    """One part per clause naming publishers (or, given date spans, exact days): the question is cut at the last
    clause break between two consecutive names ("Does the X article claim A, | while the Y article says B?"); names
    with no break between them ("reported by both X and Y") share a part. Empty unless there are two names or more.
    The words of the names do not count as the part's own words."""
    if len(spans) < 2:
        return []
    cuts: list[int | None] = []
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        breaks = list(_CLAUSE_BREAK.finditer(question, end, start))
        cuts.append(breaks[-1].start() if breaks else None)
    pieces: list[tuple[str, list[str]]] = []
    begin, sources = 0, list(spans[0][2])
    for cut, (_, _, srcs) in zip(cuts, spans[1:]):
        if cut is None:
            sources += srcs
            continue
        pieces.append((question[begin:cut], sources))
        begin, sources = cut, list(srcs)
    pieces.append((question[begin:], sources))
    names = _name_words(question, spans)
    parts = []
    for text, srcs in pieces:
        own = sum(w not in names for w in content_words(text)) >= _MIN_PART_WORDS
        parts.append(Part(text=text.strip(" ,;") if own else question, sources=list(dict.fromkeys(srcs)), own=own,
                          dates=_dates(text, exact=True) if own else []))
    return parts


def _name_words(question: str, spans: list[tuple[int, int, list[str]]]) -> set[str]:
    """The content words of the publisher names in the question (as written and as stored)."""
    return {w for s, e, srcs in spans for w in content_words(question[s:e]) + [x for src in srcs for x in content_words(src)]}


def _clause_parts(clauses: list[str], sources: list[str], spans: list[tuple[int, int, list[str]]],
                  question: str) -> list[Part]:
    """A question naming its publishers once for several long clauses ("Which company, scrutinized by TechCrunch for
    A, also claimed B?", "..., as reported by TechCrunch?") usually tells each clause from a different report of
    them: one part per clause (two or more), each cited from a different report of those publishers (retrieval
    leaves them to the clause sub-queries)."""
    if not sources or len(clauses) < 2:
        return []
    names = _name_words(question, spans)
    parts = [Part(text=c, sources=list(sources), own=True, dates=_dates(c, exact=True), clause=True) for c in clauses
             if sum(w not in names for w in content_words(c)) >= _MIN_PART_WORDS]
    return parts if len(parts) >= 2 else []


def _looks_like_outlet(name: str) -> bool:
    words = [w for w in re.split(r"\s+", name) if w]
    return 1 <= len(words) <= 6 and words[0][0].isupper() and name.lower() not in {"the", "a", "an"}


_SMALL_WORDS = frozenset("of and for in on at the a an to & -".split())


def _spelled_out(name: str) -> list[str]:
    """A one-word name as people also write it: without a web domain ("CBSSports.com": "CBSSports") and in words
    ("CBS Sports", "Tech Crunch")."""
    if " " in name:
        return []
    bare = re.sub(r"\.(?:com|org|net|co\.uk|co|io|news)$", "", name, flags=re.IGNORECASE)
    split = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])", " ", bare)
    return [n for n in {bare, split} if n != name]


def _short_names(alias: str) -> list[str]:
    """A name's initials when it has three or more capitalised words ("The New York Times": "NYT"), and its leading
    acronym when more words follow ("BBC News": "BBC"); three capitals or more, no separators."""
    words_ = re.sub(r"^[Tt]he\s+", "", alias).split()
    out = []
    if len(words_) >= 3 and all(w[0].isupper() for w in words_) and all(w.isalpha() for w in words_):
        out.append("".join(w[0] for w in words_))
    if len(words_) >= 2 and len(words_[0]) >= 3 and words_[0].isalpha() and words_[0].isupper():
        out.append(words_[0])
    return out


def _alias_pattern(alias: str, kind: str) -> re.Pattern[str]:
    """The regex finding an alias: as stored (``kind`` "stored"), in capitals only and not followed by another name
    ("short": initials, acronyms), or ("written") in any case with a leading "the" that may be left out when two or
    more words follow it; the name itself is the group ``name``."""
    if kind == "stored":
        return re.compile(r"(?<![\w])(?P<name>" + re.escape(alias) + r")(?![\w])")
    if kind == "short":  # "the BBC", not "BBC Sport" or "BBC Radio 1", which are other outlets
        return re.compile(r"(?<![\w])(?P<name>" + re.escape(alias) + r")(?![\w])(?!\s+[A-Z0-9])")
    core = re.sub(r"^[Tt]he\s+", "", alias)
    body = r"\s+".join(re.escape(w) for w in core.split())
    if core == alias:
        return re.compile(r"(?<![\w])(?P<name>" + body + r")(?![\w])", re.IGNORECASE)
    if len(core.split()) >= 2:
        return re.compile(r"(?<![\w])(?:the\s+)?(?P<name>" + body + r")(?![\w])", re.IGNORECASE)
    # "the Guardian", not "the National Guard" for "The National"
    return re.compile(r"(?<![\w])the\s+(?P<name>" + body + r")(?![\w])(?!\s+(?-i:[A-Z]))", re.IGNORECASE)


def _capitalised_as(found: str, alias: str) -> bool:
    """Whether each capitalised word of the alias (its leading "The" aside, which the pattern matches outside
    ``found``) is capitalised where the question writes it; small words may be written in lower case."""
    core = alias.split() if alias == found else re.sub(r"^[Tt]he\s+", "", alias).split()
    got = found.split()
    return len(got) == len(core) and all(g[:1].isupper() or g[:1].isdigit() or not a[:1].isupper() or a.lower() in _SMALL_WORDS
               for g, a in zip(got, core))


def _fold(s: str) -> str:
    s = re.sub(r"^(the)\s+", "", s.strip().lower())
    return re.sub(r"[^\w]+", " ", s).strip()
