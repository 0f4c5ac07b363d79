from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases.models import Action, Case, CaseEvent, CaseKind, State
from cases.services import case_available_transitions, case_transition
from casework.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from casework.models import Region, User
from tests.cases.conftest import SUBMISSION, advance
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db


def events(case: Case) -> list[tuple[str, str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- assignment ----------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 2, 12, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_petition_is_due_ten_working_days_after_assignment_across_the_spring_festival(
    supervisor: User, jizhou: Region
) -> None:
    # 2026-02-12 (Thu) + 10 working days: 13th, the swapped working Saturday 14th, then after the
    # holiday (15th-23rd) the 24th-27th, the swapped working Saturday 28th, and 2nd-4th March.
    case = new_case(supervisor, jizhou, deadline=None)
    assert case.assigned_on == dt.date(2026, 2, 12)
    assert case.deadline == dt.date(2026, 3, 4)
    assert case.state == State.ASSIGNED
    assert events(case) == [(Action.CREATE, "", State.ASSIGNED)]
    assert CaseEvent.objects.get(case=case).deadline_after == dt.date(2026, 3, 4)


@time_machine.travel(dt.datetime(2026, 2, 12, 10, 0, tzinfo=dt.UTC), tick=False)
def test_a_source_counting_calendar_days_gives_a_calendar_deadline(
    supervisor: User, jizhou: Region
) -> None:
    calendar_source = source("省第三轮督察回头看", "provincial", report_in_working_days=False)
    case = new_case(supervisor, jizhou, source=calendar_source, deadline=None)
    assert case.deadline == dt.date(2026, 2, 22)


def test_a_finding_needs_the_deadline_of_its_plan(supervisor: User, jizhou: Region) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        new_case(supervisor, jizhou, kind=CaseKind.FINDING, deadline=None)
    assert "deadline" in excinfo.value.field_errors
    assert not Case.objects.exists()


def test_only_a_supervisor_puts_cases_on_the_ledger(
    jizhou_officer: User, leader: User, jizhou: Region
) -> None:
    for user in (jizhou_officer, leader):
        with pytest.raises(PermissionDenied):
            new_case(user, jizhou)
    assert not CaseEvent.objects.exists()


def test_an_acceptance_number_is_unique_within_its_source(supervisor: User, jizhou: Region) -> None:
    new_case(supervisor, jizhou, acceptance_number="X3JX202405160020")
    with pytest.raises(InvalidInput) as excinfo:
        new_case(supervisor, jizhou, acceptance_number="X3JX202405160020")
    assert "acceptance_number" in excinfo.value.field_errors
    other = source("省第三轮督察", "provincial")
    assert new_case(supervisor, jizhou, acceptance_number="X3JX202405160020", source=other)
    assert Case.objects.count() == 2


# --- every allowed transition --------------------------------------------------------------------


def test_the_county_officer_starts_their_case(case: Case, jizhou_officer: User) -> None:
    case = case_transition(
        case_id=case.pk, user=jizhou_officer, transition="start", comment="已签收"
    )
    assert reload(case).state == State.RECTIFYING
    assert reload(case).started_at is not None
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_state, event.to_state, event.actor, event.comment) == (
        Action.START,
        State.ASSIGNED,
        State.RECTIFYING,
        jizhou_officer,
        "已签收",
    )


def test_a_supervisor_may_start_a_case_too(case: Case, supervisor: User) -> None:
    case_transition(case_id=case.pk, user=supervisor, transition="start")
    assert reload(case).state == State.RECTIFYING


def test_the_officer_submits_with_the_rectification_account_and_truth_finding(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.RECTIFYING)
    case_transition(case_id=case.pk, user=jizhou_officer, transition="submit", data=SUBMISSION)
    case = reload(case)
    assert case.state == State.SUBMITTED
    assert case.rectification_account == SUBMISSION["rectification_account"]
    assert case.truth_finding == "true"


@time_machine.travel(dt.datetime(2026, 9, 29, 9, 0, tzinfo=dt.UTC), tick=False)
def test_verification_opens_a_notice_window_of_ten_working_days(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    case_transition(
        case_id=case.pk,
        user=supervisor,
        transition="verify",
        data={"verification_conclusion": "经现场核查，问题已整改到位。"},
    )
    case = reload(case)
    assert case.state == State.VERIFIED
    # From Tue 29 Sep 2026: 30 Sep, then after National Day 8, 9, 10 (a swapped working
    # Saturday), 12-16, 19 Oct.
    assert case.notice_ends_on == dt.date(2026, 10, 19)
    assert case.verification_conclusion == "经现场核查，问题已整改到位。"


def test_a_source_without_public_notice_may_close_at_once(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    no_notice = source("2025年长江经济带生态环境警示片", "yangtze_film", public_notice=False)
    case = advance(
        new_case(supervisor, jizhou, source=no_notice), jizhou_officer, supervisor, State.VERIFIED
    )
    assert case.notice_ends_on is None
    case_transition(case_id=case.pk, user=supervisor, transition="close")
    assert reload(case).state == State.CLOSED


def test_failing_verification_sends_the_case_back_with_the_reason(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    case_transition(case_id=case.pk, user=supervisor, transition="reject", comment="污水仍有外排")
    assert reload(case).state == State.RECTIFYING
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.comment) == (Action.REJECT, "污水仍有外排")


def test_closing_is_refused_while_the_notice_window_is_open_and_allowed_after(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, State.VERIFIED)
    before = CaseEvent.objects.count()
    with pytest.raises(TransitionNotAllowed, match="公示期尚未结束"):
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    assert CaseEvent.objects.count() == before
    [available] = [
        t for t in case_available_transitions(case=case, user=supervisor) if t.spec.name == "close"
    ]
    assert not available.allowed
    # The window's last day still belongs to the notice.
    with (
        time_machine.travel(case.notice_ends_on, tick=False),
        pytest.raises(TransitionNotAllowed),
    ):
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    with time_machine.travel(case.notice_ends_on + dt.timedelta(days=1), tick=False):
        case_transition(case_id=case.pk, user=supervisor, transition="close")
    assert reload(case).state == State.CLOSED
    assert reload(case).closed_at is not None


@pytest.mark.parametrize("from_state", [State.VERIFIED, State.CLOSED])
def test_a_supervisor_reopens_a_verified_or_closed_case_with_a_reason(
    from_state: str, case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, from_state)
    new_deadline = timezone.localdate() + dt.timedelta(days=45)
    case_transition(
        case_id=case.pk,
        user=supervisor,
        transition="reopen",
        comment="省督察回头看发现问题反弹",
        data={"deadline": new_deadline},
    )
    case = reload(case)
    assert case.state == State.RECTIFYING
    assert (case.deadline, case.step) == (new_deadline, "rectification")
    assert case.is_reopened and case.reopen_count == 1
    assert case.closed_at is None and case.notice_ends_on is None
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_state, event.comment) == (
        Action.REOPEN,
        from_state,
        "省督察回头看发现问题反弹",
    )


def test_reopening_without_a_new_deadline_is_refused_so_it_is_not_late_at_once(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    """A case closed long ago and reopened would be "逾期 913 天" on its old deadline."""
    case = advance(case, jizhou_officer, supervisor, State.CLOSED)
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(
            case_id=case.pk, user=supervisor, transition="reopen", comment="回头看发现反弹"
        )
    assert list(excinfo.value.field_errors) == ["deadline"]
    assert "办理时限" in excinfo.value.field_errors["deadline"][0]
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(
            case_id=case.pk,
            user=supervisor,
            transition="reopen",
            comment="回头看发现反弹",
            data={"deadline": timezone.localdate() - dt.timedelta(days=1)},
        )
    assert list(excinfo.value.field_errors) == ["deadline"]
    assert reload(case).state == State.CLOSED
    assert CaseEvent.objects.filter(case=case).count() == before


def test_failing_verification_after_the_deadline_asks_for_a_new_one(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    with time_machine.travel(case.deadline + dt.timedelta(days=3), tick=False):
        with pytest.raises(InvalidInput) as excinfo:
            case_transition(
                case_id=case.pk, user=supervisor, transition="reject", comment="整改不到位"
            )
        assert list(excinfo.value.field_errors) == ["deadline"]
        new = case.deadline + dt.timedelta(days=30)
        case_transition(
            case_id=case.pk,
            user=supervisor,
            transition="reject",
            comment="整改不到位",
            data={"deadline": new},
        )
        case = reload(case)
        assert (case.state, case.deadline, case.rectification_deadline) == (
            State.RECTIFYING,
            new,
            new,
        )
        assert not case.is_overdue


def test_reopening_sets_a_new_deadline_and_the_event_keeps_both(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, State.VERIFIED)
    old = case.deadline
    new = old + dt.timedelta(days=30)
    case_transition(
        case_id=case.pk,
        user=supervisor,
        transition="reopen",
        comment="异议成立",
        data={"deadline": new},
    )
    assert reload(case).deadline == new
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.deadline_before, event.deadline_after) == (old, new)


# --- every forbidden transition ------------------------------------------------------------------

WRONG_STATE = [
    (State.ASSIGNED, "submit"),
    (State.ASSIGNED, "verify"),
    (State.ASSIGNED, "reject"),
    (State.ASSIGNED, "close"),
    (State.ASSIGNED, "reopen"),
    (State.RECTIFYING, "start"),
    (State.RECTIFYING, "verify"),
    (State.RECTIFYING, "close"),
    (State.RECTIFYING, "reopen"),
    (State.RECTIFYING, "reject"),
    (State.SUBMITTED, "start"),
    (State.SUBMITTED, "submit"),
    (State.SUBMITTED, "close"),
    (State.SUBMITTED, "reopen"),
    (State.VERIFIED, "start"),
    (State.VERIFIED, "submit"),
    (State.VERIFIED, "verify"),
    (State.VERIFIED, "reject"),
    (State.CLOSED, "start"),
    (State.CLOSED, "submit"),
    (State.CLOSED, "verify"),
    (State.CLOSED, "reject"),
    (State.CLOSED, "close"),
]


@pytest.mark.parametrize(("state", "transition"), WRONG_STATE)
def test_it_refuses_a_transition_the_state_does_not_allow(
    state: str, transition: str, case: Case, jizhou_officer: User, supervisor: User
) -> None:
    case = advance(case, jizhou_officer, supervisor, state)
    before = events(case)
    user = jizhou_officer if transition in {"start", "submit"} else supervisor
    with pytest.raises(TransitionNotAllowed):
        case_transition(case_id=case.pk, user=user, transition=transition, comment="理由", data={})
    assert reload(case).state == state
    assert events(case) == before


WRONG_ROLE = [
    (State.ASSIGNED, "start", "leader"),
    (State.ASSIGNED, "start", "inspector"),
    (State.RECTIFYING, "submit", "supervisor"),
    (State.RECTIFYING, "submit", "leader"),
    (State.SUBMITTED, "verify", "jizhou_officer"),
    (State.SUBMITTED, "verify", "leader"),
    (State.SUBMITTED, "reject", "jizhou_officer"),
    (State.VERIFIED, "reopen", "jizhou_officer"),
    (State.VERIFIED, "reopen", "inspector"),
]


@pytest.mark.parametrize(("state", "transition", "persona"), WRONG_ROLE)
def test_it_refuses_a_transition_the_role_does_not_allow(
    state: str,
    transition: str,
    persona: str,
    case: Case,
    jizhou_officer: User,
    supervisor: User,
    request: pytest.FixtureRequest,
) -> None:
    case = advance(case, jizhou_officer, supervisor, state)
    before = events(case)
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        case_transition(
            case_id=case.pk,
            user=user,
            transition=transition,
            comment="理由",
            data=SUBMISSION if transition == "submit" else {},
        )
    assert reload(case).state == state
    assert events(case) == before


def test_an_officer_of_another_county_cannot_even_find_the_case(
    case: Case, qingyuan_officer: User, outsider: User
) -> None:
    for user in (qingyuan_officer, outsider):
        with pytest.raises(NotFound):
            case_transition(case_id=case.pk, user=user, transition="start")
    assert reload(case).state == State.ASSIGNED
    assert len(events(case)) == 1


def test_an_unknown_transition_is_bad_input(case: Case, supervisor: User) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(case_id=case.pk, user=supervisor, transition="delete")
    assert "transition" in excinfo.value.field_errors


# --- required comments and fields ----------------------------------------------------------------


def test_submitting_a_petition_needs_the_account_and_the_truth_finding(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.RECTIFYING)
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(case_id=case.pk, user=jizhou_officer, transition="submit")
    assert set(excinfo.value.field_errors) == {"rectification_account", "truth_finding"}
    assert "整改情况" in excinfo.value.field_errors["rectification_account"][0]
    assert reload(case).state == State.RECTIFYING
    assert reload(case).rectification_account == ""


def test_submitting_a_finding_needs_only_the_account(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    finding = new_case(supervisor, jizhou, kind=CaseKind.FINDING)
    advance(finding, jizhou_officer, supervisor, State.RECTIFYING)
    case_transition(
        case_id=finding.pk,
        user=jizhou_officer,
        transition="submit",
        data={"rectification_account": "已完成整改"},
    )
    assert reload(finding).state == State.SUBMITTED


def test_a_bad_truth_finding_is_a_field_error(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.RECTIFYING)
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(
            case_id=case.pk,
            user=jizhou_officer,
            transition="submit",
            data={**SUBMISSION, "truth_finding": "maybe"},
        )
    assert list(excinfo.value.field_errors) == ["truth_finding"]


def test_a_transition_refuses_fields_it_does_not_own(case: Case, jizhou_officer: User) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(
            case_id=case.pk,
            user=jizhou_officer,
            transition="start",
            data={"deadline": "2030-01-01"},
        )
    assert list(excinfo.value.field_errors) == ["deadline"]
    assert reload(case).state == State.ASSIGNED


@pytest.mark.parametrize(
    ("state", "transition", "fields"),
    [
        (State.SUBMITTED, "verify", ["verification_conclusion"]),
        (State.SUBMITTED, "reject", ["comment"]),
        (State.VERIFIED, "reopen", ["comment", "deadline"]),
    ],
)
def test_supervisor_decisions_need_their_conclusion_or_reason(
    state: str,
    transition: str,
    fields: list[str],
    case: Case,
    jizhou_officer: User,
    supervisor: User,
) -> None:
    case = advance(case, jizhou_officer, supervisor, state)
    before = events(case)
    with pytest.raises(InvalidInput) as excinfo:
        case_transition(case_id=case.pk, user=supervisor, transition=transition, comment="  ")
    assert list(excinfo.value.field_errors) == fields
    assert reload(case).state == state
    assert events(case) == before


# --- the event trail -----------------------------------------------------------------------------


def test_the_trail_has_one_event_per_change_in_order(
    case: Case, jizhou_officer: User, supervisor: User
) -> None:
    advance(case, jizhou_officer, supervisor, State.CLOSED)
    assert events(case) == [
        (Action.CREATE, "", State.ASSIGNED),
        (Action.START, State.ASSIGNED, State.RECTIFYING),
        (Action.SUBMIT, State.RECTIFYING, State.SUBMITTED),
        (Action.VERIFY, State.SUBMITTED, State.VERIFIED),
        (Action.CLOSE, State.VERIFIED, State.CLOSED),
    ]
    assert reload(case).version == 5


def test_events_are_never_edited_or_deleted(case: Case) -> None:
    event = CaseEvent.objects.get(case=case)
    event.comment = "篡改"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(comment="篡改")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(case=case).comment == ""


def test_the_state_cannot_be_assigned_directly(case: Case) -> None:
    with pytest.raises(AttributeError):
        case.state = State.CLOSED  # type: ignore[misc]


def test_available_transitions_follow_state_and_role(
    case: Case, jizhou_officer: User, supervisor: User, leader: User
) -> None:
    def names(user: User) -> list[str]:
        return [t.spec.name for t in case_available_transitions(case=reload(case), user=user)]

    assert names(jizhou_officer) == ["start"]
    assert names(supervisor) == ["start"]
    assert names(leader) == []
    advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    assert names(jizhou_officer) == []
    assert names(supervisor) == ["verify", "reject"]
