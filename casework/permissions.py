"""Model permissions that follow from the roles a person holds.

Roles are data (memberships over regions); Django's permission checks (the admin's, DRF's) ask this
backend. Row-level limits (which county) are not decided here but by the scoped querysets
(``visible_to``) and by the lifecycle's permission rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.models import Role

if TYPE_CHECKING:
    from django.db.models import Model

    from casework.models import User

VIEW_ORGANISATION = {
    "casework.view_region",
    "casework.view_responsibleunit",
    "casework.view_calendaryear",
}
# Reading the ledger: every role that uses the admin.
VIEW_LEDGER = {
    f"cases.view_{model}"
    for model in (
        "case",
        "source",
        "sourcestream",
        "batch",
        "pollutiontype",
        "caseevent",
        "milestone",
        "progressreport",
        "extensionrequest",
        "objection",
        # Site checks filed from phones: without this the case page never showed them.
        "fieldcheck",
        # The evidence file (一案一档).
        "attachment",
        # Follow-ups with the complainant (回访).
        "followup",
    )
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_SUPERVISOR: frozenset(
        VIEW_ORGANISATION
        | VIEW_LEDGER
        | {
            "casework.add_responsibleunit",
            "casework.change_responsibleunit",
            "casework.view_user",
            "casework.view_membership",
            "cases.add_case",
            "cases.change_case",
            "cases.add_source",
            "cases.change_source",
            "cases.add_batch",
            "cases.change_batch",
            # The official holiday calendar, and the dates it would move earlier.
            "casework.add_calendaryear",
            "casework.change_calendaryear",
            "cases.view_daterecomputation",
            # Imports of batches and history ledgers (intake).
            "intake.add_importrun",
            "intake.view_importrun",
        }
    ),
    # Officers change their own county's cases; which fields and when is the service's rule.
    Role.COUNTY_OFFICER: frozenset(VIEW_ORGANISATION | VIEW_LEDGER | {"cases.change_case"}),
    Role.FIELD_INSPECTOR: frozenset(VIEW_ORGANISATION | {"cases.view_case"}),
    Role.LEADER: frozenset(VIEW_ORGANISATION | VIEW_LEDGER),
}


class RolePermissionBackend:
    """Grants the model permissions of the roles a user holds. Authenticates nobody."""

    def authenticate(self, request: object, **credentials: object) -> None:
        return None

    def get_all_permissions(self, user_obj: User, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        cache_name = "_role_perm_cache"
        if not hasattr(user_obj, cache_name):
            perms: set[str] = set()
            for role in user_obj.roles():
                perms |= ROLE_PERMISSIONS.get(role, frozenset())
            setattr(user_obj, cache_name, perms)
        return set(getattr(user_obj, cache_name))

    def has_perm(self, user_obj: User, perm: str, obj: Model | None = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: User, app_label: str) -> bool:
        return any(
            perm.split(".", 1)[0] == app_label for perm in self.get_all_permissions(user_obj)
        )
