"""The scale-out rehearsal: two web processes (gunicorn), two Celery workers and two beat
schedulers against one PostgreSQL and one Redis, officers' phones working the same cases through
both web processes for a minute. Every transition a client was told succeeded is recorded once
(and none it was refused), every case's trail matches its version, no request fails with a 5xx,
and every reminder due is delivered exactly once although two beats tick and two workers scan.
Set CASEWORK_REHEARSAL_SECONDS to run it longer (60 by default)."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from cases.models import Action, Case, CaseEvent, ProgressReport, State
from casework import clock, workdays
from casework.models import Region, User
from notifications.models import ChannelPreference, Delivery, DeliveryStatus, Kind, Notification
from scripts.mobile_e2e import Phone
from tests.factories import new_case
from tests.processes import OwnRedis, free_port, service_env, start_at_our_time, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SECONDS = int(os.environ.get("CASEWORK_REHEARSAL_SECONDS", "60"))
CASES_PER_COUNTY = 15
THREADS_PER_OFFICER = 3


def phone_for(base: str, username: str) -> Phone:
    """The project's own stand-in for a phone (scripts/mobile_e2e.py), logged in."""
    phone = Phone(base)
    status, body = phone.json(
        "POST", "/api/v1/auth/login/", {"username": username, "password": "pw-for-tests"}
    )
    assert status == 200, body
    phone.token = body["token"]
    return phone


def test_two_of_everything_under_load_records_each_change_once_and_sends_each_reminder_once(
    robot,
    own_redis: OwnRedis,
    supervisor: User,
    jizhou: Region,
    qingyuan: Region,
    jizhou_officer: User,
    qingyuan_officer: User,
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    deadline = workdays.shift_working_days(clock.today(), -2)  # the 催办 rung is due
    cases = {
        officer.username: [
            new_case(
                supervisor,
                region,
                acceptance_number=f"SCALE-{region.pk}-{n:02d}",
                assigned_on=deadline - dt.timedelta(days=20),
                deadline=deadline,
            ).pk
            for n in range(CASES_PER_COUNTY)
        ]
        for officer, region in ((jizhou_officer, jizhou), (qingyuan_officer, qingyuan))
    }
    # From now on every message to an officer also goes to the group robot, through the workers.
    for officer in (jizhou_officer, qingyuan_officer):
        ChannelPreference.objects.create(user=officer, channel="webhook", address=robot.url)

    env = service_env(own_redis.url, CASEWORK_TICK_SECONDS="3")
    ports = [free_port(), free_port()]
    processes = [
        *(
            start_at_our_time(
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                "1",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                env=env,
            )
            for port in ports
        ),
        *(
            start_at_our_time(
                "celery",
                "-A",
                "config.celery_app",
                "worker",
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--without-mingle",
                "--without-gossip",
                "--hostname",
                f"worker{n}@%h",
                "--loglevel",
                "WARNING",
                env=env,
            )
            for n in (1, 2)
        ),
        *(
            start_at_our_time(
                "celery",
                "-A",
                "config.celery_app",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(tmp_path / f"beat{n}"),
                env=env,
            )
            for n in (1, 2)
        ),
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:

        def web_up(base: str) -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # answering (503: the scan has not run yet)
            except OSError:
                return False

        assert wait_for(lambda: all(web_up(b) for b in bases), timeout=60), "web did not start"

        outcomes: list[tuple[str, int, str]] = []  # (what, status, web)
        errors: list[str] = []
        stop_at = time.monotonic() + SECONDS

        def phone(username: str, seed: int) -> None:
            rng = random.Random(seed)
            phones = {base: phone_for(base, username) for base in bases}
            while time.monotonic() < stop_at:
                base = rng.choice(bases)
                phone = phones[base]
                case_id = rng.choice(cases[username])
                try:
                    status, case = phone.json("GET", f"/api/v1/cases/{case_id}/")
                    outcomes.append(("read", status, base))
                    if status != 200:
                        continue
                    if case["state"] == State.ASSIGNED:
                        status, _ = phone.json(
                            "POST",
                            f"/api/v1/cases/{case_id}/transitions/",
                            {"transition": "start", "expected_version": case["version"]},
                        )
                        outcomes.append(("start", status, base))
                    else:
                        status, _ = phone.json(
                            "POST",
                            f"/api/v1/cases/{case_id}/progress-reports/",
                            {"text": f"排查进展{rng.randrange(1000)}", "percent": 30},
                        )
                        outcomes.append(("progress", status, base))
                except OSError as exc:  # refused, reset, timed out: a lost request
                    errors.append(repr(exc))

        threads = [
            threading.Thread(target=phone, args=(username, n * 10 + i))
            for n, username in enumerate(cases)
            for i in range(THREADS_PER_OFFICER)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 120)

        # The ticks keep coming; wait for every message to have gone out.
        def all_sent() -> bool:
            reminded = Notification.objects.filter(kind=Kind.REMINDER).count()
            waiting = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
            return reminded >= 2 * CASES_PER_COUNTY and waiting == 0

        assert wait_for(all_sent, timeout=60), "reminders or deliveries still waiting"
        time.sleep(6)  # two more ticks of each beat: they must find nothing more to send
    finally:
        stop(*processes)

    assert errors == []
    statuses = Counter((what, status) for what, status, _ in outcomes)
    assert not [key for key in statuses if key[1] >= 500], statuses
    assert {web for _, _, web in outcomes} == set(bases)  # both web processes served
    all_ids = [pk for ids in cases.values() for pk in ids]
    # Every transition a client was told succeeded is recorded once; the refused left nothing.
    started = CaseEvent.objects.filter(case_id__in=all_ids, action=Action.START)
    assert started.count() == statuses[("start", 200)]
    assert Counter(started.values_list("case_id", flat=True)).most_common(1)[0][1] == 1
    assert set(statuses) <= {
        ("read", 200),
        ("start", 200),
        ("start", 409),
        ("progress", 201),
        ("progress", 409),
    }, statuses
    reports = ProgressReport.objects.filter(case_id__in=all_ids).count()
    assert reports == statuses[("progress", 201)]
    for case in Case.objects.filter(pk__in=all_ids):
        assert case.version == CaseEvent.objects.filter(case=case).count(), case
    # Each due reminder reached its officer's inbox once, and the robot once.
    reminders = Notification.objects.filter(kind=Kind.REMINDER, case_id__in=all_ids)
    assert sorted(reminders.values_list("case_id", flat=True)) == sorted(all_ids), [
        (r.case_id, r.title, r.dedupe_key, r.created_at) for r in reminders.order_by("case_id")
    ]
    sent = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
    texts = Counter(robot.texts())
    assert sum(texts.values()) == sent and max(texts.values()) == 1
    chased = [t for t in texts if t.startswith("【催办】")]
    assert len(chased) == len(all_ids)
    print(f"\nrehearsal: {dict(statuses)}; {sent} messages delivered once each")
