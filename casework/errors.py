"""Domain errors. Services raise them; the admin and the API turn them into messages and HTTP codes
in one place each. Messages are written for the person who caused them, in their language."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base of every error a user can cause and be told about."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ApplicationError):
    """The object does not exist, or lies outside the user's jurisdiction (never say which)."""

    http_status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    http_status = 403
    code = "permission_denied"


class InvalidInput(ApplicationError):
    """Bad or missing input. ``field_errors`` maps a field name to its messages."""

    http_status = 400
    code = "invalid"

    def __init__(self, field_errors: dict[str, list[str] | str], message: str = "") -> None:
        normalised = {
            field: [str(m) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
            for field, msgs in field_errors.items()
        }
        first = next(iter(normalised.values()))[0] if normalised else ""
        super().__init__(message or first, extra={"field_errors": normalised})
        self.field_errors = normalised


class Conflict(ApplicationError):
    """The request is valid but the current state of the record does not allow it."""

    http_status = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class ConcurrentEdit(Conflict):
    """Someone else changed the record since the user loaded it."""

    code = "concurrent_edit"
