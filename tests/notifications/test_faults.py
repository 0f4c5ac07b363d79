"""Faults in the real parts, survived with nothing lost and nothing sent twice: a Redis of our own
stopped in the middle of a reminder tick, and a Celery worker process killed with SIGKILL while
it is delivering. The database holds the work (reminders claimed by UPDATE, deliveries as rows
with a lease), so the broker and the worker can die at any moment."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from casework import workdays
from casework.models import Region, User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from notifications.services import notify, reminders_scan
from notifications.signals import delivery_created
from tests.conftest import REQUIRE_SERVICES
from tests.factories import new_case
from tests.notifications.test_engine_integration import use_broker, wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a free port, that the test may stop and start."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        assert wait_for(lambda: self._answers(client), timeout=10), "redis-server did not start"

    @staticmethod
    def _answers(client: object) -> bool:
        import redis

        try:
            return bool(client.ping())  # type: ignore[attr-defined]
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()  # SIGKILL: no goodbye to its clients, no save
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required for the fault tests and is not installed")
        pytest.skip("needs redis-server")
    server = OwnRedis()
    server.start()
    previous = use_broker(server.url, eager=False)
    yield server
    use_broker(previous[0], eager=previous[1])
    server.kill()


@contextmanager
def worker_in_this_process(broker_url: str) -> Iterator[None]:
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

    with worker_in_this_process(own_redis.url):
        tick.delay()
        assert wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == len(cases)
        )
        tick.delay()  # the next minute's tick finds nothing left to send
        time.sleep(1)
    titles = sorted(t.splitlines()[0] for t in robot.texts())
    assert titles == sorted(f"【催办】{c.acceptance_number} 已逾期 2 个工作日" for c in cases)
    assert reminders_scan() == 0  # and no reminder is due again


# The worker's process keeps this process's "now" (CASEWORK_TODAY travels the test process).
WORKER_AT_OUR_TIME = """
import datetime as dt, sys, time_machine
time_machine.travel(dt.datetime.fromisoformat(sys.argv[1]), tick=True).start()
from celery.__main__ import main
sys.argv = ["celery", *sys.argv[2:]]
main()
"""


def start_worker_process(broker_url: str, lease_seconds: int) -> subprocess.Popen[bytes]:
    """A Celery worker in its own process, on this test's database and broker, at our time."""
    from casework import clock

    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CASEWORK_DELIVERY_LEASE_SECONDS": str(lease_seconds),
        "CASEWORK_WEBHOOK_HOSTS": "127.0.0.1",
        "CASEWORK_WEBHOOK_REQUIRE_HTTPS": "0",
        "CASEWORK_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    return subprocess.Popen(
        [
            *(sys.executable, "-c", WORKER_AT_OUR_TIME, clock.now().isoformat()),
            *("-A", "config.celery_app", "worker"),
            *("--pool", "solo", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    done = Delivery.objects.get(pk=delivery.pk)
    assert done.attempts == 2 and done.sent_at is not None
    assert Notification.objects.filter(recipient=jizhou_officer).count() == 1  # the inbox: once
    # On the wire, the request cut off by the kill reached the robot before the retry did: a
    # delivery is at least once there (a chat robot has no idempotency key to stop that).
    assert [t.splitlines()[0] for t in robot.texts()] == ["【提醒】FAULT-WORKER 今日到期"] * 2
