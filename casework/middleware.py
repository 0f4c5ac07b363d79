from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
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
