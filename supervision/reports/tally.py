"""Every count the dashboard shows, in one pass over the cases: per county, kind and source
stream, the closure counts under each definition, the findings' 序时进度 and the overdue cases.
The sentences and the county ranking add these up (the dashboard reads the ledger once for
both, not five times)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from cases.models import Case, CaseKind
from casework import clock
from supervision.reports.rates import THEN, TODAY, as_of, closure_counts, overdue_at
from supervision.reports.schedule import (
    SCHEDULE_STATUSES,
    schedule_conditions,
    with_schedule_status,
)

FINDING = Q(kind=CaseKind.FINDING)


@dataclass(frozen=True)
class Figures:
    """The counts by (county, kind, stream); ``total`` adds up the rows a test keeps."""

    day: dt.date
    rows: list[dict[str, Any]]

    def total(self, keep: Callable[[dict[str, Any]], bool], names: Iterable[str]) -> dict:
        names = list(names)
        return {name: sum(row[name] for row in self.rows if keep(row)) for name in names}


# The counts of each row besides the seven closure counts (``rates.closure_counts``): the
# findings and their 序时进度 (``overdue`` among them: findings past their deadline), and
# ``overdue_cases``, the overdue cases of every kind.
FINDING_COUNTS = ("findings", *SCHEDULE_STATUSES)


def figures(*, cases: QuerySet[Case], day: dt.date | None = None) -> Figures:
    """The counts of ``cases`` by county, kind and stream, now or (``day`` before today) as
    they stood at the end of that day, in one query."""
    today = clock.today()
    past = day is not None and day < today
    if past:
        cases, at, when = as_of(cases, day), THEN, day  # type: ignore[arg-type]
    else:
        at, when = TODAY, today
    cases = with_schedule_status(cases, when, then=past)
    # Each status by its own condition, not by ``schedule_status`` (a CASE Django would repeat
    # in each count, with its search of the milestones); on schedule is the rest.
    conditions = schedule_conditions(when, then=past)
    counts = {
        **closure_counts(at),
        "findings": Count("id", filter=FINDING),
        **{
            s: Count("id", filter=FINDING & conditions[s])
            for s in ("completed", "overdue", "behind")
        },
        "overdue_cases": Count("id", filter=overdue_at(at, when)),
    }
    rows = list(
        cases.order_by()
        .values("region_id", "region__name", "kind", "source__stream__code")
        .annotate(**counts)
    )
    for row in rows:
        row["on_schedule"] = row["findings"] - row["completed"] - row["overdue"] - row["behind"]
    return Figures(day=when, rows=rows)
