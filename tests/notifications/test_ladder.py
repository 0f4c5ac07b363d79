"""Deadline reminders and the escalation ladder, with time frozen at each rung."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import State
from cases.services import case_transition, extension_request_create, extension_request_decide
from casework.models import Region, Role, User
from notifications.models import CaseReminder, Kind, Level, Notification
from notifications.services import reminders_scan
from tests.cases.conftest import advance
from tests.factories import UserFactory, membership, new_case

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 9, minute: int = 1) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False
    )


def inbox(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True)
    )


@pytest.fixture
def county_leader(jizhou: Region) -> User:
    return membership(UserFactory(username="jizhou_leader"), jizhou, Role.LEADER)


@pytest.fixture
def february_case(supervisor: User, jizhou: Region, jizhou_officer: User):  # type: ignore[no-untyped-def]
    # Due Friday 27 Feb 2026, just after the Spring Festival holiday (15-23 Feb).
    with at(dt.date(2026, 2, 2), 10):
        return new_case(
            supervisor,
            jizhou,
            acceptance_number="X3JX202602020001",
            assigned_on=dt.date(2026, 2, 2),
            deadline=dt.date(2026, 2, 27),
        )


def test_every_rung_of_the_ladder_in_working_days(
    february_case,
    jizhou_officer: User,
    supervisor: User,
    county_leader: User,
    leader: User,  # type: ignore[no-untyped-def]
) -> None:
    reminder = CaseReminder.objects.get(case=february_case)
    # 3 working days before Friday 27 Feb is Tuesday 24 Feb (the holiday does not count).
    assert reminder.next_reminder_at == dt.datetime(2026, 2, 24, 9, 0, tzinfo=SHANGHAI)

    with at(dt.date(2026, 2, 23)):  # still the holiday: nothing due
        assert reminders_scan() == 0
    ladder = [
        (
            dt.date(2026, 2, 24),
            "【提醒】X3JX202602020001 距办理时限还有 3 个工作日",
            Level.REMINDER,
        ),
        (
            dt.date(2026, 2, 26),
            "【提醒】X3JX202602020001 距办理时限还有 1 个工作日",
            Level.REMINDER,
        ),
        (dt.date(2026, 2, 27), "【提醒】X3JX202602020001 今日到期", Level.REMINDER),
        # The day after the deadline is Saturday 28 Feb, a swapped working day.
        (dt.date(2026, 2, 28), "【催办】X3JX202602020001 已逾期 1 个工作日", Level.CHASE),
        (dt.date(2026, 3, 5), "【督办】X3JX202602020001 已逾期 5 个工作日", Level.SUPERVISE),
        (dt.date(2026, 3, 12), "【通报】X3JX202602020001 已逾期 10 个工作日", Level.CIRCULAR),
        (dt.date(2026, 3, 19), "【约谈】X3JX202602020001 已逾期 15 个工作日", Level.INTERVIEW),
        (dt.date(2026, 3, 26), "【挂牌督办】X3JX202602020001 已逾期 20 个工作日", Level.LISTED),
    ]
    for day, title, level in ladder:
        with at(day, 8, 59):
            assert reminders_scan() == 0  # not before 09:00
        with at(day):
            assert reminders_scan() == 1
            assert reminders_scan() == 0  # a second scan sends nothing again
        assert Notification.objects.latest("id").title == title
        assert CaseReminder.objects.get(case=february_case).level == level

    assert inbox(jizhou_officer)[0] == "【已交办】X3JX202602020001"  # told when it was assigned
    reminders = Notification.objects.filter(recipient=jizhou_officer, kind=Kind.REMINDER)
    assert [t[:4] for t in reminders.order_by("id").values_list("title", flat=True)] == [
        "【提醒】",
        "【提醒】",
        "【提醒】",
        "【催办】",
        "【督办】",
        "【通报】",
        "【约谈】",
        "【挂牌督",
    ]
    # Every rung is addressed to the unit and its leaders, in the city office's name; the
    # city office does not chase itself (it reads the overdue list and the circular).
    assert [t[:4] for t in inbox(county_leader)] == [
        "【催办】",
        "【督办】",
        "【通报】",
        "【约谈】",
        "【挂牌督",
    ]
    assert inbox(supervisor) == []
    assert inbox(leader) == []  # the city leader hears of it in the weekly circular
    assert CaseReminder.objects.get(case=february_case).next_reminder_at is None
    body = Notification.objects.filter(recipient=jizhou_officer).latest("id").body
    assert body.startswith(f"{february_case.unit.name}：")
    assert "吉州区" in body and "2026年2月27日" in body
    # The case's kind and state by their labels, as the county reads them.
    assert f"交办信访件：{february_case.summary}" in body and "当前状态：已交办" in body
    assert "予以挂牌督办" in body  # the rung's own words, as the ladder's data has them
    assert body.endswith("吉安市生态环境保护督察整改工作领导小组办公室")


def test_an_approved_extension_resets_what_is_due(
    february_case,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    with at(dt.date(2026, 2, 26)):
        reminders_scan()
        reminders_scan()
        request = extension_request_create(
            case_id=february_case.pk,
            user=jizhou_officer,
            reason="设备到货延迟",
            requested_deadline=dt.date(2026, 3, 31),
        )
        extension_request_decide(request_id=request.pk, user=supervisor, approve=True)
        reminder = CaseReminder.objects.get(case=february_case)
        assert reminder.level == Level.NONE
        assert reminder.next_reminder_at == dt.datetime(2026, 3, 26, 9, 0, tzinfo=SHANGHAI)
    with at(dt.date(2026, 2, 28)):
        assert reminders_scan() == 0  # no chase: the deadline moved
    assert "批准延期" in inbox(jizhou_officer)[-1]  # the requester hears the decision


def test_submitting_stops_reminders_and_a_rejection_restarts_the_chase(
    february_case,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    with at(dt.date(2026, 2, 25)):
        advance(february_case, jizhou_officer, supervisor, State.SUBMITTED)
        assert CaseReminder.objects.get(case=february_case).next_reminder_at is None
    with at(dt.date(2026, 3, 3)):
        assert reminders_scan() == 0
        # Rejected after the deadline: sent back to a new deadline, not late at once.
        case_transition(
            case_id=february_case.pk,
            user=supervisor,
            transition="reject",
            comment="整改不到位",
            data={"deadline": dt.date(2026, 3, 10)},
        )
        assert reminders_scan() == 0
        assert CaseReminder.objects.get(case=february_case).next_reminder_at is not None
    with at(dt.date(2026, 3, 11)):
        # Owed work again and the new deadline passed: the chase restarts on it.
        assert reminders_scan() == 1
    assert inbox(jizhou_officer)[-2:] == [
        "【验收不通过】X3JX202602020001",
        "【催办】X3JX202602020001 已逾期 1 个工作日",
    ]


def test_signing_for_an_overdue_case_does_not_send_the_same_chase_again(
    february_case,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    """Seen in the scale-out rehearsal: an officer signed for (已交办 → 整改中) a case already
    chased, and the next scan sent the same 催办 again, as if a new schedule had begun."""
    with at(dt.date(2026, 3, 2)):
        assert reminders_scan() == 1  # 【催办】 at 09:00 the working day after the deadline
        case_transition(case_id=february_case.pk, user=jizhou_officer, transition="start")
        assert reminders_scan() == 0
    assert CaseReminder.objects.get(case=february_case).level == Level.CHASE
    with at(dt.date(2026, 3, 6)):  # the ladder goes on where it was: 督办 at +5 working days
        assert reminders_scan() == 1
    reminders = Notification.objects.filter(kind=Kind.REMINDER, recipient=jizhou_officer)
    assert [t.split(" ")[0] for t in reminders.order_by("id").values_list("title", flat=True)] == [
        "【催办】X3JX202602020001",
        "【督办】X3JX202602020001",
    ]


def test_after_an_outage_only_the_highest_rung_due_is_sent(
    february_case,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    with at(dt.date(2026, 3, 10)):  # the scanner was down from before the first reminder
        assert reminders_scan() == 1
        assert reminders_scan() == 0
    assert Notification.objects.filter(kind=Kind.REMINDER).get().title.startswith("【督办】")
    assert CaseReminder.objects.get(case=february_case).level == Level.SUPERVISE


def test_a_new_case_already_overdue_is_chased_at_once(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    with at(dt.date(2026, 3, 2), 15):
        case = new_case(
            supervisor, jizhou, assigned_on=dt.date(2026, 2, 2), deadline=dt.date(2026, 2, 27)
        )
        assert reminders_scan() == 1
    assert CaseReminder.objects.get(case=case).level == Level.CHASE


def test_rungs_that_can_be_counted_go_out_when_later_ones_cannot(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    # Due on the last day the calendar can count (lunar tables end with 2099): the reminders
    # before it go out; the chase rungs, in 2100, cannot be counted and are left out.
    with at(dt.date(2099, 12, 1)):
        case = new_case(
            supervisor, jizhou, assigned_on=dt.date(2099, 12, 1), deadline=dt.date(2099, 12, 31)
        )
    with at(dt.date(2099, 12, 28)):
        assert reminders_scan() == 1
    with at(dt.date(2099, 12, 31)):
        assert reminders_scan() == 1
    assert CaseReminder.objects.get(case=case).next_reminder_at is None
    reminders = Notification.objects.filter(recipient=jizhou_officer, kind=Kind.REMINDER)
    assert [
        t.split(" ", 1)[1] for t in reminders.order_by("id").values_list("title", flat=True)
    ] == [
        "距办理时限还有 3 个工作日",
        "今日到期",
    ]
