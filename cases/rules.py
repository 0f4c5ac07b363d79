"""Who may do what to a case: the one module of predicates.

The lifecycle's transitions (``permission=`` on ``Case``), the services, the admin, the API and
the field checks all ask these. A role counts when held over the case's region or a region above
it (``User.has_role``); leaders and field inspectors change nothing but what is said here.
Row visibility (which cases a person sees at all) is ``Case.objects.visible_to``, not this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from casework.models import Region, Role, User


class Case(Protocol):
    """What these rules read of a case: its region and its co-operating units' regions (so they
    need not import the models)."""

    region: Region

    def co_unit_regions(self) -> list[Region]: ...


C = TypeVar("C", bound=Case)


def is_city_supervisor(user: User) -> bool:
    """A supervisor of the city office, whatever the case (city-wide settings, the ladder)."""
    return user.is_active and (user.is_superuser or user.has_role(Role.CITY_SUPERVISOR))


def is_supervisor_of(user: User, case: Case) -> bool:
    return user.is_active and (
        user.is_superuser or user.has_role(Role.CITY_SUPERVISOR, case.region)
    )


def is_officer_of(user: User, case: Case) -> bool:
    return user.is_active and user.has_role(Role.COUNTY_OFFICER, case.region)


def is_officer_or_supervisor_of(user: User, case: Case) -> bool:
    return is_officer_of(user, case) or is_supervisor_of(user, case)


def is_co_officer_of(user: User, case: Case) -> bool:
    """An officer over a region where one of the case's co-operating units (配合单位) is: they
    see the case and report progress on it; the lead unit answers for it."""
    return user.is_active and user.has_role_over_any(Role.COUNTY_OFFICER, case.co_unit_regions())


def may_report_progress(user: User, case: Case) -> bool:
    return is_officer_or_supervisor_of(user, case) or is_co_officer_of(user, case)


def may_see_complainant(user: User, case: Case) -> bool:
    """The complainant's name and phone: the lead county's officers and supervisors only."""
    return is_officer_or_supervisor_of(user, case)


def mask_name(name: str) -> str:
    """张三丰 → 张**: enough to tell people apart in a list, not to find them."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:] if digits else ""


def may_file_field_check(user: User, case: Case) -> bool:
    """Inspectors of the case's region, and those who may work the case."""
    return (
        user.is_active and user.has_role(Role.FIELD_INSPECTOR, case.region)
    ) or is_officer_or_supervisor_of(user, case)


def as_transition_permission(rule: Callable[[User, C], bool]) -> Callable[[C, User], bool]:
    """django-fsm calls ``permission(instance, user)``: the same rule, arguments turned."""

    def permission(case: C, user: User) -> bool:
        return rule(user, case)

    permission.__name__ = rule.__name__
    return permission
