"""Publication-date ranges a question names: "reported last week", "articles from late November", "published
before October 31, 2023", "news from March 2024", "reports in 2023".

Only expressions about when reports were *published* count: the expression must sit next to a word such as
"published", "reported", "article" or "news" ("the article from late November", "last week's reports"). Dates of
events ("the merger announced in 2021") are left alone, since a report about them may be from any later date.

Expressions without a year ("late November") or relative to now ("last week", "this month", "yesterday") are resolved
against an anchor: the newest publication date in the index, since a folder of reports is read as of its newest
report (or today, for a folder kept up to date: ``retrieval.relative_dates``). Such a range is ``relative`` and
says how it was read (``describe``), so the answer can tell the user.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Callable, Union

from .dates import parse_date

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS.split("|"), 1)}
_DAY_DATE = rf"(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}}"
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "a few": 3,
                 "few": 3, "a couple of": 2, "couple of": 2}
_COUNT = r"\d{1,3}|one|two|three|four|five|six|seven|ten|a few|few|a couple of|couple of"

# the words that make a date expression about publication: a report word right before it ("reported last week",
# "articles from late November", "published in 2023"), or a report noun right after it ("last week's reports")
_CUE_VERB = r"published|posted|reported|written|dated|filed|appeared|ran|covered"
_CUE_NOUN = r"reports?|articles?|stor(?:y|ies)|coverage|news|pieces?|headlines?|posts?|reporting|press"
_CUE_BEFORE = re.compile(rf"\b(?:{_CUE_VERB}|{_CUE_NOUN})\s+(?:(?:that|which|were|was|been|only|all)\s+)?"
                         r"(?:(?:in|from|during|over|of|within|on)\s+)?$", re.I)
# a bound with a full date ("before October 31, 2023") may sit a few words after its report word
_CUE_NEAR = re.compile(rf"\b(?:{_CUE_VERB}|{_CUE_NOUN})\b(?:\s+[\w'’,-]+){{0,6}}\s*$", re.I)
_CUE_AFTER = re.compile(rf"^(?:['’]s?)?\s+(?:{_CUE_NOUN})\b", re.I)

# words that end an event's name ("before the attack | on the base")
_STOP = (r"and|but|while|or|in|on|at|from|about|for|to|by|with|as|of|was|were|is|are|did|does|do|had|has|have|"
         r"that|which|who|what|when|where|how|why|according")

_EXPRESSIONS = re.compile(
    rf"(?P<bound>before|after|since|until|till|by|prior to|earlier than|later than|no later than)\s+(?P<bdate>{_DAY_DATE})"
    rf"|\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<month>{MONTHS})\b(?!\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d))(?:,?\s+(?:of\s+)?(?P<myear>\d{{4}}))?"
    rf"|\b(?:in|from|during)\s+(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<which>this|last|past|previous|the past|the last)\s+(?:(?P<n>{_COUNT})\s+)?(?P<unit>days?|weeks?|months?|years?)\b"
    rf"|\b(?P<day>yesterday|today)\b"
    # "reported before the attack": an event, dated by the earliest report on it
    rf"|\b(?P<ebound>before|after|since|prior to|following)\s+(?P<event>(?:the|a|an)\s+(?!(?:past|last|next|same)\b)"
    rf"(?:(?!(?:{_STOP})\b)[\w'’-]+(?:\s+|$|(?=[,;:.?!]))){{1,4}})",
)


@dataclass(frozen=True)
class DateRange:
    """An inclusive publication-date range (``None`` = open on that side) and the words it was read from."""

    after: dt.date | None
    before: dt.date | None
    text: str
    relative: bool = False  # resolved against the anchor (no year given, or relative to now) or an event
    anchor: dt.date | None = None
    event: str = ""  # "the attack" in "reported before the attack": dated by the earliest report on it (``anchor``)
    counted_from: str = "the newest report"  # what the anchor of a relative range is ("today" for live folders)

    def contains(self, d: dt.date | None) -> bool:
        return d is not None and (self.after is None or d >= self.after) and (self.before is None or d <= self.before)

    def describe(self) -> str:
        span = (f"{self.after.isoformat()} to {self.before.isoformat()}" if self.after and self.before and self.after != self.before
                else self.after.isoformat() if self.after and self.after == self.before
                else f"on or after {self.after.isoformat()}" if self.after else f"on or before {self.before.isoformat()}")
        why = ""
        if self.event and self.anchor:
            why = f", the earliest report on '{self.event}' being of {self.anchor.isoformat()}"
        elif self.relative and self.anchor:
            why = f", counting back from {self.counted_from} ({self.anchor.isoformat()})"
        return f"'{self.text}' read as reports published {span}{why}"


Anchor = Union[dt.date, Callable[[], Union[dt.date, None]], None]
EventDate = Callable[[str], Union[dt.date, None]]


def publication_ranges(question: str, anchor: Anchor = None, event_date: EventDate | None = None,
                       counted_from: str = "the newest report") -> list[DateRange]:
    """The publication-date ranges named in ``question``; relative ones only when there is an ``anchor`` (a date, or
    a function giving it, called only when a relative expression is found), which ``counted_from`` names in the
    range's description; ones relative to an event ("reported before the attack") only with ``event_date``, which
    dates an event from its words (None when nothing does)."""
    out: list[DateRange] = []
    for m in _EXPRESSIONS.finditer(question):
        before = question[max(0, m.start() - 80):m.start()]
        if m.group("ebound"):
            got = _event_range(m, event_date) if _CUE_BEFORE.search(before) and event_date else None
            if got is not None and got not in out:
                out.append(got)
            continue
        cued = _CUE_BEFORE.search(before) or _CUE_AFTER.match(question[m.end():])
        if not (cued or (m.group("bound") and _CUE_NEAR.search(before))):
            continue
        if m.group("month") and not m.group("month")[0].isupper():
            continue
        if callable(anchor) and _needs_anchor(m):
            anchor = anchor()
        got = _resolve(m, None if callable(anchor) else anchor)
        if got is not None and got.relative:
            got = replace(got, counted_from=counted_from)
        if got is not None and got not in out:
            out.append(got)
    return out


def _event_range(m: re.Match, event_date: EventDate) -> DateRange | None:
    """"before the attack": reports published before the day of the earliest report on the attack; "after" and
    "since" it: from that day on."""
    event = m.group("event").strip()
    d = event_date(event)
    if d is None:
        return None
    text = f"{m.group('ebound')} {event}"
    if m.group("ebound").lower() in ("before", "prior to"):
        return DateRange(None, d - dt.timedelta(days=1), text, True, d, event)
    return DateRange(d, None, text, True, d, event)


def _needs_anchor(m: re.Match) -> bool:
    return bool(m.group("which") or m.group("day") or (m.group("month") and not m.group("myear")))


def _resolve(m: re.Match, anchor: dt.date | None) -> DateRange | None:
    text = m.group(0).strip()
    if m.group("bound"):
        d = parse_date(m.group("bdate"))
        if d is None:
            return None
        # the named day itself counts: a soft preference, and a report's date may be a day off across time zones
        word = m.group("bound").lower()
        if word in ("before", "prior to", "earlier than", "until", "till", "by", "no later than"):
            return DateRange(None, d, text)
        return DateRange(d, None, text)  # after, later than, since
    if m.group("month"):
        month = _MONTH_NUMBER[m.group("month").lower()]
        if m.group("myear"):
            year, relative = int(m.group("myear")), False
        elif anchor is not None:
            year, relative = anchor.year if month <= anchor.month else anchor.year - 1, True
        else:
            return None
        first, last = _month(year, month)
        part = (m.group("part") or "").lower()
        if part == "early":
            last = first.replace(day=10)
        elif part == "mid":
            first, last = first.replace(day=11), first.replace(day=20)
        elif part == "late":
            first = first.replace(day=21)
        return DateRange(first, last, text, relative, anchor if relative else None)
    if m.group("year"):
        y = int(m.group("year"))
        return DateRange(dt.date(y, 1, 1), dt.date(y, 12, 31), text)
    if anchor is None:
        return None
    if m.group("day"):
        d = anchor - dt.timedelta(days=1) if m.group("day").lower() == "yesterday" else anchor
        return DateRange(d, d, text, True, anchor)
    return _relative(m, anchor, text)


def _relative(m: re.Match, anchor: dt.date, text: str) -> DateRange | None:
    which, unit = m.group("which").lower(), m.group("unit").lower().rstrip("s")
    n_text = (m.group("n") or "").lower()
    n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS.get(n_text, 0)
    if n:  # "the past 3 days", "last two weeks": a window ending at the anchor
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
        return DateRange(anchor - dt.timedelta(days=days - 1), anchor, text, True, anchor)
    if which in ("past", "the past", "the last"):  # "the past week": the 7 days up to the anchor
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
        return DateRange(anchor - dt.timedelta(days=days - 1), anchor, text, True, anchor)
    this = which == "this"
    if unit == "day":
        return None  # "this day", "last day": not a range anyone means
    if unit == "week":  # calendar weeks, Monday to Sunday
        monday = anchor - dt.timedelta(days=anchor.weekday())
        return (DateRange(monday, anchor, text, True, anchor) if this else
                DateRange(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1), text, True, anchor))
    if unit == "month":
        if this:
            return DateRange(anchor.replace(day=1), anchor, text, True, anchor)
        prev = anchor.replace(day=1) - dt.timedelta(days=1)
        return DateRange(*_month(prev.year, prev.month), text, True, anchor)
    if this:
        return DateRange(dt.date(anchor.year, 1, 1), anchor, text, True, anchor)
    return DateRange(dt.date(anchor.year - 1, 1, 1), dt.date(anchor.year - 1, 12, 31), text, True, anchor)


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
