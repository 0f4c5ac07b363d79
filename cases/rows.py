"""Cases read as plain rows, for lists and exports of many cases: a ``values()`` query whose rows
are ``CaseRow`` objects, not Case instances.

Building a Case with its source, stream, region, unit, batch and reminder (and django-fsm's copy
of its state) took a third of a list page's time and most of a 1,000-row report's. A row has the
values by name; a related path (``source__stream__code``) is folded into an object where the
serializers and the columns look for it (``row.source.stream.code``; ``None`` when the related
row is missing, as ``row.batch`` for a case without a batch); and the Case's own rules are read
off the row (``is_overdue``, ``days_left``, ``step``, ``state_label``, ``escalation_level``, days
overdue). ``tests/cases/test_api_rows.py`` holds the rows equal to DRF's over whole cases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

from cases.models import Case

# For each first step of a related path: its (rest, full name) pairs, and the plan of the rests.
Plan = dict[str, tuple[list[tuple[str, str]], "Plan"]]


class CaseRow:
    """A case as a list row or an export column reads it (above)."""

    is_overdue = Case.is_overdue
    days_left = Case.days_left
    step = Case.step
    state_label = Case.state_label
    escalation_level = Case.escalation_level
    calendar_days_overdue = Case.calendar_days_overdue
    working_days_overdue = Case.working_days_overdue

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values
        self.pk = values["id"]


def _plan(names: Iterable[str]) -> Plan:
    """Which names are related paths, grouped by their first step (made once per query)."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in names:
        head, sep, rest = name.partition("__")
        if sep:
            groups[head].append((rest, name))
    return {head: (pairs, _plan(rest for rest, _ in pairs)) for head, pairs in groups.items()}


class Related:
    """A related row's values as attributes (``row.source.stream.code``)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values


def _fold(values: dict[str, Any], plan: Plan) -> dict[str, Any]:
    # Plain loops: a comprehension per related row cost ~2 µs of each row's ~6 (the overdue
    # report's 1,000 rows, the exports' tens of thousands).
    for head, (pairs, inner) in plan.items():
        related = {}
        for rest, name in pairs:
            related[rest] = values.pop(name)
        if inner:
            _fold(related, inner)
        for value in related.values():
            if value is not None:
                values[head] = Related(related)
                break
        else:
            values[head] = None  # no values at all: no related row (a case without a batch)
    return values


class _Rows(ValuesIterable):
    def __iter__(self) -> Iterator[CaseRow]:  # type: ignore[override]
        plan: Plan | None = None
        for values in super().__iter__():
            if plan is None:
                plan = _plan(values)
            yield CaseRow(_fold(values, plan))


def case_rows(cases: QuerySet[Case], *names: str) -> QuerySet[Case]:
    """``cases`` read as ``CaseRow`` objects of ``names`` (fields, annotations and related
    paths); filters, ordering, slicing and ``iterator()`` apply as to any queryset."""
    rows = cases.values(*names)
    rows._iterable_class = _Rows  # a values() queryset whose rows are made into CaseRows
    return rows
