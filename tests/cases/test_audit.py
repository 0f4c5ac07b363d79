"""The audit trail cannot be rewritten quietly: the database refuses changes to events, and
each case's events form a hash chain that ``verify_audit`` re-walks, naming any break."""

from __future__ import annotations

import importlib
import io
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases.models import Case, CaseEvent, State
from casework.models import Region, User
from tests.cases.conftest import advance
from tests.factories import new_case


@pytest.fixture
def trail(supervisor: User, jizhou_officer: User, jizhou: Region) -> Case:
    return advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, State.VERIFIED)


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def tamper(sql: str, params: list) -> None:  # type: ignore[type-arg]
    """What someone with database access could do: get round the guard, change a row."""
    guard = importlib.import_module("cases.migrations.0004_event_hash_chain")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's way round triggers (the app's own role cannot do this in production).
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER cases_caseevent_append_only")
            cursor.execute(sql, params)
            cursor.execute(guard.SQLITE_GUARD)


def test_every_chain_holds_after_real_work(trail: Case) -> None:
    events = list(CaseEvent.objects.filter(case=trail).order_by("id"))
    assert len(events) == 4 and events[0].previous_hash == ""
    assert all(later.previous_hash == earlier.hash for earlier, later in pairwise(events))
    assert "OK: 4 events, every chain holds, the database guard is on" in verify()


def test_the_database_refuses_to_change_an_event(trail: Case) -> None:
    event = CaseEvent.objects.filter(case=trail).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET comment = %s WHERE id = %s", ["改写", event.pk])
    assert CaseEvent.objects.get(pk=event.pk).comment == event.comment


@pytest.mark.postgres
def test_the_database_refuses_to_delete_an_event(trail: Case) -> None:
    event = CaseEvent.objects.filter(case=trail).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_a_changed_event_is_named_by_verify_audit(trail: Case) -> None:
    event = CaseEvent.objects.filter(case=trail).order_by("id")[1]
    tamper("UPDATE cases_caseevent SET comment = %s WHERE id = %s", ["无异常", event.pk])
    with pytest.raises(CommandError, match="1 break"):
        verify()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"BROKEN case {trail.pk}, event {event.pk}: its content was changed" in out.getvalue()


def test_a_removed_event_is_named_by_verify_audit(trail: Case) -> None:
    _first, second, third = CaseEvent.objects.filter(case=trail).order_by("id")[:3]
    tamper("DELETE FROM cases_caseevent WHERE id = %s", [second.pk])
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"BROKEN case {trail.pk}, event {third.pk}: the event before it" in out.getvalue()
