"""The API's JSON parser, in a module of its own: DRF imports it while it is still loading its
views, so it may import nothing that imports them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser, with an answer in the client's language and a limit on nesting: a body
    nested thousands deep (a RecursionError, a 500 before) is refused like any other bad JSON."""

    MAX_DEPTH = 64

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except (exceptions.ParseError, RecursionError):
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        if _depth(data) > self.MAX_DEPTH:
            raise exceptions.ParseError(_("The request body is nested too deeply."))
        return data


def _depth(value: Any) -> int:
    """How deep JSON nests, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest
