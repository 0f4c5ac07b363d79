"""The standings (where each case stood, over time) are its trail replayed: checked against a
replay written here, event by event, over the demo ledger's histories (feedback, stage
conclusions, rejections, reopenings, extensions, repeats following their originals) at many
dates; kept by every change; and the same whether derived case by case or all at once."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent, CaseStanding, standings_rebuild
from cases.services import case_transition
from casework.models import Region, User
from supervision.reports import as_of, day_end
from tests.factories import new_case

pytestmark = pytest.mark.django_db

# What the reports read of a case as of a date.
READ = ("state_then", "outcome_then", "stage_then", "reopened_then", "deadline_then")


def replayed(case: Case, events: list[CaseEvent], end: dt.datetime) -> tuple[object, ...]:
    """The case's standing at ``end``, replaying its events one by one (the reports' rules:
    the last state entered; the last feedback's outcome, else concluded once submitted; ever
    concluded for this stage; ever reopened; the last deadline set, else the case's own)."""
    state, outcome, submitted, stage, reopened, deadline = "assigned", "", False, False, False, None
    for event in events:
        if event.created_at >= end:
            break
        state = event.to_state or state
        if event.action == "feedback" and event.data.get("outcome"):
            outcome = event.data["outcome"]
            stage = stage or outcome == "stage"
        submitted = submitted or event.action == "submit"
        reopened = reopened or event.action == "reopen"
        deadline = event.deadline_after or deadline
    return (
        state,
        outcome or ("concluded" if submitted else ""),
        stage,
        reopened,
        deadline or case.deadline,
    )


def check_against_replay(days: list[dt.date]) -> int:
    trails: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.order_by("case_id", "created_at", "id"):
        trails[event.case_id].append(event)
    checked = 0
    for day in days:
        end = day_end(day)
        for case in as_of(Case.objects.all(), day):
            got = tuple(getattr(case, name) for name in READ)
            assert got == replayed(case, trails[case.pk], end), (case.acceptance_number, day)
            checked += 1
    return checked


def test_the_standings_are_the_demo_trails_replayed_at_every_tenth_day(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    moments = sorted(
        {e.created_at.astimezone(dt.UTC).date() for e in CaseEvent.objects.only("created_at")}
    )
    days = [*moments[::10], moments[-1]]
    assert check_against_replay(days) > 1000
    # Kept event by event as the demo was played, they are what one pass over every trail gives.
    kept = list(CaseStanding.objects.order_by("case_id", "since", "id").values_list(*FIELDS))
    standings_rebuild()
    assert list(CaseStanding.objects.order_by("case_id", "since", "id").values_list(*FIELDS)) == (
        kept
    )
    # The trail's moments where something changed, and no more (comments, progress… add none).
    assert CaseStanding.objects.count() < CaseEvent.objects.count()


FIELDS = ("case_id", "since", "until", "state", "outcome", "stage", "reopened", "deadline")


def test_each_change_moves_the_standing_and_closes_the_one_before(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou)
    (first,) = CaseStanding.objects.filter(case=case)
    assert (first.state, first.until) == ("assigned", None)
    case_transition(case_id=case.pk, user=jizhou_officer, transition="start")
    rows = list(CaseStanding.objects.filter(case=case).order_by("since", "id"))
    assert [r.state for r in rows] == ["assigned", "rectifying"]
    assert rows[0].until == rows[1].since and rows[1].until is None


def test_the_command_derives_them_again_after_a_repair_by_hand(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou)
    case_transition(case_id=case.pk, user=jizhou_officer, transition="start")
    kept = list(CaseStanding.objects.order_by("since", "id").values_list(*FIELDS))
    CaseStanding.objects.all().delete()  # lost, as by a restore of an older backup
    out = io.StringIO()
    call_command("rebuild_standings", stdout=out)
    assert out.getvalue().startswith("OK: 2 standings")
    assert list(CaseStanding.objects.order_by("since", "id").values_list(*FIELDS)) == kept
