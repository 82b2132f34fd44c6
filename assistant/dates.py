"""Publication dates from the many ways reports write them; anything doubtful is ``None`` (unknown)."""
from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as _dateutil

FUTURE_SLACK_DAYS = 2
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Parsing with two different defaults tells whether the day or month was missing ("February 2024", "2024").
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2000, 2, 2))


def parse_date(value: str, today: dt.date | None = None) -> dt.date | None:
    """The calendar date written in ``value``, or None if it is not clearly a date.

    Accepts ISO 8601 ("2023-11-27T08:45:59+00:00"), "February 01, 2024, 5:58 PM", "1 Feb 2024", "2024/02/01",
    "20240201" and the like. The date is the one written (a time zone is not converted). Text without a
    four-digit year, text without a day ("February 2024"), text with words that are not date words, and dates
    more than two days after ``today`` give None. Numeric day/month order is read month first ("12/03/2024" is
    3 December) unless the first number cannot be a month.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 100:
        return None
    compact = _COMPACT.match(value)
    if compact:
        value = "-".join(compact.groups())
    elif not _YEAR.search(value):
        return None  # "5", "March 3" or "3 hours ago": no year, so not a date we can trust
    date = _iso(value) or _loose(value)
    if date is None or date.year < 1800:
        return None
    if date > (today or dt.date.today()) + dt.timedelta(days=FUTURE_SLACK_DAYS):
        return None
    return date


def near(d: dt.date | None, dates: list[dt.date]) -> bool:
    """Within a day of one of ``dates`` (time zones move a report's date by a day)."""
    return d is not None and any(abs((d - x).days) <= 1 for x in dates)


def _iso(value: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _loose(value: str) -> dt.date | None:
    try:  # fuzzy=False: every word must be a date word; ignoretz: keep the written date, no tz warnings
        a, b = (_dateutil.parse(value, default=d, fuzzy=False, ignoretz=True).date() for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None
    return a if a == b else None


_DATELINE = re.compile(r"^\s*(updated|published|posted|date)\s*:?\s*(.+?)\s*$", re.IGNORECASE)


def dateline_date(text: str) -> dt.date | None:
    """The date on an "Updated:/Published:/Posted:/Date:" line of ``text`` (the first that parses).

    Published/Posted/Date lines win over Updated lines, since the date wanted is the publication date.
    """
    candidates: list[tuple[bool, int, str]] = []
    for i, line in enumerate(text.split("\n")):
        m = _DATELINE.match(line)
        if m and len(m.group(2)) <= 80:
            candidates.append((m.group(1).lower() == "updated", i, m.group(2)))
    for _, _, value in sorted(candidates):
        date = parse_date(value)
        if date is not None:
            return date
    return None
