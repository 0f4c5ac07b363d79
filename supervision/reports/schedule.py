"""On-schedule progress (序时进度) of the findings: on schedule, behind, overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

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


def with_schedule_status(
    cases: QuerySet[Case], today: dt.date | None = None, *, then: bool = False
) -> QuerySet[Case]:
    """Annotate ``schedule_status`` on findings: completed (verified or closed out), overdue
    (past the deadline), behind (a task due by now is not done: 慢序时) or on_schedule. With
    ``then``, ``cases`` come from ``as_of(…, today)`` and are judged as they stood that day
    (with the deadline they had then)."""
    today = today or clock.today()
    deadline = "deadline_then" if then else "deadline"
    late_task = Milestone.objects.filter(case=OuterRef("pk"), target_date__lte=today).filter(
        Q(done_on__isnull=True) | Q(done_on__gt=today)
    )
    return cases.annotate(
        has_late_task=Exists(late_task),
        schedule_status=When_(
            When(concluded(THEN if then else TODAY), then=Value("completed")),
            When(Q(**{f"{deadline}__lt": today}), then=Value("overdue")),
            When(has_late_task=True, then=Value("behind")),
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
