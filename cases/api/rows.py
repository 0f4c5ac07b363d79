"""The case list's rows: plain objects made from the page's values, not Case instances.

Building fifty Case instances with their source, stream, region, unit, batch and reminder (and
django-fsm's copy of each one's state) took a third of a page's time. A ``CaseRow`` has the
columns the list shows by their names, the related names where the serializer's paths look for
them (``row.source.stream.code``), and the Case's own properties (``is_overdue``, ``days_left``,
``step``, ``state_label``, ``escalation_level``) — the same rules, read off the row.
``tests/cases/test_api_rows.py`` holds the rows equal to DRF's over whole cases."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.db.models import QuerySet
from django.db.models.query import ValuesIterable

from cases.models import Case
from cases.selectors import joined

# The columns a row reads: the serializer's, and what its properties ask.
LIST_VALUES = (
    "id",
    "kind",
    "acceptance_number",
    "summary",
    "state",
    "assigned_on",
    "deadline",
    "deadline_provisional",
    "duplicate_of_id",
    "feedback_outcome",
    "is_priority",
    "channel",
    "address",
    "latitude",
    "longitude",
    "reopen_count",
    "feedback_deadline",
    "rectification_deadline",
    "version",
    "updated_at",
    "urgency",  # the cursor's place (cases.selectors.case_list annotates it)
    "source__name",
    "source__stream__code",
    "batch_id",
    "batch__number",
    "region__name",
    "region__gb_code",
    "unit__name",
    "reminder__level",
    "pollution_codes",
)


class CaseRow:
    """A case as a list row reads it (above)."""

    is_overdue = Case.is_overdue
    days_left = Case.days_left
    step = Case.step
    state_label = Case.state_label
    escalation_level = Case.escalation_level
    calendar_days_overdue = Case.calendar_days_overdue

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values
        self.pk = values["id"]
        self.source = SimpleNamespace(
            name=values.pop("source__name"),
            stream=SimpleNamespace(code=values.pop("source__stream__code")),
        )
        number = values.pop("batch__number")
        self.batch = SimpleNamespace(number=number) if values["batch_id"] else None
        self.region = SimpleNamespace(
            name=values.pop("region__name"), gb_code=values.pop("region__gb_code")
        )
        self.unit = SimpleNamespace(name=values.pop("unit__name"))
        level = values.pop("reminder__level")
        self.reminder = SimpleNamespace(level=level) if level is not None else None


class _Rows(ValuesIterable):
    def __iter__(self) -> Iterator[CaseRow]:  # type: ignore[override]
        for values in super().__iter__():
            yield CaseRow(values)


def list_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` (from ``case_list``) read as ``CaseRow`` objects, with their pollution types'
    codes joined in the same query; filters, ordering and slicing apply as to any queryset."""
    rows = cases.annotate(pollution_codes=joined("pollution_codes", ",")).values(*LIST_VALUES)
    rows._iterable_class = _Rows  # a values() queryset whose rows are made into CaseRows
    return rows
