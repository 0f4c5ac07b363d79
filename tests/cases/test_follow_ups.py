"""Following up with the complainant before close-out (回访): satisfaction recorded, a
dissatisfied complainant decided by a supervisor before closure, and the complainant's contact
seen only by those who work the case."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Action, Case, CaseEvent, FollowUp, State
from cases.services import case_transition, case_update, followup_decide, followup_record
from casework.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from casework.models import Region, User
from tests.cases.conftest import advance
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def petition(supervisor: User, jizhou: Region) -> Case:
    followed = source("第二轮中央生态环境保护督察", followup_required=True)
    return new_case(
        supervisor,
        jizhou,
        source=followed,
        complainant_name="周建国",
        complainant_phone="13812345678",
    )


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def close_after_notice(case: Case, supervisor: User) -> Case:
    with time_machine.travel(case.notice_ends_on + dt.timedelta(days=1), tick=False):
        return case_transition(case_id=case.pk, user=supervisor, transition="close")


def test_a_petition_is_not_closed_out_before_its_complainant_is_followed_up(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.VERIFIED)
    with pytest.raises(TransitionNotAllowed, match="回访"):
        close_after_notice(case, supervisor)
    follow_up = followup_record(
        case_id=case.pk,
        user=jizhou_officer,
        visited_on=timezone.localdate(),
        method="phone",
        result="satisfied",
    )
    assert (follow_up.result, follow_up.recorded_by) == ("satisfied", jizhou_officer)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.data["result"]) == (Action.FOLLOW_UP, "satisfied")
    assert close_after_notice(reload(case), supervisor).state == State.CLOSED


def test_a_dissatisfied_complainant_waits_for_a_supervisors_decision(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.VERIFIED)
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as excinfo:
        followup_record(
            case_id=case.pk,
            user=jizhou_officer,
            visited_on=today,
            method="visit",
            result="unsatisfied",
        )
    assert list(excinfo.value.field_errors) == ["note"]
    follow_up = followup_record(
        case_id=case.pk,
        user=jizhou_officer,
        visited_on=today,
        method="visit",
        result="unsatisfied",
        note="夜间仍有异味",
    )
    with pytest.raises(TransitionNotAllowed, match="不满意"):
        close_after_notice(case, supervisor)
    with pytest.raises(PermissionDenied):
        followup_decide(
            follow_up_id=follow_up.pk, user=jizhou_officer, send_back=False, comment="可以销号"
        )
    with pytest.raises(InvalidInput) as excinfo:
        followup_decide(follow_up_id=follow_up.pk, user=supervisor, send_back=True, comment="重查")
    assert list(excinfo.value.field_errors) == ["deadline"]
    followup_decide(
        follow_up_id=follow_up.pk, user=supervisor, send_back=False, comment="异味系农田施肥所致"
    )
    follow_up.refresh_from_db()
    assert (follow_up.decision, follow_up.decided_by) == ("accepted", supervisor)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.comment) == (Action.FOLLOW_UP_DECIDE, "异味系农田施肥所致")
    assert close_after_notice(reload(case), supervisor).state == State.CLOSED
    with pytest.raises(TransitionNotAllowed):
        followup_decide(follow_up_id=follow_up.pk, user=supervisor, send_back=False, comment="再")


def test_sending_the_case_back_reopens_it_to_a_new_deadline(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.VERIFIED)
    follow_up = followup_record(
        case_id=case.pk,
        user=supervisor,
        visited_on=timezone.localdate(),
        method="phone",
        result="unsatisfied",
        note="问题反弹",
    )
    new_deadline = timezone.localdate() + dt.timedelta(days=30)
    followup_decide(
        follow_up_id=follow_up.pk,
        user=supervisor,
        send_back=True,
        comment="重新整改",
        deadline=new_deadline,
    )
    case = reload(case)
    assert (case.state, case.deadline, case.reopen_count) == (State.RECTIFYING, new_deadline, 1)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.data["decision"]) == (Action.REOPEN, "reopened")


def test_follow_ups_are_refused_when_they_make_no_sense(
    petition: Case, jizhou_officer: User, supervisor: User, leader: User, jizhou: Region
) -> None:
    today = timezone.localdate()
    values = {"visited_on": today, "method": "phone", "result": "satisfied"}
    with pytest.raises(TransitionNotAllowed):  # not handled yet
        followup_record(case_id=petition.pk, user=jizhou_officer, **values)
    advance(petition, jizhou_officer, supervisor, State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        followup_record(case_id=petition.pk, user=leader, **values)
    with pytest.raises(InvalidInput) as excinfo:
        followup_record(
            case_id=petition.pk,
            user=jizhou_officer,
            visited_on=today + dt.timedelta(days=1),
            method="pigeon",
            result="so-so",
        )
    assert sorted(excinfo.value.field_errors) == ["method", "result", "visited_on"]
    finding = new_case(supervisor, jizhou, kind="finding")
    advance(finding, jizhou_officer, supervisor, State.SUBMITTED)
    with pytest.raises(TransitionNotAllowed, match="信访"):
        followup_record(case_id=finding.pk, user=jizhou_officer, **values)
    assert not FollowUp.objects.exists()


def test_the_complainants_contact_is_masked_for_everyone_who_does_not_work_the_case(
    petition: Case, jizhou_officer: User, leader: User, supervisor: User
) -> None:
    seen = {}
    for person in (jizhou_officer, supervisor, leader):
        api = APIClient()
        api.force_authenticate(person)
        body = api.get(f"/api/v1/cases/{petition.pk}/").json()
        seen[person.username] = (body["complainant_name"], body["complainant_phone"])
    assert seen == {
        "jizhou_officer": ("周建国", "13812345678"),
        "supervisor": ("周建国", "13812345678"),
        "leader": ("周**", "138****5678"),
    }
    web = Client()
    web.force_login(leader)
    page = web.get(f"/admin/cases/case/{petition.pk}/change/").content.decode()
    assert "周**" in page and "138****5678" in page
    assert "周建国" not in page and "13812345678" not in page
    web.force_login(jizhou_officer)
    assert "13812345678" in web.get(f"/admin/cases/case/{petition.pk}/change/").content.decode()
    # The trail, read more widely than the case, keeps the change masked.
    case_update(case_id=petition.pk, user=supervisor, changes={"complainant_phone": "13900001111"})
    event = CaseEvent.objects.filter(case=petition).latest("id")
    assert event.data["changes"]["complainant_phone"] == ["138****5678", "139****1111"]


def test_the_api_records_a_follow_up(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.SUBMITTED)
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    url = f"/api/v1/cases/{case.pk}/follow-ups/"
    bad = api.post(url, {"visited_on": "2020-01-01", "method": "phone", "result": "x"})
    assert bad.status_code == 400
    response = api.post(
        url,
        {"visited_on": timezone.localdate().isoformat(), "method": "phone", "result": "basically"},
        format="json",
    )
    assert response.status_code == 201, response.content
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert [f["result"] for f in detail["follow_ups"]] == ["basically"]


def test_the_admin_records_and_decides_a_follow_up(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.VERIFIED)
    web = Client()
    web.force_login(jizhou_officer)
    url = f"/admin/cases/case/{case.pk}/act/followup/"
    today = timezone.localdate().isoformat()
    refused = web.post(url, {"visited_on": today, "method": "phone", "result": "unsatisfied"})
    assert refused.status_code == 200 and "不满意" in refused.content.decode()
    done = web.post(
        url, {"visited_on": today, "method": "phone", "result": "unsatisfied", "note": "仍有异味"}
    )
    assert done.status_code == 302
    follow_up = FollowUp.objects.get()
    web.force_login(supervisor)
    change = web.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    decide = f"/admin/cases/case/{case.pk}/act/followup_decide/?follow_up={follow_up.pk}"
    assert decide.replace("&", "&amp;") in change or decide in change
    decided = web.post(decide, {"decision": "accept", "comment": "经复核已整改到位"})
    assert decided.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.decision == "accepted"


def test_the_api_decides_a_dissatisfied_follow_up(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(petition, jizhou_officer, supervisor, State.VERIFIED)
    follow_up = followup_record(
        case_id=case.pk,
        user=jizhou_officer,
        visited_on=timezone.localdate(),
        method="visit",
        result="unsatisfied",
        note="夜间仍有异味",
    )
    api = APIClient()
    url = f"/api/v1/cases/{case.pk}/follow-ups/{follow_up.pk}/decision/"
    api.force_authenticate(jizhou_officer)
    assert api.post(url, {"send_back": False, "comment": "可以"}, format="json").status_code == 403
    api.force_authenticate(supervisor)
    other = f"/api/v1/cases/{case.pk}/follow-ups/{follow_up.pk + 1000}/decision/"
    assert api.post(other, {"send_back": False, "comment": "x"}, format="json").status_code == 404
    no_deadline = api.post(url, {"send_back": True, "comment": "重查"}, format="json")
    assert no_deadline.status_code == 400
    assert [e["attr"] for e in no_deadline.json()["errors"]] == ["deadline"]
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = api.post(
        url, {"send_back": True, "comment": "重新整改", "deadline": deadline}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["deadline"]) == (State.RECTIFYING, deadline)
    assert body["follow_ups"][0]["decision"] == "reopened"
    again = api.post(url, {"send_back": False, "comment": "再"}, format="json")
    assert again.status_code == 409
