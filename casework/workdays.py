"""Working days on China's official calendar: holidays and swapped working weekends (调休).

**The rule for a rest day.** Counting is by working days *elapsed*: "N working days overdue" on a
day means N working days have passed after the deadline up to and including that day, so on a rest
day (weekend, holiday) the count is the one of the working day before it — nothing more has fallen
due over a weekend. Shifting agrees with it: a rest day stands where the working day before it
stands, so ``shift_working_days(sunday, -2)`` is two working days before Friday (Wednesday), and
``working_days_between(shift_working_days(day, -n), day) == n`` for every day and every n ≥ 0, as
does ``working_days_between(day, shift_working_days(day, n)) == n``. Forward shifts already agree
(the first working day after a Sunday is the first after its Friday). In the domain's words: a case
due on Thursday is 逾期1个工作日 on Friday, Saturday and Sunday, and 逾期2个工作日 on Monday.

The one module that knows the calendar. It asks ``chinesecalendar`` for the years that package
knows, then ``fixtures/calendar/<year>.json`` for years published since; any other year raises
``CalendarOutOfRange`` with a clear message instead of guessing, because a guessed deadline is
worse than none.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import chinese_calendar
from django.utils.translation import gettext as _

from casework.errors import ApplicationError


class CalendarOutOfRange(ApplicationError):
    code = "calendar_out_of_range"


CALENDAR_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"


def _extra_years(folder: Path = CALENDAR_DIR) -> dict[int, tuple[set[dt.date], set[dt.date]]]:
    """Years published after the package was: ``fixtures/calendar/<year>.json``."""
    years = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        year = int(data["year"])
        holidays = {dt.date.fromisoformat(d) for d in data.get("holidays", [])}
        workdays = {dt.date.fromisoformat(d) for d in data.get("workdays", [])}
        if any(d.year != year for d in holidays | workdays):
            raise ValueError(f"{path.name}: every date must lie in {year}")
        years[year] = (holidays, workdays)
    return years


EXTRA_YEARS = _extra_years()


def _known_years() -> tuple[int, int]:
    known = chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
    first, last = min(known).year, max(known).year
    while last + 1 in EXTRA_YEARS:
        last += 1
    return first, last


FIRST_KNOWN_YEAR, LAST_KNOWN_YEAR = _known_years()


def is_working_day(day: dt.date) -> bool:
    if day.year in EXTRA_YEARS and day.year > max(chinese_calendar.holidays).year:
        holidays, workdays = EXTRA_YEARS[day.year]
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in holidays
    if not FIRST_KNOWN_YEAR <= day.year <= LAST_KNOWN_YEAR:
        raise CalendarOutOfRange(
            _(
                "The official holiday calendar for %(year)s is not known yet (known: "
                "%(first)s–%(last)s); working days cannot be counted for %(day)s. Add "
                "fixtures/calendar/%(year)s.json from the State Council's notice."
            )
            % {"year": day.year, "first": FIRST_KNOWN_YEAR, "last": LAST_KNOWN_YEAR, "day": day}
        )
    return chinese_calendar.is_workday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def shift_working_days(day: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days after (positive) or before (negative) ``day``;
    ``day`` itself when ``days`` is 0. Backwards from a rest day, counting starts at the working
    day before it (the rule in this module's docstring)."""
    if days < 0:
        while not is_working_day(day):
            day -= dt.timedelta(days=1)
    step = dt.timedelta(days=1 if days > 0 else -1)
    counted = 0
    while counted < abs(days):
        day += step
        if is_working_day(day):
            counted += 1
    return day


@functools.cache
def _working_days_before_year(year: int) -> int:
    """Working days from FIRST_KNOWN_YEAR-01-01 up to the start of ``year`` (a running total,
    so that counting between two dates is a subtraction, not a walk)."""
    if year <= FIRST_KNOWN_YEAR:
        return 0
    previous = dt.date(year - 1, 1, 1)
    days = (dt.date(year, 1, 1) - previous).days
    in_year = sum(is_working_day(previous + dt.timedelta(days=i)) for i in range(days))
    return _working_days_before_year(year - 1) + in_year


@functools.cache
def _working_days_into_year(day: dt.date) -> int:
    """Working days from 1 January of ``day``'s year up to and including ``day``."""
    start = dt.date(day.year, 1, 1)
    return sum(is_working_day(start + dt.timedelta(days=i)) for i in range((day - start).days + 1))


def _ordinal(day: dt.date) -> int:
    is_working_day(day)  # a clear error for an unknown year
    return _working_days_before_year(day.year) + _working_days_into_year(day)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier."""
    return _ordinal(end) - _ordinal(start)


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """``days`` after ``start``, counting working days or calendar days."""
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)
