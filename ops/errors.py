"""Error pages: the API answers in its one JSON shape even for a path that does not exist."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from casework.middleware import error_response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(404, "not_found", _("Not found."))
    return defaults.page_not_found(request, exception)
