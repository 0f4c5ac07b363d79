from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import clock, workdays

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@time_machine.travel(dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC), tick=False)
def test_today_is_the_date_in_shanghai() -> None:
    # 20:00 UTC is 04:00 the next morning in Ji'an.
    assert clock.today() == dt.date(2026, 11, 26)


def test_the_clock_replays_a_past_moment_and_refuses_the_future() -> None:
    past = dt.datetime(2024, 5, 16, 16, 0, tzinfo=SHANGHAI)
    with clock.at(past):
        assert clock.now() == past
        assert clock.today() == dt.date(2024, 5, 16)
    assert clock.now() > past
    with pytest.raises(ValueError), clock.at(timezone.now() + dt.timedelta(days=1)):
        pass
    with pytest.raises(ValueError), clock.at(dt.datetime(2024, 5, 16)):
        pass


def test_working_days_follow_the_official_calendar() -> None:
    # 2026-02-14 (Saturday) was a swapped working day; 2026-02-16 (Monday) a holiday.
    assert workdays.is_working_day(dt.date(2026, 2, 14))
    assert not workdays.is_working_day(dt.date(2026, 2, 16))
    assert workdays.add_working_days(dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 24)
    assert workdays.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 24)) == 2
    assert workdays.working_days_between(dt.date(2026, 2, 24), dt.date(2026, 2, 13)) == -2


@given(
    start=st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31)),
    end=st.dates(dt.date(2018, 1, 1), dt.date(2026, 12, 31)),
)
@settings(max_examples=60, deadline=None)
def test_counting_working_days_agrees_with_walking_the_calendar(
    start: dt.date, end: dt.date
) -> None:
    low, high = sorted((start, end))
    walked = sum(
        workdays.is_working_day(low + dt.timedelta(days=i)) for i in range(1, (high - low).days + 1)
    )
    assert workdays.working_days_between(low, high) == walked
    assert workdays.working_days_between(high, low) == -walked
