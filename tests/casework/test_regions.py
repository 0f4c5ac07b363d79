from __future__ import annotations

import pytest

from casework.models import Region, RegionKind, Role, User
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db

JIAN_COUNTY_CODES = {
    "360802": "吉州区",
    "360803": "青原区",
    "360821": "吉安县",
    "360822": "吉水县",
    "360823": "峡江县",
    "360824": "新干县",
    "360825": "永丰县",
    "360826": "泰和县",
    "360827": "遂川县",
    "360828": "万安县",
    "360829": "安福县",
    "360830": "永新县",
    "360881": "井冈山市",
}


def names(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return set(queryset.values_list("name", flat=True))


def test_it_builds_the_tree_from_province_to_reporting_units(jian: Region) -> None:
    assert jian.parent.gb_code == "360000"
    children = {r.name: r for r in jian.children.all()}
    assert {code: children[name].gb_code for code, name in JIAN_COUNTY_CODES.items()} == {
        code: code for code in JIAN_COUNTY_CODES
    }
    for name in ("井冈山经济技术开发区", "庐陵新区", "市本级"):
        assert children[name].gb_code is None
    assert children["市本级"].kind == RegionKind.CITY_LEVEL
    assert len(children) == 16


def test_a_subtree_holds_a_region_and_everything_below_it(jian: Region) -> None:
    province = jian.parent
    assert names(province.subtree()) == names(Region.objects.all())
    assert names(jian.subtree()) == names(Region.objects.exclude(pk=province.pk))
    jizhou = Region.objects.get(name="吉州区")
    assert names(jizhou.subtree()) == {"吉州区"}
    assert [r.name for r in jizhou.ancestors()] == ["江西省", "吉安市", "吉州区"]


def test_moving_a_region_carries_its_sub_regions(jian: Region) -> None:
    jizhou = Region.objects.get(name="吉州区")
    street = Region.objects.create(name="白塘街道", kind=RegionKind.ZONE, parent=jizhou)
    lulin = Region.objects.get(name="庐陵新区")
    jizhou.parent = lulin
    jizhou.save()
    street.refresh_from_db()
    assert street.path == f"{lulin.path}{jizhou.pk}/{street.pk}/"
    assert names(lulin.subtree()) == {"庐陵新区", "吉州区", "白塘街道"}


def test_a_county_officer_sees_only_their_county(jizhou_officer: User) -> None:
    assert names(Region.objects.visible_to(jizhou_officer)) == {"吉州区"}


def test_a_supervisor_and_a_leader_see_the_whole_city(supervisor: User, leader: User) -> None:
    city = names(Region.objects.get(gb_code="360800").subtree())
    assert len(city) == 17
    assert names(Region.objects.visible_to(supervisor)) == city
    assert names(Region.objects.visible_to(leader)) == city
    assert "江西省" not in city


def test_an_inspector_sees_the_regions_they_serve(jizhou: Region, qingyuan: Region) -> None:
    inspector = membership(UserFactory(), jizhou, Role.FIELD_INSPECTOR)
    membership(inspector, qingyuan, Role.FIELD_INSPECTOR)
    assert names(Region.objects.visible_to(inspector)) == {"吉州区", "青原区"}


def test_an_outsider_an_inactive_user_and_anonymous_see_nothing(
    outsider: User, jizhou_officer: User
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert names(Region.objects.visible_to(outsider)) == set()
    assert names(Region.objects.visible_to(AnonymousUser())) == set()
    jizhou_officer.is_active = False
    assert names(Region.objects.visible_to(jizhou_officer)) == set()


def test_has_role_counts_a_role_held_over_a_region_above(
    supervisor: User, jizhou_officer: User, jizhou: Region, qingyuan: Region
) -> None:
    assert supervisor.has_role(Role.CITY_SUPERVISOR, jizhou)
    assert jizhou_officer.has_role(Role.COUNTY_OFFICER, jizhou)
    assert not jizhou_officer.has_role(Role.COUNTY_OFFICER, qingyuan)
    assert not jizhou_officer.has_role(Role.CITY_SUPERVISOR)
