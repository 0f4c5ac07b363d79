from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Simplified Chinese unless the person chose English (the language cookie set by
    the switcher). The browser's Accept-Language is not enough: most browsers here say en-US.
    The API honours Accept-Language, as mobile clients expect."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    """An error in the API's one shape (drf-standardized-errors), for answers given before DRF."""
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


# C0 control characters no field or filter needs (tab, newline and CR are text). NUL in particular
# breaks PostgreSQL text comparisons: a 500 from any admin filter, search or save.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f]")
ESCAPED_CONTROL = re.compile(r"\\u00(?:0[0-8]|0[eEfF]|1[0-9a-fA-F])")
# What Word pastes as line and page breaks: kept as the newline they mean.
BREAKS = re.compile(rb"%0[bBcC]|\x0b|\x0c")
JSON_BREAKS = re.compile(r"\\u000[bBcC]|[\x0b\x0c]")
FORM_CONTROLS = re.compile(rb"%(?:0[0-8]|0[eEfF]|1[0-9a-fA-F])|[\x00-\x08\x0e-\x1f]")


def form_text(value: str) -> str:
    """A typed text with Word's breaks as newlines and no invisible control characters."""
    return CONTROL_CHARACTERS.sub("", value.replace("\x0b", "\n").replace("\x0c", "\n"))


def _needs_cleaning(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value)) or "\x0b" in value or "\x0c" in value


class RefuseControlCharactersMiddleware:
    """Control characters never reach a view. Line and page breaks pasted from Word become
    newlines; in a form the other (invisible) control characters are dropped, so nothing typed
    is lost; a query string or a JSON body holding them is a 400 in the error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote_to_bytes(request.META.get("QUERY_STRING", "")).decode("utf-8", "replace")
        if CONTROL_CHARACTERS.search(query) or "\x0b" in query or "\x0c" in query:
            return self._refuse(request)
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if content_type.startswith("application/x-www-form-urlencoded"):
                request._body = FORM_CONTROLS.sub(b"", BREAKS.sub(b"%0A", request.body))
            elif content_type.startswith("multipart/form-data"):
                # Parsed here once (files spool to disk as usual); the view reads this copy.
                if any(_needs_cleaning(v) for _, vs in request.POST.lists() for v in vs):
                    cleaned = request.POST.copy()
                    for key, values in cleaned.lists():
                        cleaned.setlist(key, [form_text(v) for v in values])
                    request._post = cleaned
            elif content_type.startswith("application/json"):
                text = JSON_BREAKS.sub("\\\\n", request.body.decode("utf-8", "replace"))
                if CONTROL_CHARACTERS.search(text) or ESCAPED_CONTROL.search(text):
                    return self._refuse(request)
                request._body = text.encode()
        except RequestDataTooBig:
            return error_response(
                413, "request_too_large", translation.gettext("The request is too large.")
            )
        except (TooManyFieldsSent, TooManyFilesSent):
            return error_response(
                400,
                "parse_error",
                translation.gettext("The request has too many fields or files."),
            )
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        detail = translation.gettext("The request contains control characters.")
        if request.path.startswith("/api/"):
            return error_response(400, "control_characters", detail)
        return HttpResponseBadRequest(detail)


class RequestSizeLimitMiddleware:
    """Refuse oversized request bodies (413) before anything reads them. Django limits form
    fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files; nine photos of 10 MB fit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CASEWORK_MAX_REQUEST_BYTES:
            return error_response(
                413, "request_too_large", translation.gettext("The request is too large.")
            )
        return self.get_response(request)


CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts: the admin, the dashboard and Swagger UI need none
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a Content-Security-Policy (a script slipped into a
    case's text cannot run) and a Permissions-Policy (no camera, microphone or location pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class DatabaseUnavailableMiddleware:
    """The database went away in the middle of a request (a restart, a failover): the
    transaction rolled back, so the person is told in words to try again (503 with Retry-After),
    not shown a server error — the API in its error shape, a page elsewhere. A lifecycle retry
    carries its expected version and cannot land twice."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable during %s", request.path, exc_info=exception)
        message = _("The database could not be reached; nothing was saved. Try again shortly.")
        if request.path.startswith("/api/"):
            response: HttpResponse = error_response(503, "database_unavailable", message)
        else:
            response = HttpResponse(
                f'<!DOCTYPE html><html lang="{translation.get_language()}"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(message)}</title><p>{escape(message)}</p>"
                f'<p><a href="javascript:history.back()">{escape(_("Back"))}</a></p></html>',
                status=503,
            )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


class RequestRoleCache:
    """Each user's memberships read once per request (``casework.models.request_roles``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from casework.models import request_roles

        token = request_roles.set({})
        try:
            return self.get_response(request)
        finally:
            request_roles.reset(token)
