"""Checking the audit trail: every case's events re-hashed in order (``manage.py verify_audit``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from cases.models.events import CaseEvent, event_fields, event_hash

TRIGGER = "cases_caseevent_append_only"


@dataclass(frozen=True)
class Break:
    case_id: int
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"case {self.case_id}, event {self.event_id}: {self.problem}"


def audit_breaks() -> Iterator[Break]:
    """Each place where a case's chain does not hold: a row changed (its hash no longer matches
    its content) or a row missing or moved (its link does not point at the row before it)."""
    case_id, expected_previous = None, ""
    for event in CaseEvent.objects.order_by("case_id", "id").iterator(chunk_size=2000):
        if event.case_id != case_id:
            case_id, expected_previous = event.case_id, ""
        if event.previous_hash != expected_previous:
            yield Break(event.case_id, event.pk, "the event before it was changed or removed")
        if event.hash != event_hash(event.previous_hash, event_fields(event)):
            yield Break(event.case_id, event.pk, "its content was changed after it was written")
        expected_previous = event.hash


def audit_guard_present() -> bool:
    """Whether the database itself refuses changes to events (the trigger of migration 0004)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
                [TRIGGER],
            )
            row = cursor.fetchone()
            return row is not None and row[0] != "D"
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER]
            )
            return cursor.fetchone() is not None
    return False
