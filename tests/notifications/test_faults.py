"""Faults in the real parts, survived with nothing lost and nothing sent twice: a Redis of our own
stopped in the middle of a reminder tick, and a Celery worker process killed with SIGKILL while
it is delivering. The database holds the work (reminders claimed by UPDATE, deliveries as rows
with a lease), so the broker and the worker can die at any moment."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from casework import workdays
from casework.models import Region, User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from notifications.services import notify, reminders_scan
from notifications.signals import delivery_created
from tests.factories import new_case
from tests.processes import OwnRedis, service_env, start_at_our_time, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def worker_in_this_process() -> Iterator[None]:
    """A real worker in a thread, on the broker the app points at (``own_redis``)."""
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_tick_loses_no_reminder_and_sends_none_twice(
    pinned_today: dt.date,
    robot,
    supervisor: User,
    jizhou: Region,
    qingyuan: Region,
    jizhou_officer: User,
    qingyuan_officer: User,
    request: pytest.FixtureRequest,
) -> None:  # type: ignore[no-untyped-def]
    for officer in (jizhou_officer, qingyuan_officer):
        ChannelPreference.objects.create(user=officer, channel="webhook", address=robot.url)
    deadline = workdays.shift_working_days(pinned_today, -2)  # the 催办 rung is due
    cases = [
        new_case(
            supervisor,
            region,
            acceptance_number=f"FAULT-{region.pk}-{n}",
            assigned_on=deadline - dt.timedelta(days=20),
            deadline=deadline,
        )
        for region in (jizhou, qingyuan)
        for n in range(3)
    ]
    robot.messages.clear()  # the assignment messages went out earlier, in-process
    Delivery.objects.all().delete()
    own_redis = request.getfixturevalue("own_redis")

    woken: list[int] = []

    def stop_redis_after_two(sender: object, delivery_id: int, **kwargs: object) -> None:
        woken.append(delivery_id)
        if len(woken) == 2:
            own_redis.kill()  # in the middle of the tick: two wake-ups queued, four to come

    delivery_created.connect(stop_redis_after_two, dispatch_uid="test.stop_redis_after_two")
    try:
        sent = reminders_scan()  # what the worker's tick runs; it must not fail with Redis gone
    finally:
        delivery_created.disconnect(dispatch_uid="test.stop_redis_after_two")
    assert sent == len(cases) and len(woken) == len(cases)
    chases = Notification.objects.filter(kind=Kind.REMINDER)
    assert sorted(chases.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == len(cases)
    assert robot.messages == []

    own_redis.start()  # back, empty: the two queued wake-ups were lost with it
    from notifications.tasks import tick

    with worker_in_this_process():
        tick.delay()
        assert wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == len(cases)
        )
        tick.delay()  # the next minute's tick finds nothing left to send
        time.sleep(1)
    titles = sorted(t.splitlines()[0] for t in robot.texts())
    assert titles == sorted(f"【催办】{c.acceptance_number} 已逾期 2 个工作日" for c in cases)
    assert reminders_scan() == 0  # and no reminder is due again


def start_worker_process(broker_url: str, lease_seconds: int) -> subprocess.Popen[bytes]:
    """A Celery worker in its own process, on this test's database and broker, at our time."""
    env = service_env(broker_url, CASEWORK_DELIVERY_LEASE_SECONDS=str(lease_seconds))
    return start_at_our_time(
        "celery",
        "-A",
        "config.celery_app",
        "worker",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "--loglevel",
        "WARNING",
        env=env,
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_is_replaced_and_the_message_goes_out(
    robot,
    own_redis: OwnRedis,
    settings,
    jizhou_officer: User,
) -> None:  # type: ignore[no-untyped-def]
    lease = 6  # longer than the webhook's 5 s timeout, as in production (300 s)
    settings.CASEWORK_DELIVERY_LEASE_SECONDS = lease
    ChannelPreference.objects.create(user=jizhou_officer, channel="webhook", address=robot.url)
    first = start_worker_process(own_redis.url, lease)
    second = None
    try:
        robot.hang_next.set()  # the robot takes the message and does not answer
        notify(
            recipients=[jizhou_officer],
            kind=Kind.SYSTEM,
            title="【提醒】FAULT-WORKER 今日到期",
            body="请及时办理。",
            dedupe="fault-worker",
        )  # committed: the wake-up goes to the worker
        delivery = Delivery.objects.get()
        assert wait_for(lambda: len(robot.messages) == 1, timeout=60), "the worker never sent"
        first.send_signal(signal.SIGKILL)  # mid-delivery: the robot has not answered
        first.wait(timeout=10)
        robot.release.set()
        claimed = Delivery.objects.get(pk=delivery.pk)
        assert (claimed.status, claimed.attempts) == (DeliveryStatus.PENDING, 1)

        second = start_worker_process(own_redis.url, lease)
        from notifications.tasks import tick

        # Beat's ticks, every few seconds here: the claim runs out and the sweep tries again.
        def sent() -> bool:
            tick.delay()
            return Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT

        assert wait_for(sent, timeout=60)
    finally:
        stop(first, second)
    done = Delivery.objects.get(pk=delivery.pk)
    assert done.attempts == 2 and done.sent_at is not None
    assert Notification.objects.filter(recipient=jizhou_officer).count() == 1  # the inbox: once
    # On the wire, the request cut off by the kill reached the robot before the retry did: a
    # delivery is at least once there (a chat robot has no idempotency key to stop that).
    assert [t.splitlines()[0] for t in robot.texts()] == ["【提醒】FAULT-WORKER 今日到期"] * 2
