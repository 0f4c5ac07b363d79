"""Working days on China's official calendar: holidays and swapped working weekends (调休).

The one module that knows the calendar. A year's calendar comes from, in this order:

1. the ``chinesecalendar`` package, for the years it knows (official);
2. a ``CalendarYear`` row entered by a supervisor from the State Council's notice
   (国务院办公厅关于某年部分节假日安排的通知) in the admin or with ``manage.py calendar_year``:
   official, or a city's own provisional arrangement;
3. ``fixtures/calendar/<year>.json`` shipped with a release (official);
4. otherwise a **provisional** year: weekends plus the statutory holidays of the 2024 revision
   of 全国年节及纪念日放假办法 (元旦 1 day, 春节 4 days from 除夕, 清明 1, 劳动节 2, 端午 1,
   中秋 1, 国庆 3), each statutory day that falls on a weekend (or on another holiday) giving
   the next working weekday off (补休). The swapped working weekends are unknowable before the
   notice, so a provisional year has none. Every date computed on a provisional year is marked
   as such (``span_is_provisional``) and recomputed when the official year arrives
   (``cases.calendar.calendar_recompute``).

Only years outside 2004–2099 (the lunar tables' range) raise ``CalendarOutOfRange``.

**The rule for a rest day.** Counting is by working days *elapsed*: "N working days overdue" on a
day means N working days have passed after the deadline up to and including that day, so on a rest
day (weekend, holiday) the count is the one of the working day before it — nothing more has fallen
due over a weekend. Shifting agrees with it: a rest day stands where the working day before it
stands, so ``shift_working_days(sunday, -2)`` is two working days before Friday (Wednesday), and
``working_days_between(shift_working_days(day, -n), day) == n`` for every day and every n ≥ 0, as
does ``working_days_between(day, shift_working_days(day, n)) == n``. Forward shifts already agree
(the first working day after a Sunday is the first after its Friday). In the domain's words: a case
due on Thursday is 逾期1个工作日 on Friday, Saturday and Sunday, and 逾期2个工作日 on Monday.

Caches: a year's calendar and the running totals are cached per process. Entering a year clears
them in the process that entered it (``invalidate``); other processes (workers, other web
processes) re-read the database's years at most ``RELOAD_SECONDS`` later.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
from django.utils.translation import gettext as _
from lunardate import LunarDate

from casework.errors import ApplicationError


class CalendarOutOfRange(ApplicationError):
    code = "calendar_out_of_range"


CALENDAR_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "calendar"
RELOAD_SECONDS = 60
LAST_SUPPORTED_YEAR = 2099  # lunardate's tables end with 2099

LIBRARY_YEARS = frozenset(
    d.year for d in chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
)
FIRST_KNOWN_YEAR = min(LIBRARY_YEARS)


class Status:
    OFFICIAL = "official"
    PROVISIONAL = "provisional"


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: frozenset[dt.date]  # days off that would otherwise be working days
    workdays: frozenset[dt.date]  # weekend days that are working days (调休)
    status: str
    source: str

    @property
    def provisional(self) -> bool:
        return self.status == Status.PROVISIONAL

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def calendar_data_parse(data: dict, *, where: str = "") -> YearCalendar:
    """A year from its JSON form (``{"year", "holidays", "workdays", "source"?, "status"?}``),
    checked: every date inside the year, no date both a holiday and a working day."""
    prefix = f"{where}: " if where else ""
    try:
        year = int(data["year"])
        holidays = frozenset(dt.date.fromisoformat(str(d)) for d in data.get("holidays", []))
        swapped = frozenset(dt.date.fromisoformat(str(d)) for d in data.get("workdays", []))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{prefix}{exc}") from None
    if any(d.year != year for d in holidays | swapped):
        raise ValueError(f"{prefix}every date must lie in {year}")
    if holidays & swapped:
        raise ValueError(f"{prefix}a date cannot be both a holiday and a working day")
    status = data.get("status", Status.OFFICIAL)
    return YearCalendar(year, holidays, swapped, status, str(data.get("source", "")))


def _shipped_years(folder: Path = CALENDAR_DIR) -> dict[int, YearCalendar]:
    """Years shipped with a release: ``fixtures/calendar/<year>.json``."""
    years = {}
    for path in sorted(folder.glob("*.json")):
        calendar = calendar_data_parse(
            json.loads(path.read_text(encoding="utf-8")), where=path.name
        )
        years[calendar.year] = calendar
    return years


SHIPPED_YEARS = _shipped_years()


def _library_year(year: int) -> YearCalendar:
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year == year)
    swapped = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return YearCalendar(year, holidays, swapped, Status.OFFICIAL, "chinesecalendar")


def statutory_holidays(year: int) -> list[tuple[dt.date, str]]:
    """The 13 statutory days off of ``year`` (全国年节及纪念日放假办法, 2024 revision), in date
    order; a date appears twice when two festivals meet (中秋 on 2028-10-03, inside 国庆)."""
    new_year = LunarDate(year, 1, 1).to_solar_date()
    qingming = next(
        day
        for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
        if name == "清明"
    )
    days = [
        (dt.date(year, 1, 1), "元旦"),
        *((new_year + dt.timedelta(days=i), "春节") for i in range(-1, 3)),  # 除夕 to 初三
        (qingming, "清明节"),
        (dt.date(year, 5, 1), "劳动节"),
        (dt.date(year, 5, 2), "劳动节"),
        (LunarDate(year, 5, 5).to_solar_date(), "端午节"),
        (LunarDate(year, 8, 15).to_solar_date(), "中秋节"),
        *((dt.date(year, 10, d), "国庆节") for d in (1, 2, 3)),
    ]
    return sorted(days)


def provisional_year(year: int) -> YearCalendar:
    """Weekends plus the statutory holidays. Each statutory day that falls on a weekend, or on
    another festival's day, gives a day off (补休) on the first free weekday after its run of
    holidays. No swapped working weekends: those are known only from the notice."""
    statutory = statutory_holidays(year)
    holidays = {day for day, _name in statutory}
    one_day = dt.timedelta(days=1)
    runs: list[list[dt.date]] = []
    for day, _name in statutory:
        if runs and day - runs[-1][-1] <= one_day:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        owed = sum(day.weekday() >= 5 for day in run) + (len(run) - len(set(run)))
        day = run[-1] + one_day
        while owed and day.year == year:
            if day.weekday() < 5 and day not in holidays:
                holidays.add(day)
                owed -= 1
            day += one_day
    return YearCalendar(
        year,
        frozenset(d for d in holidays if d.weekday() < 5),
        frozenset(),
        Status.PROVISIONAL,
        "provisional",
    )


# --- the per-process cache -----------------------------------------------------------------------

_lock = threading.Lock()
_years: dict[int, YearCalendar] = {}
_database: dict[int, YearCalendar] | None = None
_database_loaded_at = 0.0
_before_year: dict[int, int] = {}  # working days from FIRST_KNOWN_YEAR-01-01 to 1 January
_cumulative: dict[int, list[int]] = {}  # per year: working days up to and including day n


def invalidate() -> None:
    """Forget every year not taken from the package (after a year was entered or removed)."""
    global _database, _database_loaded_at
    with _lock:
        _database, _database_loaded_at = None, 0.0
        for cache in (_years, _cumulative):
            for year in [y for y in cache if y not in LIBRARY_YEARS]:
                del cache[year]
        # A running total to 1 January of a year after the package's last depends on the years
        # in between.
        last = max(LIBRARY_YEARS)
        for year in [y for y in _before_year if y > last]:
            del _before_year[year]


# Set by casework.apps at start-up: reads the entered years (``CalendarYear`` rows). A hook, so that
# this module, below the models, never imports them.
entered_years_loader: Callable[[], dict[int, YearCalendar]] = dict


def _database_years() -> dict[int, YearCalendar]:
    global _database, _database_loaded_at
    if _database is not None and time.monotonic() - _database_loaded_at < RELOAD_SECONDS:
        return _database
    loaded = entered_years_loader()
    if _database is not None and loaded != _database:
        invalidate()
    _database, _database_loaded_at = loaded, time.monotonic()
    return loaded


def year_calendar(year: int) -> YearCalendar:
    """The calendar of ``year``: official when known, provisional otherwise."""
    if year in LIBRARY_YEARS:
        if year not in _years:
            _years[year] = _library_year(year)
        return _years[year]
    entered = _database_years()  # may invalidate the cached years
    cached = _years.get(year)
    if cached is not None:
        return cached
    if year in entered:
        calendar = entered[year]
    elif year in SHIPPED_YEARS:
        calendar = SHIPPED_YEARS[year]
    elif FIRST_KNOWN_YEAR < year <= LAST_SUPPORTED_YEAR:
        calendar = provisional_year(year)
    else:
        raise CalendarOutOfRange(
            _(
                "Working days cannot be counted for %(day)s: the calendar covers %(first)s to "
                "%(last)s."
            )
            % {"day": year, "first": FIRST_KNOWN_YEAR, "last": LAST_SUPPORTED_YEAR}
        )
    _years[year] = calendar
    return calendar


def is_working_day(day: dt.date) -> bool:
    return year_calendar(day.year).is_working_day(day)


def is_provisional(day: dt.date) -> bool:
    """Whether ``day``'s year is still provisional (no official arrangement entered)."""
    return year_calendar(day.year).provisional


