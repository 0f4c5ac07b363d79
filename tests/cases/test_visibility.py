from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.models import Case
from casework.models import Region, Role, User
from tests.factories import UserFactory, membership, new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(supervisor: User, reference: None) -> dict[str, Case]:
    return {
        name: new_case(supervisor, Region.objects.get(name=name))
        for name in ("吉州区", "青原区", "井冈山市", "市本级")
    }


def seen(user: object) -> set[str]:
    return set(Case.objects.visible_to(user).values_list("region__name", flat=True))  # type: ignore[arg-type]


def test_a_county_officer_sees_only_their_county(
    ledger: dict[str, Case], jizhou_officer: User, qingyuan_officer: User
) -> None:
    assert seen(jizhou_officer) == {"吉州区"}
    assert seen(qingyuan_officer) == {"青原区"}


def test_supervisors_and_leaders_see_the_whole_city(
    ledger: dict[str, Case], supervisor: User, leader: User
) -> None:
    assert seen(supervisor) == seen(leader) == {"吉州区", "青原区", "井冈山市", "市本级"}


def test_an_inspector_sees_the_regions_they_serve(
    ledger: dict[str, Case], inspector: User, qingyuan: Region
) -> None:
    assert seen(inspector) == {"吉州区"}
    membership(inspector, qingyuan, Role.FIELD_INSPECTOR)
    assert seen(inspector) == {"吉州区", "青原区"}


def test_nobody_else_sees_anything(ledger: dict[str, Case], outsider: User) -> None:
    assert seen(outsider) == set()
    assert seen(AnonymousUser()) == set()
    assert seen(None) == set()
    deactivated = UserFactory(is_active=False)
    membership(deactivated, Region.objects.get(gb_code="360800"), Role.CITY_SUPERVISOR)
    assert seen(deactivated) == set()


def test_reassigning_to_another_region_moves_the_case_out_of_sight(
    ledger: dict[str, Case], supervisor: User, jizhou_officer: User, qingyuan_officer: User
) -> None:
    from cases.services import case_reassign
    from casework.models import ResponsibleUnit

    qingyuan = Region.objects.get(name="青原区")
    case_reassign(
        case_id=ledger["吉州区"].pk,
        user=supervisor,
        comment="属地调整",
        unit=ResponsibleUnit.objects.get(name="青原区人民政府"),
        region=qingyuan,
    )
    assert seen(jizhou_officer) == set()
    assert Case.objects.visible_to(qingyuan_officer).count() == 2
