"""The overdue list, how late each case is, the overdue trend and the states by stream."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import (
    OPEN_STATES,
    Case,
    ProgressReport,
    State,
)
from casework import clock, workdays
from supervision.reports.rates import (
    THEN,
    as_of,
    day_end,
    overdue_at,
)

# --- overdue ------------------------------------------------------------------------------------


def overdue_cases(
    *, cases: QuerySet[Case], today: dt.date | None = None, day: dt.date | None = None
) -> QuerySet[Case]:
    """Overdue cases, most overdue first, with their last progress report date; with ``day``,
    those overdue at the end of that day (state and deadline rebuilt from their events: the
    deadline each had then is ``deadline_then``)."""
    # A subquery per listed case, not a GROUP BY over the whole list (292 → 31 ms on 100,000
    # cases): evaluated only for the rows listed.
    progress = ProgressReport.objects.filter(case=OuterRef("pk"))
    if day is None:
        today = today or clock.today()
        last_progress = progress.order_by("-reported_at").values("reported_at")[:1]
        return (
            cases.overdue(today)
            .select_related("region", "unit", "source__stream", "reminder")
            # The open cases' partial index (case_open_deadline_idx) serves the list in order.
            .annotate(last_progress_at=Subquery(last_progress))
            .order_by("deadline", "id")
        )
    last_progress = (
        progress.filter(reported_at__lt=day_end(day))
        .order_by("-reported_at")
        .values("reported_at")[:1]
    )
    return (
        as_of(cases, day)
        .filter(overdue_at(THEN, day))
        .select_related("region", "unit", "source__stream", "reminder")
        .annotate(last_progress_at=Subquery(last_progress))
        .order_by("deadline_then", "id")
    )


def days_overdue(case: Case, today: dt.date | None = None) -> tuple[int, int | None]:
    """Calendar days overdue, and working days where the source counts working days."""
    working = None
    if case.source.report_in_working_days:
        try:
            working = case.working_days_overdue(today)
        except workdays.CalendarOutOfRange:
            working = None
    return case.calendar_days_overdue(today), working


TREND_DEFINITION = _(
    "Cases overdue at the end of each week, as they stood then: open, past the deadline they "
    "had then (an extension counts from its approval), repeats counted with their originals; "
    "the same cases as the overdue list as of that day."
)


def overdue_trend(
    *, cases: QuerySet[Case], weeks: int = 12, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """How many cases were overdue at the end of each of the last weeks: ``overdue_at`` over
    the standing each case had then (so a point is the length of the overdue list as of that
    day), in one pass over the standings that overlap the weeks."""
    today = today or clock.today()
    days = [today - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    first, last = day_end(days[0]), day_end(days[-1])

    def covering(end: dt.datetime) -> Q:
        return Q(stood__since__lt=end) & (Q(stood__until__gte=end) | Q(stood__until__isnull=True))

    # Each case joined to its open standings overlapping the weeks: at most one covers each
    # week's end, so each week counts a case once.
    stood = FilteredRelation(
        "standings",
        condition=Q(standings__state__in=OPEN_STATES, standings__since__lt=last)
        & (Q(standings__until__gte=first) | Q(standings__until__isnull=True)),
    )
    counts = (
        cases.filter(assigned_on__lte=today, duplicate_of__isnull=True)
        .alias(stood=stood)
        .filter(stood__isnull=False)
        .annotate(
            state_then=F("stood__state"),
            deadline_then=Coalesce(F("stood__deadline"), F("deadline"), output_field=DateField()),
        )
        .aggregate(
            **{
                f"w{n}": Count(
                    "id",
                    filter=covering(day_end(day)) & overdue_at(THEN, day) & Q(assigned_on__lte=day),
                )
                for n, day in enumerate(days)
            }
        )
    )
    return [{"date": day, "overdue": counts[f"w{n}"]} for n, day in enumerate(days)]


def state_by_stream(*, cases: QuerySet[Case], day: dt.date | None = None) -> list[dict[str, Any]]:
    """How many cases of each source stream are in each state; as they stood at the end of
    ``day`` when given (``as_of``: rebuilt from their events), else as they stand now."""
    state = "state"
    if day is not None:
        cases, state = as_of(cases, day), "state_then"
    rows = (
        cases.order_by()
        .values("source__stream__code", "source__stream__short_name", "source__stream__sort_order")
        .annotate(**{s: Count("id", filter=Q(**{state: s})) for s in State.values})
        .order_by("source__stream__sort_order")
    )
    return [
        {
            "stream": r["source__stream__short_name"],
            "code": r["source__stream__code"],
            **{s: r[s] for s in State.values},
        }
        for r in rows
    ]
