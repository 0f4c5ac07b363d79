"""Two people act on the same case at the same moment (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from cases.models import Action, Case, CaseEvent, State
from cases.services import case_transition, case_update
from casework.errors import ApplicationError, Conflict
from casework.models import Region, User
from tests.factories import new_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except ApplicationError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_starts_one_wins_the_other_is_refused(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou)
    results = race(
        lambda: case_transition(case_id=case.pk, user=jizhou_officer, transition="start"),
        lambda: case_transition(case_id=case.pk, user=supervisor, transition="start"),
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING
    assert CaseEvent.objects.filter(case=case, action=Action.START).count() == 1


def test_a_verification_racing_a_rejection_leaves_one_decision(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    from tests.cases.conftest import advance

    case = advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, State.SUBMITTED)
    results = race(
        lambda: case_transition(
            case_id=case.pk,
            user=supervisor,
            transition="verify",
            data={"verification_conclusion": "合格"},
        ),
        lambda: case_transition(
            case_id=case.pk, user=supervisor, transition="reject", comment="不合格"
        ),
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    decisions = CaseEvent.objects.filter(case=case, action__in=[Action.VERIFY, Action.REJECT])
    assert decisions.count() == 1
    assert Case.objects.get(pk=case.pk).state == decisions.get().to_state


def test_two_edits_from_the_same_version_one_is_a_conflict(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou)
    version = case.version
    results = race(
        lambda: case_update(
            case_id=case.pk,
            user=jizhou_officer,
            changes={"investigation": "甲"},
            expected_version=version,
        ),
        lambda: case_update(
            case_id=case.pk,
            user=supervisor,
            changes={"investigation": "乙"},
            expected_version=version,
        ),
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert CaseEvent.objects.filter(case=case, action=Action.UPDATE).count() == 1


def test_the_same_field_check_sent_twice_at_once_is_recorded_once(
    supervisor: User, jizhou: Region, inspector: User, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """A phone on a bad network sends its queued check, times out and sends it again while the
    first is still being saved: one check, one photo, one event; both answers name it."""
    import datetime as dt
    import uuid

    from django.utils import timezone

    from cases.models import FieldCheck, FieldCheckPhoto
    from tests.cases.test_field_checks import client_for, payload, post

    settings.MEDIA_ROOT = str(tmp_path)
    case = new_case(supervisor, jizhou)
    check_id = uuid.uuid4()
    checked_at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    answers = race(
        *[
            lambda: post(client_for(inspector), case, payload(check_id, checked_at=checked_at))
            for _ in range(2)
        ]
    )
    statuses = sorted(a.status_code for a in answers)  # type: ignore[attr-defined]
    assert statuses in ([200, 201], [201, 409]), statuses
    created = next(a for a in answers if a.status_code == 201)  # type: ignore[attr-defined]
    assert FieldCheck.objects.filter(case=case).count() == 1
    assert FieldCheckPhoto.objects.filter(field_check__case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action=Action.FIELD_CHECK).count() == 1
    if statuses == [200, 201]:
        assert {a.json()["id"] for a in answers} == {created.json()["id"]}  # type: ignore[attr-defined]


def test_a_reminder_sent_while_the_case_is_signed_for_does_not_deadlock(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    """Seen in the scale-out rehearsal as a 503: the scan holds a case's reminder row and writes
    a message that refers to the case, while a transition holds the case and wants the
    reminder. The case is locked FOR NO KEY UPDATE, so a row merely referring to it waits for
    nothing: both finish, neither is chosen as a deadlock's victim."""
    import time

    from django.db import transaction

    from notifications.models import CaseReminder, Kind, Notification

    case = new_case(supervisor, jizhou)
    assert CaseReminder.objects.filter(case=case).exists()
    scan_holds_reminder = threading.Event()

    def scan() -> str:
        with transaction.atomic():  # the scan's order: claim the reminder, then write messages
            CaseReminder.objects.filter(case=case).update(level=1)
            scan_holds_reminder.set()
            time.sleep(0.7)  # the transition now holds the case and waits for the reminder
            Notification.objects.create(
                recipient=jizhou_officer,
                case=case,
                kind=Kind.REMINDER,
                title="【提醒】",
                dedupe_key=f"deadlock-test:{case.pk}",
            )
        return "sent"

    def sign_for() -> object:
        scan_holds_reminder.wait(timeout=10)
        return case_transition(case_id=case.pk, user=jizhou_officer, transition="start")

    sent, signed = race(scan, sign_for)
    assert sent == "sent"
    assert isinstance(signed, Case) and signed.state == State.RECTIFYING
