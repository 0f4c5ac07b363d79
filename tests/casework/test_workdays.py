"""The rule for counting and shifting working days from a rest day (casework/workdays.py)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from casework import workdays

SUNDAY = dt.date(2026, 11, 29)


def test_a_case_due_on_thursday_is_one_working_day_overdue_all_weekend_and_two_on_monday() -> None:
    thursday = dt.date(2026, 11, 26)
    assert workdays.working_days_between(thursday, dt.date(2026, 11, 27)) == 1  # Friday
    assert workdays.working_days_between(thursday, dt.date(2026, 11, 28)) == 1  # Saturday
    assert workdays.working_days_between(thursday, SUNDAY) == 1
    assert workdays.working_days_between(thursday, dt.date(2026, 11, 30)) == 2  # Monday


def test_two_working_days_before_a_sunday_are_counted_from_its_friday() -> None:
    # The failure seen on CI on 2026-11-29: shifting back two working days from a Sunday gave
    # Thursday, which that Sunday counts as only one working day overdue.
    deadline = workdays.shift_working_days(SUNDAY, -2)
    assert deadline == dt.date(2026, 11, 25)  # Wednesday
    assert workdays.working_days_between(deadline, SUNDAY) == 2


def test_shifting_back_from_a_holiday_starts_at_the_last_working_day_before_it() -> None:
    # The 2026 Spring Festival: 02-15..02-23 off, Saturday 02-14 a swapped working day.
    first_day_of_holiday = dt.date(2026, 2, 16)
    assert workdays.shift_working_days(first_day_of_holiday, -1) == dt.date(2026, 2, 13)
    assert workdays.shift_working_days(first_day_of_holiday, 0) == first_day_of_holiday
    assert workdays.shift_working_days(dt.date(2026, 2, 14), -1) == dt.date(2026, 2, 13)


DAYS_2024_2026 = st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31))


@given(day=DAYS_2024_2026, n=st.integers(0, 30))
@settings(max_examples=400, deadline=None)
def test_shifting_back_n_working_days_is_n_working_days_overdue(day: dt.date, n: int) -> None:
    earlier = workdays.shift_working_days(day, -n)
    assert workdays.working_days_between(earlier, day) == n
    assert earlier == day or workdays.is_working_day(earlier)


@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2026, 11, 10)), n=st.integers(0, 30))
@settings(max_examples=400, deadline=None)
def test_shifting_forward_n_working_days_leaves_n_working_days(day: dt.date, n: int) -> None:
    later = workdays.shift_working_days(day, n)
    assert workdays.working_days_between(day, later) == n
    assert later == day or workdays.is_working_day(later)


def test_the_round_trip_holds_for_every_rest_day_of_2024_to_2026() -> None:
    # Hypothesis samples; rest days are where the two functions used to disagree, so walk them all.
    day, checked = dt.date(2024, 1, 1), 0
    while day <= dt.date(2026, 12, 31):
        if not workdays.is_working_day(day):
            for n in (1, 2, 5, 30):
                assert workdays.working_days_between(workdays.shift_working_days(day, -n), day) == n
            checked += 1
        day += dt.timedelta(days=1)
    assert checked > 3 * 110  # weekends and holidays of three years
