"""The actions offered to a person are exactly the ones the services accept (cases/actions.py):
the admin's buttons and the API's allowed_actions come from the rules the services enforce."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from cases.actions import CASE_ACTION_RULES, case_available_actions
from cases.evidence import attachment_add
from cases.models import Case, State
from cases.notice import notice_publish
from cases.services import (
    case_co_units_set,
    case_feedback,
    case_mark_repeat,
    case_reassign,
    case_unmark_repeat,
    extension_request_create,
    followup_record,
    objection_record,
    progress_report_add,
)
from casework.errors import PermissionDenied, TransitionNotAllowed
from casework.models import Region, ResponsibleUnit, User
from tests.cases.conftest import advance
from tests.factories import new_case, png

TRIES: dict[str, Callable[[Case, User], object]] = {
    "progress": lambda case, user: progress_report_add(
        case_id=case.pk, user=user, text="已完成管网改造", percent=50
    ),
    "extension": lambda case, user: extension_request_create(
        case_id=case.pk,
        user=user,
        requested_deadline=case.deadline + dt.timedelta(days=30),
        reason="汛期施工受阻",
    ),
    "feedback": lambda case, user: case_feedback(
        case_id=case.pk,
        user=user,
        outcome="stage",
        truth_finding="true",
        investigation="经调查核实，反映问题属实。",
        rectification_measures="完善污水收集管网",
        rectification_deadline=case.deadline + dt.timedelta(days=60),
    ),
    "evidence": lambda case, user: attachment_add(
        case_id=case.pk, user=user, kind="photo_after", upload=png("after.png")
    ),
    "followup": lambda case, user: followup_record(
        case_id=case.pk,
        user=user,
        visited_on=case.assigned_on,
        method="phone",
        result="satisfied",
    ),
    "reassign": lambda case, user: case_reassign(
        case_id=case.pk,
        user=user,
        unit=ResponsibleUnit.objects.get_or_create(
            name="吉州区生态环境局", region=case.region, defaults={"kind": "other"}
        )[0],
        comment="职责调整",
    ),
    "repeat": lambda case, user: case_mark_repeat(
        case_id=case.pk,
        user=user,
        original_number=new_case(
            User.objects.get(username="supervisor"), case.region
        ).acceptance_number,
        comment="同一问题",
    ),
    "co_units": lambda case, user: case_co_units_set(
        case_id=case.pk,
        user=user,
        units=[ResponsibleUnit.objects.get(name="青原区人民政府")],
        comment="交界河段",
    ),
    "unrepeat": lambda case, user: case_unmark_repeat(case_id=case.pk, user=user, comment="不是"),
    "notice": lambda case, user: notice_publish(
        case_id=case.pk, user=user, starts_on=case.notice_starts_on or case.assigned_on
    ),
    "objection": lambda case, user: objection_record(
        case_id=case.pk, user=user, content="群众反映仍有异味"
    ),
}


def accepted(name: str, case: Case, user: User) -> bool:
    """Whether the service accepts the action (then undone: each try starts from the same case)."""
    try:
        with transaction.atomic():
            TRIES[name](case, user)
            transaction.set_rollback(True)
    except (PermissionDenied, TransitionNotAllowed):
        return False
    return True


@pytest.mark.parametrize(
    "state", [State.ASSIGNED, State.RECTIFYING, State.SUBMITTED, State.VERIFIED, State.CLOSED]
)
def test_what_is_offered_is_what_the_services_accept(
    state: str, supervisor: User, jizhou_officer: User, leader: User, jizhou: Region
) -> None:
    case = advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, state)
    assert set(TRIES) == set(CASE_ACTION_RULES)
    for person in (jizhou_officer, supervisor, leader):
        offered = {rule.name for rule in case_available_actions(case=case, user=person)}
        taken = {name for name in TRIES if accepted(name, case, person)}
        assert offered == taken, (state, person.username)
    if state == State.RECTIFYING:
        # Offered and accepted once; fed back, the case no longer offers it.
        assert "feedback" in {
            r.name for r in case_available_actions(case=case, user=jizhou_officer)
        }
        TRIES["feedback"](case, jizhou_officer)
        case.refresh_from_db()
        assert "feedback" not in {
            r.name for r in case_available_actions(case=case, user=jizhou_officer)
        }


def test_the_api_and_the_admin_offer_the_same_actions(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    case = advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, State.RECTIFYING)
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert [a["name"] for a in body["allowed_actions"]] == [
        "progress",
        "extension",
        "feedback",
        "evidence",
    ]
    assert body["allowed_actions"][0]["label"] == "报送进展"
    assert [t["name"] for t in body["allowed_transitions"]] == ["submit"]

    web = Client()
    web.force_login(jizhou_officer)
    page = web.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    for name in ("submit", "progress", "extension", "feedback"):
        assert f'data-action="{name}"' in page
    assert 'data-action="reassign"' not in page and 'data-action="objection"' not in page
    assert 'class="casework-action transition" data-action="submit"' in page
    assert 'class="casework-action" data-action="progress"' in page
