"""The case list's rows (``cases.rows``): the columns its serializer reads, and its pollution
types' codes joined in the same query."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Case
from cases.rows import case_rows
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
    "batch__number",
    "region__name",
    "region__gb_code",
    "unit__name",
    "reminder__level",
    "pollution_codes",
)


def list_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` (from ``case_list``) read as rows, with their pollution types' codes."""
    return case_rows(cases.annotate(pollution_codes=joined("pollution_codes", ",")), *LIST_VALUES)
