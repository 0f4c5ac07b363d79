"""A petition's two steps: the feedback (办结, 阶段性办结 with its own rectification deadline,
正在办理 with the date it will be concluded by), then rectification. What is chased is always the
current step's deadline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from cases.models import (
    Action,
    Case,
    CaseEvent,
    CaseKind,
    FeedbackOutcome,
    Source,
    SourceKind,
    SourceStream,
    State,
)
from cases.services import case_feedback, case_transition
from casework.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from casework.models import Region, User
from notifications.models import CaseReminder
from supervision.exports import status_text
from tests.factories import new_case

pytestmark = pytest.mark.django_db

ASSIGNED_ON = dt.date(2026, 6, 1)  # a Monday
TRUE_FINDING = {"truth_finding": "true", "investigation": "经现场调查核实，群众反映问题属实。"}
STAGE = {
    **TRUE_FINDING,
    "outcome": "stage",
    "rectification_account": "已责令企业停产整改，依法立案查处。",
    "rectification_measures": "建设雨污分流管网，完善污水处理设施。",
}


@pytest.fixture
def petition(supervisor: User, jizhou: Region) -> Case:
    with time_machine.travel(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC), tick=False):
        return new_case(supervisor, jizhou, assigned_on=ASSIGNED_ON, deadline=None)


def on(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), tick=False)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_petition_starts_in_the_feedback_step_on_its_sources_rule(petition: Case) -> None:
    # The tests' source counts 10 working days: 1 June + 10 working days = 15 June.
    assert (petition.feedback_deadline, petition.deadline) == (dt.date(2026, 6, 15),) * 2
    assert petition.step == "feedback" and petition.feedback_outcome == ""
    assert petition.rectification_deadline is None


def test_an_on_site_batch_counts_calendar_days_by_default(supervisor: User, jizhou: Region) -> None:
    source = Source.objects.create(
        stream=SourceStream.objects.get(code="provincial"),
        name="省第四轮生态环境保护督察",
        kind=SourceKind.INSPECTION,
        report_days=7,
    )
    assert source.report_in_working_days is False
    with on(dt.date(2026, 9, 29)):
        case = new_case(supervisor, jizhou, source=source, deadline=None)
    # Straight through the National Day holiday, as the teams on site count.
    assert case.feedback_deadline == dt.date(2026, 10, 6)


def test_a_stage_conclusion_moves_the_chase_to_its_own_rectification_deadline(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    with on(dt.date(2026, 6, 8)):
        case = case_feedback(
            case_id=petition.pk,
            user=jizhou_officer,
            rectification_deadline=dt.date(2026, 9, 30),
            **STAGE,
        )
    case = reload(case)
    assert (case.state, case.feedback_outcome, case.step) == (
        State.RECTIFYING,
        FeedbackOutcome.STAGE,
        "rectification",
    )
    assert (case.deadline, case.rectification_deadline, case.feedback_deadline) == (
        dt.date(2026, 9, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 6, 15),
    )
    assert case.stage_concluded_at is not None and case.fed_back_at is not None
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        Action.FEEDBACK,
        State.ASSIGNED,
        State.RECTIFYING,
    )
    assert (event.deadline_before, event.deadline_after) == (
        dt.date(2026, 6, 15),
        dt.date(2026, 9, 30),
    )
    assert event.data == {
        "outcome": "stage",
        "truth_finding": "true",
        "late": False,
        "until": "2026-09-30",
    }
    # Past the feedback deadline nothing is late; the reminders follow the new deadline.
    with on(dt.date(2026, 7, 1)):
        assert not case.is_overdue
        assert not Case.objects.overdue().filter(pk=case.pk).exists()
        assert CaseReminder.objects.get(case=case).deadline == dt.date(2026, 9, 30)
        assert status_text(case) == "阶段性办结"
    with on(dt.date(2026, 10, 8)):
        assert Case.objects.overdue().filter(pk=case.pk).exists()
        # Due 30 Sep; the National Day holiday (1-7 Oct) is not counted: 8 Oct is the first.
        assert case.working_days_overdue() == 1


def test_concluded_feedback_sends_the_petition_to_verification(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    with on(dt.date(2026, 6, 16)):  # a day late
        case_feedback(
            case_id=petition.pk,
            user=jizhou_officer,
            outcome="concluded",
            rectification_account="已责令企业完成整改，现场无异味。",
            accountability_account="约谈企业负责人1人次。",
            **TRUE_FINDING,
        )
    case = reload(petition)
    assert (case.state, case.feedback_outcome, case.step) == (State.SUBMITTED, "concluded", None)
    assert case.accountability_account == "约谈企业负责人1人次。"
    assert CaseEvent.objects.filter(case=case).latest("id").data["late"] is True
    assert status_text(case) == "已办结"
    assert [t.spec.name for t in _transitions(case, supervisor)] == ["verify", "reject"]


def _transitions(case: Case, user: User) -> list:  # type: ignore[type-arg]
    from cases.services import case_available_transitions

    return case_available_transitions(case=case, user=user)


def test_an_untrue_petition_needs_no_rectification(
    petition: Case, jizhou_officer: User, supervisor: User
) -> None:
    untrue = {"truth_finding": "false", "investigation": "经现场调查，未发现反映的问题，不属实。"}
    with on(dt.date(2026, 6, 5)):
        with pytest.raises(InvalidInput) as excinfo:
            case_feedback(
                case_id=petition.pk,
                user=jizhou_officer,
                outcome="stage",
                rectification_measures="整改",
                rectification_deadline=dt.date(2026, 8, 1),
                **untrue,
            )
        assert "无需整改" in excinfo.value.field_errors["outcome"][0]
        assert reload(petition).state == State.ASSIGNED  # nothing half-written
        # Concluded on the investigation alone: no rectification account asked for.
        case_feedback(case_id=petition.pk, user=jizhou_officer, outcome="concluded", **untrue)
        case = case_transition(
            case_id=petition.pk,
            user=supervisor,
            transition="verify",
            data={"verification_conclusion": "经核查，该件不属实，同意办结。"},
        )
    assert case.state == State.VERIFIED and case.rectification_account == ""


def test_still_in_progress_keeps_the_feedback_step_to_the_date_promised(
    petition: Case, jizhou_officer: User
) -> None:
    with on(dt.date(2026, 6, 12)):
        case_feedback(
            case_id=petition.pk,
            user=jizhou_officer,
            outcome="in_progress",
            rectification_deadline="2026-06-26",
            **TRUE_FINDING,
        )
    case = reload(petition)
    assert (case.step, case.deadline, case.feedback_deadline) == (
        "feedback",
        dt.date(2026, 6, 26),
        dt.date(2026, 6, 15),
    )
    assert status_text(case) == "正在办理"
    with on(dt.date(2026, 6, 24)):
        case_feedback(
            case_id=petition.pk,
            user=jizhou_officer,
            rectification_deadline=dt.date(2026, 8, 31),
            **STAGE,
        )
    case = reload(petition)
    assert (case.step, case.deadline, case.feedback_outcome) == (
        "rectification",
        dt.date(2026, 8, 31),
        "stage",
    )


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"outcome": "done"}, ["outcome", "truth_finding", "investigation"]),
        (
            {**STAGE, "rectification_measures": ""},
            ["rectification_measures", "rectification_deadline"],
        ),
        ({**STAGE, "rectification_deadline": "2026-05-01"}, ["rectification_deadline"]),
        ({**STAGE, "rectification_deadline": "明年"}, ["rectification_deadline"]),
        ({**TRUE_FINDING, "outcome": "concluded"}, ["rectification_account"]),
        (
            {**STAGE, "truth_finding": "maybe", "rectification_deadline": "2026-07-01"},
            ["truth_finding"],
        ),
    ],
)
def test_incomplete_feedback_is_refused_field_by_field_and_changes_nothing(
    petition: Case, jizhou_officer: User, values: dict, fields: list[str]
) -> None:
    with on(dt.date(2026, 6, 5)), pytest.raises(InvalidInput) as excinfo:
        case_feedback(case_id=petition.pk, user=jizhou_officer, **values)
    assert sorted(excinfo.value.field_errors) == sorted(fields)
    case = reload(petition)
    assert (case.state, case.feedback_outcome, case.investigation, case.version) == (
        State.ASSIGNED,
        "",
        "",
        1,
    )


def test_who_may_feed_back_and_when(
    petition: Case,
    jizhou_officer: User,
    qingyuan_officer: User,
    supervisor: User,
    leader: User,
    jizhou: Region,
) -> None:
    with on(dt.date(2026, 6, 5)):
        with pytest.raises(NotFound):
            case_feedback(case_id=petition.pk, user=qingyuan_officer, **STAGE)
        for person in (supervisor, leader):
            with pytest.raises(PermissionDenied):
                case_feedback(case_id=petition.pk, user=person, **STAGE)
        finding = new_case(supervisor, jizhou, kind=CaseKind.FINDING)
        with pytest.raises(TransitionNotAllowed, match="反馈问题"):
            case_feedback(case_id=finding.pk, user=jizhou_officer, **STAGE)
        case_feedback(
            case_id=petition.pk,
            user=jizhou_officer,
            rectification_deadline=dt.date(2026, 7, 1),
            **STAGE,
        )
        with pytest.raises(TransitionNotAllowed):
            case_feedback(
                case_id=petition.pk,
                user=jizhou_officer,
                rectification_deadline=dt.date(2026, 7, 1),
                **STAGE,
            )
    assert CaseEvent.objects.filter(case=petition, action=Action.FEEDBACK).count() == 1


def test_the_api_takes_feedback_with_field_errors_and_conflicts(
    petition: Case, jizhou_officer: User
) -> None:
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    url = f"/api/v1/cases/{petition.pk}/feedback/"
    with on(dt.date(2026, 6, 5)):
        response = api.post(url, {**STAGE}, format="json")
        assert response.status_code == 400
        assert [e["attr"] for e in response.json()["errors"]] == ["rectification_deadline"]
        response = api.post(
            url,
            {**STAGE, "rectification_deadline": "2026-09-30", "expected_version": 1},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["step"], body["deadline"], body["feedback_deadline"]) == (
            "rectification",
            "2026-09-30",
            "2026-06-15",
        )
        assert "feedback" not in {a["name"] for a in body["allowed_actions"]}
        again = api.post(url, {**STAGE, "rectification_deadline": "2026-09-30"}, format="json")
        assert again.status_code == 409


def test_the_admin_feedback_page(petition: Case, jizhou_officer: User) -> None:
    web = Client()
    url = f"/admin/cases/case/{petition.pk}/act/feedback/"
    with on(dt.date(2026, 6, 5)):
        web.force_login(jizhou_officer)  # on that day: a session does not outlive a workday
        page = web.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "阶段性办结" in text and "整改时限" in text
        refused = web.post(url, {**STAGE, "rectification_deadline": ""})
        assert refused.status_code == 200
        assert "请填写整改时限" in refused.content.decode()
        done = web.post(url, {**STAGE, "rectification_deadline": "2026-09-30"})
        assert done.status_code == 302
    assert reload(petition).deadline == dt.date(2026, 9, 30)