def span_is_provisional(start: dt.date, end: dt.date) -> bool:
    """Whether counting working days from ``start`` to ``end`` crossed a provisional year."""
    low, high = sorted((start, end))
    return any(year_calendar(year).provisional for year in range(low.year, high.year + 1))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    return shift_working_days(start, days)


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


def _year_cumulative(year: int) -> list[int]:
    """Working days from 1 January of ``year`` up to and including its n-th day (0-based)."""
    totals = _cumulative.get(year)
    if totals is None:
        calendar, day, running, totals = year_calendar(year), dt.date(year, 1, 1), 0, []
        while day.year == year:
            running += calendar.is_working_day(day)
            totals.append(running)
            day += dt.timedelta(days=1)
        _cumulative[year] = totals
    return totals


def _working_days_before_year(year: int) -> int:
    """Working days from FIRST_KNOWN_YEAR-01-01 up to the start of ``year`` (a running total,
    so that counting between two dates is a subtraction, not a walk)."""
    if year <= FIRST_KNOWN_YEAR:
        return 0
    total = _before_year.get(year)
    if total is None:
        total = _working_days_before_year(year - 1) + _year_cumulative(year - 1)[-1]
        _before_year[year] = total
    return total


def _ordinal(day: dt.date) -> int:
    year_calendar(day.year)  # a clear error for a year out of range, a fresh cache if changed
    return (
        _working_days_before_year(day.year)
        + _year_cumulative(day.year)[day.timetuple().tm_yday - 1]
    )


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative if ``end`` is earlier."""
    return _ordinal(end) - _ordinal(start)


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """``days`` after ``start``, counting working days or calendar days."""
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)


def date_label(day: dt.date | None, provisional: bool) -> str:
    """A date as people read it, marked when it was counted on a provisional year:
    "2027-01-29（暂定）"."""
    if day is None:
        return ""
    return (
        _("%(date)s (provisional)") % {"date": day.isoformat()} if provisional else day.isoformat()
    )


def next_year_warning(today: dt.date) -> str | None:
    """From 1 October, while next year is still provisional, the words that say so."""
    if today.month < 10 or not is_provisional(dt.date(today.year + 1, 1, 1)):
        return None
    return _(
        "The official holiday arrangement for %(year)s has not been entered: deadlines reaching "
        "into %(year)s are provisional (weekends and statutory holidays only) and will be "
        "recomputed once it is entered."
    ) % {"year": today.year + 1}
