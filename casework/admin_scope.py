"""What every scoped model admin shares."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.http import Http404, HttpRequest, HttpResponse


class NotFoundOutsideScope:
    """For model admins whose querysets are scoped: a row outside the user's scope is a 404,
    the same as a row that does not exist (Django would redirect to the index with a hint)."""

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404


class BadLookupsRefused:
    """A changelist whose query string cannot be a date or a number (a year of eleven digits,
    a day 99) goes back to the plain list with Django's "invalid lookup" notice, not a 500."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc
