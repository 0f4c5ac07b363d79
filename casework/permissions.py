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
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_SUPERVISOR: frozenset(
        VIEW_ORGANISATION
        | {
            "casework.add_responsibleunit",
            "casework.change_responsibleunit",
            "casework.view_user",
            "casework.view_membership",
        }
    ),
    Role.COUNTY_OFFICER: frozenset(VIEW_ORGANISATION),
    Role.FIELD_INSPECTOR: frozenset(VIEW_ORGANISATION),
    Role.LEADER: frozenset(VIEW_ORGANISATION),
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
