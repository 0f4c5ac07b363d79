"""On-schedule progress (序时进度) of the findings: on schedule, behind, overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as When_

from cases.models import (
    Case,
    CaseKind,
    Milestone,
)
from casework import clock
from supervision.reports.rates import (
    GROUPS,
    THEN,
    TODAY,
    as_of,
    concluded,
)

# --- on schedule (序时进度) -------------------------------------------------------------------

SCHEDULE_STATUSES = ("completed", "on_schedule", "behind", "overdue")


def schedule_conditions(today: dt.date, *, then: bool = False) -> dict[str, Q]:
    """Which findings are completed (verified or closed out), overdue (past the deadline), behind
    (a task due by now is not done: 慢序时) or on schedule, each excluding those before it; over
    ``has_late_task`` (``with_schedule_status`` annotates it). With ``then``, as the cases stood
    at the end of ``today`` (``as_of``: the deadline they had then)."""
    at = THEN if then else TODAY
    done = concluded(at)
    late = Q(**{f"{at.deadline}__lt": today})
    return {
        "completed": done,
        "overdue": ~done & late,
        "behind": ~done & ~late & Q(has_late_task=True),
        "on_schedule": ~done & ~late & Q(has_late_task=False),
    }


def with_schedule_status(
    cases: QuerySet[Case], today: dt.date | None = None, *, then: bool = False
) -> QuerySet[Case]:
    """Annotate ``has_late_task`` and ``schedule_status`` (``schedule_conditions``) on findings.
    With ``then``, ``cases`` come from ``as_of(…, today)`` and are judged as they stood that day
    (with the deadline they had then)."""
    today = today or clock.today()
    # The cases with a task due and not done, as one set (a hashed IN, which PostgreSQL can
    # run in parallel workers; a correlated EXISTS kept a million-case report on one core).
    late = Milestone.objects.filter(target_date__lte=today).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=today)
    )
    conditions = schedule_conditions(today, then=then)
    return cases.annotate(
        has_late_task=ExpressionWrapper(
            Q(pk__in=late.values("case_id")), output_field=BooleanField()
        ),
        schedule_status=When_(
            *(When(conditions[s], then=Value(s)) for s in ("completed", "overdue", "behind")),
            default=Value("on_schedule"),
            output_field=CharField(),
        ),
    )


def schedule_totals(
    *,
    cases: QuerySet[Case],
    group_by: str | None = None,
    today: dt.date | None = None,
    day: dt.date | None = None,
) -> dict[str, Any]:
    """序时进度 of findings, now or (``day``) as they stood at the end of that day."""
    findings = cases.filter(kind=CaseKind.FINDING)
    if day is not None:
        findings = with_schedule_status(as_of(findings, day), day, then=True)
    else:
        findings = with_schedule_status(findings, today)
    counts = {status: Count("id", filter=Q(schedule_status=status)) for status in SCHEDULE_STATUSES}
    if not group_by:
        total = findings.aggregate(total=Count("id"), **counts)
        return {"total": total, "group_by": group_by, "groups": []}
    key, label = GROUPS[group_by]
    rows = findings.order_by().values(key, label).annotate(total=Count("id"), **counts)
    groups = [{"key": r.pop(key), "label": str(r.pop(label)), **r} for r in rows.order_by(label)]
    # Every finding is in exactly one group: the total is their sum, not a second pass.
    total = {name: sum(g[name] for g in groups) for name in ("total", *SCHEDULE_STATUSES)}
    return {"total": total, "group_by": group_by, "groups": groups}
