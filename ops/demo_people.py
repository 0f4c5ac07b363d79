"""Demo people, one per role, for trying the system out. Never for production data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from casework.models import Membership, Region, ResponsibleUnit, Role, User

DEFAULT_DEMO_PASSWORD = "jian-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role: str
    regions: tuple[str, ...]
    unit: str | None
    is_staff: bool
    description: str


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "supervisor",
        "刘督办",
        Role.CITY_SUPERVISOR,
        ("吉安市",),
        "市生态环境保护督察整改工作领导小组办公室",
        True,
        "市督察整改办 (city supervisor)",
    ),
    DemoPerson(
        "jizhou",
        "王吉州",
        Role.COUNTY_OFFICER,
        ("吉州区",),
        "吉州区人民政府",
        True,
        "吉州区经办人 (county officer)",
    ),
    DemoPerson(
        "qingyuan",
        "陈青原",
        Role.COUNTY_OFFICER,
        ("青原区",),
        "青原区人民政府",
        True,
        "青原区经办人 (county officer)",
    ),
    DemoPerson(
        "inspector",
        "赵核查",
        Role.FIELD_INSPECTOR,
        ("吉州区", "青原区"),
        None,
        False,
        "现场核查员，负责吉州区、青原区 (field inspector, API only)",
    ),
    DemoPerson(
        "leader",
        "孙领导",
        Role.LEADER,
        ("吉安市",),
        None,
        True,
        "市领导，只读 (leader, read-only)",
    ),
)


@transaction.atomic
def demo_users_load(*, password: str = DEFAULT_DEMO_PASSWORD) -> list[DemoPerson]:
    """Create or refresh the demo people; their password is reset to ``password``."""
    for person in DEMO_PEOPLE:
        user, _ = User.objects.get_or_create(username=person.username)
        user.full_name = person.full_name
        user.is_staff = person.is_staff
        user.is_active = True
        user.set_password(password)
        user.save()
        unit = ResponsibleUnit.objects.get(name=person.unit) if person.unit else None
        for region_name in person.regions:
            Membership.objects.update_or_create(
                user=user,
                region=Region.objects.get(name=region_name),
                role=person.role,
                defaults={"unit": unit},
            )
    return list(DEMO_PEOPLE)
