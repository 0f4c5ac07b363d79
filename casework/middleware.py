from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
            return JsonResponse(
                {
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "request_too_large",
                            "attr": None,
                            "detail": translation.gettext("The request is too large."),
                        }
                    ],
                },
                status=413,
            )
        return self.get_response(request)
