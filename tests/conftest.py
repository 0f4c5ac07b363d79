from __future__ import annotations

import os

import pytest
from django.db import connection

from casework.models import Region, Role, User
from casework.reference import reference_data_load
from tests.factories import UserFactory, membership

REQUIRE_SERVICES = os.environ.get("CASEWORK_REQUIRE_SERVICES") == "1"


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
    )
