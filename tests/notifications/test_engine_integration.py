"""The engine with its real parts: concurrent scanners on PostgreSQL, a real Celery worker on
the machine's Redis, and a broker outage in the middle of a transition."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection

from cases.services import case_transition
from casework.models import Region, User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from notifications.services import reminders_scan
from tests.cases.conftest import advance
from tests.conftest import REQUIRE_SERVICES
from tests.factories import new_case
from tests.processes import use_broker, wait_for

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_exactly_once(
    supervisor: User,
    jizhou: Region,
    qingyuan: Region,
    jizhou_officer: User,
    qingyuan_officer: User,
) -> None:
    with time_machine.travel(dt.datetime(2026, 2, 2, 10, tzinfo=SHANGHAI), tick=False):
        cases = [
            new_case(
                supervisor, region, assigned_on=dt.date(2026, 2, 2), deadline=dt.date(2026, 2, 27)
            )
            for region in (jizhou, qingyuan)
            for _ in range(5)
        ]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def scan() -> None:
        try:
            barrier.wait()
            results.append(reminders_scan())
        finally:
            connection.close()

    # time_machine freezes the clock for the whole process, both threads included.
    with time_machine.travel(dt.datetime(2026, 2, 24, 9, 5, tzinfo=SHANGHAI), tick=False):
        threads = [threading.Thread(target=scan) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sum(results) == len(cases)
    reminders = Notification.objects.filter(kind=Kind.REMINDER)
    assert reminders.count() == len(cases)  # one officer per county, one message per case
    assert set(reminders.values_list("case_id", flat=True)) == {c.pk for c in cases}


@pytest.fixture
def celery_worker_on_redis(settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A real Celery worker (in a thread) on the machine's Redis, tasks not eager."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required and not answering at {REDIS_URL}")
        pytest.skip(f"needs Redis at {REDIS_URL}")
    previous = use_broker(REDIS_URL, eager=False)
    redis.Redis.from_url(REDIS_URL).delete("celery")  # no leftovers from an earlier run
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    use_broker(previous[0], eager=previous[1])


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_turns_a_due_case_into_an_inbox_message_and_a_webhook_call(
    pinned_today: dt.date,
    celery_worker_on_redis,
    robot,
    supervisor: User,
    jizhou: Region,
    jizhou_officer: User,  # type: ignore[no-untyped-def]
) -> None:
    from casework import workdays
    from notifications.tasks import tick

    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)

    # Two working days overdue: the chase (催办) rung, which goes to the county's officers.
    deadline = workdays.shift_working_days(pinned_today, -2)
    case = new_case(
        supervisor,
        jizhou,
        acceptance_number="REAL-WORKER-1",
        assigned_on=deadline - dt.timedelta(days=20),
        deadline=deadline,
    )
    tick.delay()
    assert wait_for(lambda: Notification.objects.filter(case=case, kind=Kind.REMINDER).exists())
    reminder = Notification.objects.get(case=case, kind=Kind.REMINDER, recipient=jizhou_officer)
    assert reminder.title == "【催办】REAL-WORKER-1 已逾期 2 个工作日"
    assert wait_for(lambda: any(t.startswith("【催办】REAL-WORKER-1") for t in robot.texts()))
    assert wait_for(lambda: not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists())
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_during_a_transition_loses_nothing(
    robot,
    supervisor: User,
    jizhou: Region,
    jizhou_officer: User,
    settings,  # type: ignore[no-untyped-def]
    request: pytest.FixtureRequest,
) -> None:
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)
    from casework import clock, workdays

    # Due well after today whatever today is, so that no reminder rung falls due in this test.
    case = advance(
        new_case(
            supervisor,
            jizhou,
            acceptance_number="OUTAGE-1",
            deadline=workdays.shift_working_days(clock.today(), 10),
        ),
        jizhou_officer,
        supervisor,
        "submitted",
    )
    robot.messages.clear()  # the assignment message went out earlier
    previous = use_broker("redis://127.0.0.1:1/0", eager=False)  # nothing listens there
    try:
        case_transition(
            case_id=case.pk, user=supervisor, transition="reject", comment="整改不到位"
        )  # commits although the wake-up cannot be sent
    finally:
        use_broker(previous[0], eager=previous[1])
    delivery = Delivery.objects.get(status=DeliveryStatus.PENDING)
    assert robot.messages == []

    request.getfixturevalue("celery_worker_on_redis")  # the broker is back, with a worker
    from notifications.tasks import tick

    tick.delay()  # beat's next tick
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT)
    assert [t.splitlines()[0] for t in robot.texts()] == ["【验收不通过】OUTAGE-1"]
