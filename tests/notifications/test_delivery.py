"""Delivery over the channels: each attempt recorded, retries with backoff, permanent failures
disable the channel and tell the supervisors; the weekly circular and the daily digest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases.services import case_transition
from casework.models import Region, User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from notifications.services import (
    circular_send,
    deliveries_sweep,
    delivery_attempt,
    digest_send,
    notification_mark_read,
    notify,
)
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def send_one(user: User, title: str = "【提醒】测试") -> Delivery | None:
    notify(recipients=[user], kind=Kind.SYSTEM, title=title, body="正文", dedupe=title)
    return Delivery.objects.order_by("id").last()


def test_a_webhook_message_reaches_the_robot_in_its_json_shape(robot, jizhou_officer: User) -> None:  # type: ignore[no-untyped-def]
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)
    delivery = send_one(jizhou_officer)
    assert delivery_attempt(delivery.pk) == DeliveryStatus.SENT
    assert robot.messages == [{"msgtype": "text", "text": {"content": "【提醒】测试\n正文"}}]
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.sent_at is not None) == (1, True)
    assert delivery_attempt(delivery.pk) is None  # sent once, never again


def test_a_transient_failure_is_retried_with_backoff(robot, jizhou_officer: User) -> None:  # type: ignore[no-untyped-def]
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)
    robot.answers = [(503, {}), (503, {})]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delivery = send_one(jizhou_officer)
        assert delivery_attempt(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 503"
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=1)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert deliveries_sweep() == 0  # not yet
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=1 + 2)  # doubled
    with time_machine.travel(start + dt.timedelta(minutes=3), tick=False):
        assert deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(robot.messages)) == (DeliveryStatus.SENT, 3, 3)


def test_a_permanent_failure_disables_the_channel_and_tells_the_supervisors(
    robot,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    preference = ChannelPreference.objects.create(
        user=jizhou_officer, channel="webhook", address=robot.url
    )
    robot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    delivery = send_one(jizhou_officer)
    assert delivery_attempt(delivery.pk) == DeliveryStatus.FAILED
    preference.refresh_from_db()
    assert not preference.enabled and "93000" in preference.disabled_reason
    alert = Notification.objects.get(recipient=supervisor, kind=Kind.SYSTEM)
    assert alert.title.startswith("【通知渠道已停用】")
    send_one(jizhou_officer, "【提醒】第二条")
    assert Delivery.objects.count() == 1  # nothing more is sent to a disabled channel


def test_email_and_sms_channels(jizhou_officer: User, settings, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ChannelPreference.objects.create(user=jizhou_officer, channel="email", address="wang@jz.gov.cn")
    ChannelPreference.objects.create(user=jizhou_officer, channel="sms", address="13800000000")
    notify(
        recipients=[jizhou_officer],
        kind=Kind.SYSTEM,
        title="【提醒】邮件",
        body="正文",
        dedupe="mail",
    )
    caplog.set_level("INFO")
    assert deliveries_sweep() == 2
    assert [(m.subject, m.to) for m in mail.outbox] == [("【提醒】邮件", ["wang@jz.gov.cn"])]
    assert "SMS to 13800000000: 【提醒】邮件" in caplog.text
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_the_inbox_counts_unread_and_marks_read(
    jizhou_officer: User, qingyuan_officer: User
) -> None:
    send_one(jizhou_officer, "【提醒】一")
    send_one(jizhou_officer, "【提醒】二")
    unread = Notification.objects.filter(recipient=jizhou_officer, read_at__isnull=True)
    assert unread.count() == 2
    notification_mark_read(notification_id=unread.first().pk, user=jizhou_officer)
    assert unread.count() == 1
    from casework.errors import NotFound

    with pytest.raises(NotFound):
        notification_mark_read(notification_id=unread.first().pk, user=qingyuan_officer)


def test_events_tell_the_county_what_happened(
    supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou, acceptance_number="JZ-EV-1")
    advance(case, jizhou_officer, supervisor, "submitted")
    case_transition(case_id=case.pk, user=supervisor, transition="reject", comment="污水仍外排")
    titles = list(
        Notification.objects.filter(recipient=jizhou_officer, kind=Kind.EVENT)
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert titles == ["【已交办】JZ-EV-1", "【验收不通过】JZ-EV-1"]
    body = Notification.objects.filter(recipient=jizhou_officer).latest("id").body
    assert "污水仍外排" in body
    assert f"交办信访件：{case.summary}" in body and "当前状态：整改中" in body
    assert not Notification.objects.filter(recipient=qingyuan_officer).exists()
    # Nobody is told of what they did themselves.
    assert not Notification.objects.filter(recipient=supervisor, kind=Kind.EVENT).exists()


@time_machine.travel(dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC), tick=False)
def test_the_weekly_circular_lists_everything_overdue_once_a_week(
    supervisor: User, leader: User, jizhou: Region, qingyuan: Region
) -> None:
    new_case(
        supervisor,
        jizhou,
        acceptance_number="JZ-LATE",
        assigned_on=dt.date(2026, 2, 2),
        deadline=dt.date(2026, 2, 27),
    )
    new_case(supervisor, qingyuan, acceptance_number="QY-ONTIME")
    assert circular_send() == 2
    assert circular_send() == 0  # same week: not again
    circular = Notification.objects.get(recipient=leader, kind=Kind.CIRCULAR)
    assert circular.title == "【通报】截至2026年3月9日，逾期未办结问题共 1 件"
    assert "JZ-LATE｜吉州区｜吉州区人民政府｜逾期 10 天" in circular.body
    assert "QY-ONTIME" not in circular.body


def test_the_daily_digest_goes_to_supervisors(supervisor: User, jizhou_officer: User) -> None:
    assert digest_send() == 1
    assert Notification.objects.get(kind=Kind.DIGEST).recipient == supervisor
    assert digest_send() == 0
