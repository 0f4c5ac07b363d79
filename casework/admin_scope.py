"""What every scoped model admin shares."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


class NotFoundOutsideScope:
    """For model admins whose querysets are scoped: a row outside the user's scope is a 404,
    the same as a row that does not exist (Django would redirect to the index with a hint)."""

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404
