from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from cases.models import Case, CaseEvent, State

pytestmark = pytest.mark.django_db


def test_the_demo_ledger_covers_every_stream_state_and_overdue_once(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo ledger:" in out.getvalue()
    total = Case.objects.count()
    assert 200 <= total <= 400
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    assert set(Case.objects.values_list("source__stream__code", flat=True)) == {
        "central",
        "provincial",
        "yangtze_film",
        "provincial_film",
    }
    assert Case.objects.overdue().count() >= 10
    assert Case.objects.filter(region__name="吉州区").count() >= 20
    assert Case.objects.filter(reopen_count__gt=0).exists()
    # Every demo case was made through the services: its trail matches its version.
    mismatched = Case.objects.annotate(n=Count("events")).exclude(n=F("version"))
    assert not mismatched.exists()
    assert CaseEvent.objects.filter(created_at__gt=timezone.now()).count() == 0

    call_command("load_demo", stdout=(again := io.StringIO()))
    assert "already loaded" in again.getvalue()
    assert Case.objects.count() == total


@pytest.mark.parametrize("today", [dt.date(2027, 3, 15), dt.date(2028, 12, 20)])
def test_the_demo_loads_in_years_whose_calendar_is_not_published_yet(
    settings, calendar_2027_unknown, today: dt.date
) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    settings.DEBUG = True
    with time_machine.travel(dt.datetime(today.year, today.month, today.day, 2, tzinfo=dt.UTC)):
        call_command("load_demo", stdout=io.StringIO())
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    # The story runs up to today; what was counted on the provisional years says so.
    assert CaseEvent.objects.filter(created_at__year=today.year).exists()
    # (Feedback deadlines run in calendar days and rectification deadlines are given, so
    # the notice windows, ten working days, are what counts on the provisional calendar.)
    assert Case.objects.filter(
        Q(deadline_provisional=True) | Q(notice_ends_provisional=True)
    ).exists()
