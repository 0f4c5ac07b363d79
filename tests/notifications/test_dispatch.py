"""The monthly dispatch (月度调度): open findings and 阶段性办结 petitions owe a progress report by
the set day each month; exactly the missing ones are chased, once, to their county's officers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Case, CaseKind
from cases.services import (
    case_feedback,
    case_mark_repeat,
    case_transition,
    progress_report_add,
)
from casework.models import Region, User
from notifications.models import Kind, Notification
from notifications.services import dispatch_chase, dispatch_period
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 9, minute: int = 5) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False
    )


def test_the_period_runs_from_one_dispatch_day_to_the_next(settings) -> None:  # type: ignore[no-untyped-def]
    assert dispatch_period(dt.date(2026, 3, 25), 25) == (dt.date(2026, 2, 25), dt.date(2026, 3, 25))
    assert dispatch_period(dt.date(2026, 3, 24), 25) == (dt.date(2026, 1, 25), dt.date(2026, 2, 25))
    assert dispatch_period(dt.date(2026, 1, 5), 25) == (
        dt.date(2025, 11, 25),
        dt.date(2025, 12, 25),
    )
    # The 31st in a short month is its last day.
    assert dispatch_period(dt.date(2026, 3, 31), 31) == (dt.date(2026, 2, 28), dt.date(2026, 3, 31))


def test_exactly_the_missing_reports_are_chased_once(
    settings, supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region
) -> None:  # type: ignore[no-untyped-def]
    settings.CASEWORK_DISPATCH_DAY = 25
    long_ago = dt.date(2026, 1, 5)
    with at(long_ago, 10):
        reported = new_case(
            supervisor,
            jizhou,
            kind=CaseKind.FINDING,
            acceptance_number="F-REPORTED",
            deadline=dt.date(2026, 12, 31),
        )
        silent = new_case(
            supervisor,
            jizhou,
            kind=CaseKind.FINDING,
            acceptance_number="F-SILENT",
            deadline=dt.date(2026, 12, 31),
        )
        staged = new_case(supervisor, jizhou, acceptance_number="P-STAGE")
        new_case(supervisor, jizhou, acceptance_number="P-NO-FEEDBACK")
        concluded = new_case(supervisor, jizhou, acceptance_number="P-CONCLUDED")
        repeat = new_case(supervisor, jizhou, acceptance_number="P-REPEAT")
        for petition, outcome in ((staged, "stage"), (concluded, "concluded")):
            case_feedback(
                case_id=petition.pk,
                user=jizhou_officer,
                outcome=outcome,
                truth_finding="true",
                investigation="经调查核实，反映问题属实。",
                rectification_measures="建设污水收集管网",
                rectification_account="已完成整改。",
                rectification_deadline=dt.date(2026, 9, 30),
            )
        case_mark_repeat(
            case_id=repeat.pk, user=supervisor, original_number="P-STAGE", comment="同一问题"
        )
        case_transition(case_id=silent.pk, user=jizhou_officer, transition="start")
        done = advance(
            new_case(
                supervisor,
                jizhou,
                kind=CaseKind.FINDING,
                acceptance_number="F-CLOSED",
                deadline=dt.date(2026, 12, 31),
            ),
            jizhou_officer,
            supervisor,
            "submitted",
        )
    with at(dt.date(2026, 3, 10), 10):
        progress_report_add(case_id=reported.pk, user=jizhou_officer, text="已完成一半", percent=50)
        new_case(  # assigned during the period: owes from the next one
            supervisor,
            jizhou,
            kind=CaseKind.FINDING,
            acceptance_number="F-NEW",
            deadline=dt.date(2026, 12, 31),
        )

    with at(dt.date(2026, 3, 24)):  # still February's period (25 Jan – 25 Feb), chased late:
        assert dispatch_chase() == 2  # the report of 10 March counts, being after 25 January
    with at(dt.date(2026, 3, 25)):
        assert dispatch_chase() == 2
        assert dispatch_chase() == 0  # once a period
    chased = Notification.objects.filter(kind=Kind.DISPATCH, title__contains="3月")
    assert sorted(chased.values_list("case__acceptance_number", flat=True)) == [
        "F-SILENT",
        "P-STAGE",
    ]
    assert {n.recipient for n in chased} == {jizhou_officer}  # the county's, not 青原区's
    message = chased.get(case=silent)
    assert message.title == "【调度】F-SILENT 未报送3月整改进展"
    assert "2026年2月25日以来未报送进展" in message.body
    assert Case.objects.get(pk=done.pk).state == "submitted"  # waits for the city: owes nothing
    with at(dt.date(2026, 4, 25)):
        # The next period: March's report does not count for April; F-NEW owes its first.
        assert dispatch_chase() == 4
    april = Notification.objects.filter(kind=Kind.DISPATCH, title__contains="4月")
    assert sorted(april.values_list("case__acceptance_number", flat=True)) == [
        "F-NEW",
        "F-REPORTED",
        "F-SILENT",
        "P-STAGE",
    ]
