"""Starting the system's real processes (gunicorn, Celery workers and beats) from a test, on the
test's database and a broker, at the test's time (CASEWORK_TODAY travels the test process; the
child processes travel to the same moment)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from kombu import pools

ROOT = Path(__file__).resolve().parents[1]

AT_OUR_TIME = """
import datetime as dt, runpy, sys, time_machine
time_machine.travel(dt.datetime.fromisoformat(sys.argv[1]), tick=True).start()
module = sys.argv[2]
sys.argv = [module, *sys.argv[3:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def use_broker(url: str, *, eager: bool) -> tuple[str, bool]:
    """Point the Celery app at another broker (dropping its pooled connections)."""
    from config.celery_app import app

    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url=url, task_always_eager=eager)
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu's process-wide producer pools hold connections to the old broker
    return previous


def wait_for(predicate: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def service_env(broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a process serving this test: its database, the broker, tasks queued
    (not eager), and the local robot reachable."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CASEWORK_WEBHOOK_HOSTS": "127.0.0.1",
        "CASEWORK_WEBHOOK_REQUIRE_HTTPS": "0",
        "CASEWORK_WEBHOOK_ALLOW_PRIVATE": "1",
        **extra,
    }


def start_at_our_time(module: str, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m module args…`` in a child process whose clock reads what ours reads."""
    from casework import clock

    return subprocess.Popen(
        [sys.executable, "-c", AT_OUR_TIME, clock.now().isoformat(), module, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(*processes: subprocess.Popen[bytes] | None) -> None:
    for process in processes:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)


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
