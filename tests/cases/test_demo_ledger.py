from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F
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


def test_the_demo_still_loads_after_the_known_calendar_runs_out(settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import time_machine

    from casework import workdays

    settings.DEBUG = True
    later = dt.datetime(workdays.LAST_KNOWN_YEAR + 1, 2, 1, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        call_command("load_demo", stdout=io.StringIO())
    assert set(Case.objects.values_list("state", flat=True)) == set(State.values)
    last = dt.date(workdays.LAST_KNOWN_YEAR, 12, 31)
    assert not CaseEvent.objects.filter(created_at__date__gt=last).exists()
