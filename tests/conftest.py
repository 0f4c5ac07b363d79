from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from casework.models import Region, Role, User
from ops.reference import reference_data_load
from tests.factories import UserFactory, membership
from tests.robot import robot  # noqa: F401  (a fixture for every folder)

REQUIRE_SERVICES = os.environ.get("CASEWORK_REQUIRE_SERVICES") == "1"

# CASEWORK_TODAY=YYYY-MM-DD runs the whole suite as if it were that day (10:00 in Ji'an, the clock
# ticking on from there): CI runs the date-sensitive tests again on a Sunday, the eve of a holiday,
# a swapped working Saturday and 31 December, so that no test passes only on the day it was written.
_pinned = os.environ.get("CASEWORK_TODAY")
PINNED_TODAY = dt.date.fromisoformat(_pinned) if _pinned else None
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _ten_oclock(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)


def pytest_configure(config: pytest.Config) -> None:
    if PINNED_TODAY is not None:
        config._casework_traveller = time_machine.travel(_ten_oclock(PINNED_TODAY), tick=True)  # type: ignore[attr-defined]
        config._casework_traveller.start()  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = getattr(config, "_casework_traveller", None)
    if traveller is not None:
        traveller.stop()


@pytest.fixture
def pinned_today() -> Iterator[dt.date]:
    """The "today" of a test that needs time to pass for real (a real Celery worker): the run's
    CASEWORK_TODAY, or else a Sunday, the kind of day the old counting rule failed on."""
    day = PINNED_TODAY or dt.date(2026, 11, 29)
    with time_machine.travel(_ten_oclock(day), tick=True):
        yield day


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need PostgreSQL; where it is required (CI), its absence fails."""
    if connection.vendor == "postgresql":
        return
    if REQUIRE_SERVICES:
        pytest.exit("CASEWORK_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL", returncode=3)
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Uploaded files (photos, the evidence file) land in the test's own folder, not var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counts kept in the cache (login failures) start from nothing in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Years entered in one test (rolled back after it) are not remembered by the next."""
    from casework import workdays

    yield
    workdays.invalidate()


@pytest.fixture
def calendar_2027_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """2027 as it is while the State Council's notice is awaited: not in chinesecalendar, not
    shipped, not entered; whatever a newer chinesecalendar release might know."""
    from casework import workdays

    monkeypatch.setattr(workdays, "LIBRARY_YEARS", workdays.LIBRARY_YEARS - {2027, 2028})
    monkeypatch.setattr(workdays, "SHIPPED_YEARS", {})
    workdays.invalidate()


@pytest.fixture
def reference(db: None) -> None:
    """Regions, units and source streams, as loaded in production."""
    reference_data_load()


@pytest.fixture
def jian(reference: None) -> Region:
    return Region.objects.get(gb_code="360800")


@pytest.fixture
def jizhou(reference: None) -> Region:
    return Region.objects.get(gb_code="360802")


@pytest.fixture
def qingyuan(reference: None) -> Region:
    return Region.objects.get(gb_code="360803")


# Personas: a county officer of 吉州区, one of 青原区, a city supervisor, an inspector, a leader,
# and an outsider with no role at all.
@pytest.fixture
def jizhou_officer(jizhou: Region) -> User:
    return membership(UserFactory(username="jizhou_officer"), jizhou, Role.COUNTY_OFFICER)


@pytest.fixture
def qingyuan_officer(qingyuan: Region) -> User:
    return membership(UserFactory(username="qingyuan_officer"), qingyuan, Role.COUNTY_OFFICER)


@pytest.fixture
def supervisor(jian: Region) -> User:
    return membership(UserFactory(username="supervisor"), jian, Role.CITY_SUPERVISOR)


@pytest.fixture
def leader(jian: Region) -> User:
    return membership(UserFactory(username="leader"), jian, Role.LEADER)


@pytest.fixture
def inspector(jizhou: Region) -> User:
    return membership(
        UserFactory(username="inspector", is_staff=False), jizhou, Role.FIELD_INSPECTOR
    )


@pytest.fixture
def outsider(reference: None) -> User:
    return UserFactory(username="outsider")


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    return (
        f"casework: database={connection.vendor} broker={settings.CELERY_BROKER_URL.split('://')[0]}"
        f" require_services={REQUIRE_SERVICES}"
        + (f" today={PINNED_TODAY} (CASEWORK_TODAY)" if PINNED_TODAY else "")
    )


@pytest.fixture
def own_redis() -> Iterator[object]:
    """A redis-server of the test's own (tests.processes.OwnRedis) as Celery's broker, that the
    test may kill and start again; the machine's Redis is left alone."""
    import shutil

    from tests.processes import OwnRedis, use_broker

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
