"""The actions besides transitions: extensions, reassignment, stage conclusion, progress,
milestones, corrections and objections."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.models import (
    Action,
    Case,
    CaseEvent,
    CaseKind,
    ExtensionStatus,
    ObjectionStatus,
    State,
)
from cases.services import (
    case_reassign,
    case_transition,
    case_update,
    extension_request_create,
    extension_request_decide,
    milestone_add,
    milestone_complete,
    objection_decide,
    objection_record,
    progress_report_add,
)
from casework.errors import (
    ConcurrentEdit,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from casework.models import Region, ResponsibleUnit, User
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).latest("id")


def event_count(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


# --- extensions ----------------------------------------------------------------------------------


def test_an_officer_requests_an_extension_and_the_supervisor_approves_it(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    old = case.deadline
    new = old + dt.timedelta(days=20)
    request = extension_request_create(
        case_id=case.pk, user=jizhou_officer, requested_deadline=new, reason="需协调环保设备采购"
    )
    assert request.status == ExtensionStatus.PENDING
    assert reload(case).deadline == old  # nothing moves until approved
    assert last_event(case).action == Action.EXTENSION_REQUEST

    extension_request_decide(request_id=request.pk, user=supervisor, approve=True)
    request.refresh_from_db()
    assert request.status == ExtensionStatus.APPROVED and request.decided_by == supervisor
    assert reload(case).deadline == new
    event = last_event(case)
    assert (event.action, event.deadline_before, event.deadline_after) == (
        Action.EXTENSION_APPROVE,
        old,
        new,
    )


def test_a_rejection_needs_a_reason_and_keeps_the_deadline(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    old = case.deadline
    request = extension_request_create(
        case_id=case.pk,
        user=jizhou_officer,
        requested_deadline=old + dt.timedelta(days=5),
        reason="雨季施工困难",
    )
    with pytest.raises(InvalidInput) as excinfo:
        extension_request_decide(request_id=request.pk, user=supervisor, approve=False)
    assert list(excinfo.value.field_errors) == ["comment"]
    extension_request_decide(
        request_id=request.pk, user=supervisor, approve=False, comment="理由不充分"
    )
    assert reload(case).deadline == old
    assert last_event(case).action == Action.EXTENSION_REJECT
    assert last_event(case).deadline_after is None
    with pytest.raises(TransitionNotAllowed):
        extension_request_decide(request_id=request.pk, user=supervisor, approve=True)


def test_an_extension_must_be_requested_before_the_deadline(
    case: Case, jizhou_officer: User
) -> None:
    with (
        time_machine.travel(case.deadline + dt.timedelta(days=1), tick=False),
        pytest.raises(TransitionNotAllowed, match=r"办理时限.*已过"),
    ):
        extension_request_create(
            case_id=case.pk,
            user=jizhou_officer,
            requested_deadline=case.deadline + dt.timedelta(days=30),
            reason="来不及",
        )
    assert not case.extension_requests.exists()


def test_an_extension_request_needs_a_reason_and_a_later_date_and_only_one_at_a_time(
    case: Case, jizhou_officer: User
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        extension_request_create(
            case_id=case.pk, user=jizhou_officer, requested_deadline=case.deadline, reason=""
        )
    assert set(excinfo.value.field_errors) == {"reason", "requested_deadline"}
    later = case.deadline + dt.timedelta(days=10)
    extension_request_create(
        case_id=case.pk, user=jizhou_officer, requested_deadline=later, reason="设备到货延迟"
    )
    with pytest.raises(TransitionNotAllowed, match="待审批"):
        extension_request_create(
            case_id=case.pk, user=jizhou_officer, requested_deadline=later, reason="再次申请"
        )
    assert case.extension_requests.count() == 1


def test_only_the_county_officer_requests_and_only_a_supervisor_decides(
    case: Case, jizhou_officer: User, supervisor: User, qingyuan_officer: User, leader: User
) -> None:
    later = case.deadline + dt.timedelta(days=10)
    with pytest.raises(PermissionDenied):
        extension_request_create(
            case_id=case.pk, user=supervisor, requested_deadline=later, reason="x"
        )
    with pytest.raises(NotFound):
        extension_request_create(
            case_id=case.pk, user=qingyuan_officer, requested_deadline=later, reason="x"
        )
    request = extension_request_create(
        case_id=case.pk, user=jizhou_officer, requested_deadline=later, reason="x"
    )
    with pytest.raises(PermissionDenied):
        extension_request_decide(request_id=request.pk, user=jizhou_officer, approve=True)
    with pytest.raises(PermissionDenied):
        extension_request_decide(request_id=request.pk, user=leader, approve=True)
    with pytest.raises(NotFound):
        extension_request_decide(request_id=request.pk, user=qingyuan_officer, approve=True)
    assert reload(case).deadline != later


# --- reassignment, stage conclusion, progress, milestones ----------------------------------------


def test_a_supervisor_reassigns_a_case_to_another_unit(case: Case, supervisor: User) -> None:
    old_unit = case.unit
    new_unit = ResponsibleUnit.objects.get(name="吉安市生态环境局")
    case_reassign(case_id=case.pk, user=supervisor, unit=new_unit, comment="涉及跨区域，转市局办理")
    assert reload(case).unit == new_unit
    event = last_event(case)
    assert event.action == Action.REASSIGN
    assert event.data["unit"] == [old_unit.name, "吉安市生态环境局"]
    assert event.comment == "涉及跨区域，转市局办理"


def test_reassignment_needs_a_supervisor_a_reason_and_an_open_case(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    unit = ResponsibleUnit.objects.get(name="吉安市水利局")
    with pytest.raises(PermissionDenied):
        case_reassign(case_id=case.pk, user=jizhou_officer, unit=unit, comment="x")
    with pytest.raises(InvalidInput) as excinfo:
        case_reassign(case_id=case.pk, user=supervisor, unit=unit, comment="")
    assert list(excinfo.value.field_errors) == ["comment"]
    advance(case, jizhou_officer, supervisor, State.CLOSED)
    with pytest.raises(TransitionNotAllowed):
        case_reassign(case_id=case.pk, user=supervisor, unit=unit, comment="转办")
    assert reload(case).unit != unit


def test_progress_reports_are_dated_validated_and_recorded(
    case: Case, jizhou_officer: User, leader: User
) -> None:
    report = progress_report_add(
        case_id=case.pk, user=jizhou_officer, text="已完成排查", percent=30
    )
    assert report.reported_by == jizhou_officer and report.reported_at is not None
    assert last_event(case).data == {"progress_report_id": report.pk, "percent": 30}
    with pytest.raises(InvalidInput) as excinfo:
        progress_report_add(case_id=case.pk, user=jizhou_officer, text="", percent=130)
    assert set(excinfo.value.field_errors) == {"text", "percent"}
    with pytest.raises(PermissionDenied):
        progress_report_add(case_id=case.pk, user=leader, text="领导批示", percent=10)
    assert case.progress_reports.count() == 1


def test_findings_carry_milestones_that_are_completed_once(
    supervisor: User, jizhou_officer: User, jizhou: Region, case: Case
) -> None:
    finding = new_case(
        supervisor,
        jizhou,
        kind=CaseKind.FINDING,
        milestones=[{"description": "完成方案编制", "target_date": dt.date(2026, 12, 1)}],
    )
    second = milestone_add(
        case_id=finding.pk,
        user=jizhou_officer,
        description="完成工程建设",
        target_date=dt.date(2027, 3, 1),
    )
    assert [m.sequence for m in finding.milestones.all()] == [1, 2]
    milestone_complete(milestone_id=second.pk, user=jizhou_officer)
    second.refresh_from_db()
    assert second.done_on == timezone.localdate()
    with pytest.raises(TransitionNotAllowed):
        milestone_complete(milestone_id=second.pk, user=jizhou_officer)
    with pytest.raises(InvalidInput):
        milestone_add(
            case_id=case.pk, user=jizhou_officer, description="x", target_date=dt.date(2027, 1, 1)
        )
    assert [e.action for e in CaseEvent.objects.filter(case=finding).order_by("id")] == [
        Action.CREATE,
        Action.MILESTONE_ADD,
        Action.MILESTONE_DONE,
    ]


# --- corrections ---------------------------------------------------------------------------------


def test_an_officer_fills_in_their_fields_and_each_change_is_recorded(
    case: Case, jizhou_officer: User
) -> None:
    case_update(
        case_id=case.pk,
        user=jizhou_officer,
        changes={
            "investigation": "经查属实",
            "penalty_cases": 2,
            "pollution_types": ["water", "air"],
        },
    )
    case = reload(case)
    assert case.investigation == "经查属实" and case.penalty_cases == 2
    assert sorted(case.pollution_types.values_list("code", flat=True)) == ["air", "water"]
    event = last_event(case)
    assert event.action == Action.UPDATE
    assert event.data["changes"]["investigation"] == ["", "经查属实"]
    assert event.data["changes"]["penalty_cases"] == [0, 2]
    assert event.data["changes"]["pollution_types"] == [[], ["大气", "水"]]


def test_an_officer_cannot_change_what_the_city_owns(case: Case, jizhou_officer: User) -> None:
    before = event_count(case)
    with pytest.raises(InvalidInput) as excinfo:
        case_update(
            case_id=case.pk,
            user=jizhou_officer,
            changes={
                "deadline": dt.date(2030, 1, 1),
                "acceptance_number": "X",
                "region": 1,
                "investigation": "ok",
            },
        )
    assert set(excinfo.value.field_errors) == {"deadline", "acceptance_number", "region"}
    assert reload(case).investigation == ""
    assert event_count(case) == before


def test_an_officer_cannot_edit_once_the_case_is_submitted(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    with pytest.raises(PermissionDenied):
        case_update(case_id=case.pk, user=jizhou_officer, changes={"investigation": "改"})


def test_a_supervisor_corrects_the_deadline_with_a_reason(case: Case, supervisor: User) -> None:
    old = case.deadline
    new = old + dt.timedelta(days=3)
    with pytest.raises(InvalidInput) as excinfo:
        case_update(case_id=case.pk, user=supervisor, changes={"deadline": new})
    assert list(excinfo.value.field_errors) == ["comment"]
    case_update(
        case_id=case.pk,
        user=supervisor,
        changes={"deadline": new.isoformat()},
        comment="原时限录入错误",
    )
    event = last_event(case)
    assert (event.deadline_before, event.deadline_after) == (old, new)
    assert reload(case).deadline == new


def test_an_edit_from_a_stale_copy_is_a_conflict(case: Case, jizhou_officer: User) -> None:
    version = reload(case).version
    case_update(
        case_id=case.pk,
        user=jizhou_officer,
        changes={"investigation": "第一次"},
        expected_version=version,
    )
    with pytest.raises(ConcurrentEdit):
        case_update(
            case_id=case.pk,
            user=jizhou_officer,
            changes={"investigation": "第二次"},
            expected_version=version,
        )
    assert reload(case).investigation == "第一次"


def test_an_unchanged_update_writes_no_event(case: Case, jizhou_officer: User) -> None:
    before = event_count(case)
    case_update(case_id=case.pk, user=jizhou_officer, changes={"investigation": ""})
    assert event_count(case) == before


# --- objections during public notice -------------------------------------------------------------


def test_a_pending_objection_blocks_closure_and_an_upheld_one_reopens(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, State.VERIFIED)
    objection = objection_record(case_id=case.pk, user=supervisor, content="群众反映仍有异味")
    with (
        time_machine.travel(case.notice_ends_on + dt.timedelta(days=1), tick=False),
        pytest.raises(TransitionNotAllowed, match="公示异议"),
    ):
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    with pytest.raises(InvalidInput) as excinfo:
        objection_decide(
            objection_id=objection.pk, user=supervisor, upheld=True, comment="异议成立"
        )
    assert list(excinfo.value.field_errors) == ["deadline"]
    assert reload(case).state == State.VERIFIED
    new_deadline = timezone.localdate() + dt.timedelta(days=30)
    objection_decide(
        objection_id=objection.pk,
        user=supervisor,
        upheld=True,
        comment="异议成立",
        deadline=new_deadline,
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    case = reload(case)
    assert case.state == State.RECTIFYING and case.reopen_count == 1
    assert (case.deadline, case.rectification_deadline) == (new_deadline, new_deadline)
    assert not case.is_overdue
    event = last_event(case)
    assert (event.action, event.data) == (Action.REOPEN, {"objection_id": objection.pk})
    assert event.deadline_after == new_deadline


def test_a_dismissed_objection_lets_the_case_close(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, State.VERIFIED)
    objection = objection_record(case_id=case.pk, user=supervisor, content="反映不实")
    objection_decide(
        objection_id=objection.pk, user=supervisor, upheld=False, comment="经核查不属实"
    )
    with time_machine.travel(case.notice_ends_on + dt.timedelta(days=1), tick=False):
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    assert reload(case).state == State.CLOSED
