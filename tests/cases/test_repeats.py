"""Repeats (重复件): linked to their original they follow it — outcome, deadlines, verification,
close-out — are not worked or chased on their own, and reports count them once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases.models import Action, Case, CaseEvent, State
from cases.services import (
    case_feedback,
    case_mark_repeat,
    case_transition,
    case_unmark_repeat,
    extension_request_create,
)
from casework.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from casework.models import Region, User
from notifications.models import CaseReminder
from supervision import reports
from tests.cases.conftest import SUBMISSION, advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(supervisor: User, jizhou: Region) -> tuple[Case, Case]:
    original = new_case(supervisor, jizhou, acceptance_number="X3JX202405160020")
    repeat = new_case(supervisor, jizhou, acceptance_number="X3JX202405180007")
    return original, repeat


def link(repeat: Case, original: Case, supervisor: User) -> None:
    case_mark_repeat(
        case_id=repeat.pk,
        user=supervisor,
        original_number=original.acceptance_number,
        comment="重复",
    )


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_linked_repeat_follows_its_original_to_close_out(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User
) -> None:
    original, repeat = pair
    case_mark_repeat(
        case_id=repeat.pk,
        user=supervisor,
        original_number="X3JX202405160020",
        comment="同一砂石厂废水问题",
    )
    repeat = reload(repeat)
    assert repeat.duplicate_of == original
    link = CaseEvent.objects.filter(case=repeat).latest("id")
    assert (link.action, link.data["original_number"]) == (Action.REPEAT_LINK, "X3JX202405160020")
    case_feedback(
        case_id=original.pk,
        user=jizhou_officer,
        outcome="stage",
        truth_finding="true",
        investigation="属实",
        rectification_measures="建设沉淀池",
        rectification_deadline=timezone.localdate() + dt.timedelta(days=60),
    )
    repeat = reload(repeat)
    assert (repeat.state, repeat.feedback_outcome, repeat.rectification_deadline) == (
        State.RECTIFYING,
        "stage",
        reload(original).rectification_deadline,
    )
    original = advance(reload(original), jizhou_officer, supervisor, State.CLOSED)
    repeat = reload(repeat)
    assert (repeat.state, repeat.closed_at) == (State.CLOSED, original.closed_at)
    trail = list(CaseEvent.objects.filter(case=repeat).order_by("id"))
    assert {e.action for e in trail[2:]} == {Action.REPEAT_FOLLOW}
    # The trail of states holds together, and every change is one event.
    assert [e.to_state for e in trail if e.to_state] == [
        "assigned",
        "assigned",
        "rectifying",
        "submitted",
        "verified",
        "closed",
    ]
    assert repeat.version == len(trail)


def test_a_repeat_is_not_worked_or_chased_on_its_own(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User
) -> None:
    original, repeat = pair
    link(repeat, original, supervisor)
    with pytest.raises(TransitionNotAllowed, match="原件"):
        case_transition(case_id=repeat.pk, user=jizhou_officer, transition="start")
    with pytest.raises(TransitionNotAllowed, match="原件"):
        extension_request_create(
            case_id=repeat.pk,
            user=jizhou_officer,
            requested_deadline=repeat.deadline + dt.timedelta(days=10),
            reason="施工",
        )
    late = repeat.deadline + dt.timedelta(days=3)
    with time_machine.travel(dt.datetime.combine(late, dt.time(2), tzinfo=dt.UTC), tick=False):
        overdue = set(Case.objects.overdue().values_list("acceptance_number", flat=True))
        assert overdue == {original.acceptance_number}
        assert not reload(repeat).is_overdue
    assert CaseReminder.objects.get(case=repeat).next_reminder_at is None


def test_linking_is_refused_where_it_makes_no_sense(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    original, repeat = pair
    with pytest.raises(PermissionDenied):
        case_mark_repeat(
            case_id=repeat.pk,
            user=jizhou_officer,
            original_number=original.acceptance_number,
            comment="重复",
        )
    for number, field in (("NO-SUCH", "original_number"), (original.acceptance_number, "comment")):
        with pytest.raises(InvalidInput) as excinfo:
            case_mark_repeat(case_id=repeat.pk, user=supervisor, original_number=number, comment="")
        assert field in excinfo.value.field_errors
    link(repeat, original, supervisor)
    third = new_case(supervisor, jizhou, acceptance_number="X3JX202405200001")
    with pytest.raises(InvalidInput, match="本身是重复件") as excinfo:
        case_mark_repeat(
            case_id=third.pk,
            user=supervisor,
            original_number=repeat.acceptance_number,
            comment="重复",
        )
    with pytest.raises(InvalidInput, match="已有关联的重复件"):  # it has repeats of its own
        case_mark_repeat(
            case_id=original.pk,
            user=supervisor,
            original_number=third.acceptance_number,
            comment="重复",
        )
    finding = new_case(supervisor, jizhou, kind="finding", acceptance_number="ZY-2024-001")
    with pytest.raises(InvalidInput, match="信访件"):
        case_mark_repeat(
            case_id=third.pk,
            user=supervisor,
            original_number=finding.acceptance_number,
            comment="重复",
        )


def test_an_unlinked_repeat_runs_its_own_lifecycle_again(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User
) -> None:
    original, repeat = pair
    link(repeat, original, supervisor)
    case_transition(case_id=original.pk, user=jizhou_officer, transition="start")
    case_unmark_repeat(case_id=repeat.pk, user=supervisor, comment="经核实为不同点位")
    repeat = reload(repeat)
    assert (repeat.duplicate_of, repeat.state) == (None, State.RECTIFYING)
    assert CaseReminder.objects.get(case=repeat).next_reminder_at is not None  # chased again
    case_transition(case_id=repeat.pk, user=jizhou_officer, transition="submit", data=SUBMISSION)
    assert (reload(repeat).state, reload(original).state) == (State.SUBMITTED, State.RECTIFYING)


def test_reports_count_a_repeat_once_and_say_so(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User
) -> None:
    original, repeat = pair
    link(repeat, original, supervisor)
    advance(original, jizhou_officer, supervisor, State.CLOSED)
    total = reports.closure_rates(cases=Case.objects.all())["total"]
    assert (total["assigned"], total["closed_out"], total["repeats"]) == (1, 1, 1)
    sentence = reports.report_sentences(user=supervisor)["petitions"]["sentence"]
    assert sentence == "中央和省生态环境保护督察交办信访件累计1件（重复件1件），已全部整改销号。"


def test_the_admin_links_a_repeat(pair: tuple[Case, Case], supervisor: User) -> None:
    original, repeat = pair
    web = Client()
    web.force_login(supervisor)
    url = f"/admin/cases/case/{repeat.pk}/act/repeat/"
    refused = web.post(url, {"original_number": "NO-SUCH", "comment": "重复"})
    assert refused.status_code == 200 and "没有该受理编号" in refused.content.decode()
    done = web.post(url, {"original_number": original.acceptance_number, "comment": "重复"})
    assert done.status_code == 302
    assert reload(repeat).duplicate_of == original
    page = web.get(f"/admin/cases/case/{repeat.pk}/change/").content.decode()
    assert 'data-action="unrepeat"' in page
    # Its own lifecycle buttons are shown disabled, with the reason.
    disabled = 'aria-disabled="true" title="重复件随原件办理，请在原件上操作。" data-action="start"'
    assert disabled in page


def test_the_api_links_and_unlinks_a_repeat_for_supervisors_only(
    pair: tuple[Case, Case], supervisor: User, jizhou_officer: User
) -> None:
    from rest_framework.test import APIClient

    original, repeat = pair
    api = APIClient()
    url = f"/api/v1/cases/{repeat.pk}/repeat-link/"
    body = {"original_number": original.acceptance_number, "comment": "同一砂石厂"}
    api.force_authenticate(jizhou_officer)
    assert api.post(url, body, format="json").status_code == 403
    api.force_authenticate(supervisor)
    missing = api.post(url, {"original_number": "NOPE", "comment": "x"}, format="json")
    assert missing.status_code == 400
    assert [e["attr"] for e in missing.json()["errors"]] == ["original_number"]
    linked = api.post(url, body, format="json")
    assert linked.status_code == 200, linked.content
    assert reload(repeat).duplicate_of == original
    assert [a["name"] for a in linked.json()["allowed_actions"]].count("unrepeat") == 1
    unlink = f"/api/v1/cases/{repeat.pk}/repeat-unlink/"
    assert api.post(unlink, {}, format="json").status_code == 400  # no reason given
    assert api.post(unlink, {"comment": "并非同一问题"}, format="json").status_code == 200
    assert reload(repeat).duplicate_of is None
    assert api.post(unlink, {"comment": "再次"}, format="json").status_code == 409
