"""Reads of the ledger, each scoped by ``Case.objects.visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from cases.models import (
    URGENT_FIRST,
    Case,
    DateRecomputation,
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    RecomputationStatus,
    State,
    urgency,
)
from cases.rules import is_city_supervisor
from casework import clock, workdays
from casework.inline import Inline, inline
from casework.models import User

# What each case is joined to, as one text: (the tables after FROM, the value, its order).
_JOINED = {
    "pollution_codes": (
        "cases_case_pollution_types t JOIN cases_pollutiontype x ON x.id = t.pollutiontype_id",
        "x.code",
        "x.sort_order, x.id",
    ),
    "pollution_names": (
        "cases_case_pollution_types t JOIN cases_pollutiontype x ON x.id = t.pollutiontype_id",
        "x.name",
        "x.sort_order, x.id",
    ),
    "co_unit_names": (
        "cases_case_co_units t JOIN casework_responsibleunit x ON x.id = t.responsibleunit_id "
        "JOIN casework_region r ON r.id = x.region_id",
        "x.name",
        "r.path, x.name",
    ),
}


def joined(name: str, separator: str) -> RawSQL:
    """An annotation: each case's ``name`` (``pollution_codes``, ``pollution_names``,
    ``co_unit_names``) joined by ``separator`` in the order the case page lists them (NULL for
    none), by a subquery per row that the through tables' unique indexes serve
    (PostgreSQL's string_agg, SQLite's group_concat). Cheaper than a prefetch for a page of
    rows (~3 ms for 50) and than a query per chunk for an export."""
    tables, value, order = _JOINED[name]
    rows = f'FROM {tables} WHERE t.case_id = "cases_case"."id"'
    if connection.vendor == "postgresql":
        sql = f"(SELECT string_agg({value}, %s ORDER BY {order}) {rows})"
    else:  # group_concat keeps the order of the rows it is given
        sql = f"(SELECT group_concat(v, %s) FROM (SELECT {value} AS v {rows} ORDER BY {order}))"
    return RawSQL(sql, [separator], output_field=CharField())


def count_up_to(cases: QuerySet[Case], limit: int) -> int:
    """How many cases, counting no further than ``limit + 1``: bare rows, without the list's
    columns or order (a full COUNT over a million cases costs more than the page)."""
    return cases.order_by().values("pk")[: limit + 1].count()


def case_list(*, fetched_by: User) -> QuerySet[Case]:
    """The cases this user may see, with what lists show, most urgent first.

    Urgency: work owed by the unit (assigned, rectifying) by deadline, then what waits for the
    city (submitted, then verified), then what is closed.
    """
    return _case_list().visible_to(fetched_by)


def case_page(*, fetched_by: User, lists: tuple[Inline, ...]) -> QuerySet[Case]:
    """The cases this user may see, each as its page shows it: its names (source, region,
    unit, batch, reminder) and ``lists`` read in its row (``casework.inline``)."""
    return _case_page(lists, connection.vendor).visible_to(fetched_by)


PAGE_RELATED = ("source__stream", "region", "unit", "batch", "reminder")


# Built once and never run themselves: each request adds its scope to a copy. Building them for
# every request cost ~1.5 ms of a case page, ~2 ms of the admin's list.
@cache
def _case_list() -> QuerySet[Case]:
    return (
        Case.objects.select_related(*PAGE_RELATED)
        .annotate(
            # The overdue list's "last progress report" column; a subquery, not a GROUP BY.
            last_progress_at=Subquery(
                ProgressReport.objects.filter(case=OuterRef("pk"))
                .order_by("-reported_at")
                .values("reported_at")[:1]
            ),
            urgency=urgency(),
        )
        .order_by(*URGENT_FIRST)
    )


@cache
def _case_page(lists: tuple[Inline, ...], vendor: str) -> QuerySet[Case]:
    return inline(Case.objects.order_by(), *lists, related=PAGE_RELATED)


@dataclass(frozen=True)
class TodaySummary:
    """What a person's day looks like: counts with the changelist filters that list them."""

    due_this_week: int
    overdue: int
    to_start: int
    to_verify: int
    extensions_pending: int
    to_close: int
    is_supervisor: bool
    unread_notifications: int
    scope: str = ""  # the regions the person works for: 吉州区, 吉安市
    calendar_warning: str | None = None  # next year still provisional (from 1 October)
    dates_to_confirm: int = 0  # dates the official calendar would move earlier


def case_today_summary(*, user: User, today: dt.date | None = None) -> TodaySummary:
    today = today or clock.today()
    cases = Case.objects.visible_to(user)
    open_cases = cases.open()
    return TodaySummary(
        due_this_week=open_cases.filter(
            deadline__gte=today, deadline__lte=today + dt.timedelta(days=7)
        ).count(),
        overdue=cases.overdue(today).count(),
        to_start=cases.filter(state=State.ASSIGNED).count(),
        to_verify=cases.filter(state=State.SUBMITTED).count(),
        extensions_pending=ExtensionRequest.objects.filter(
            case__in=cases, status=ExtensionStatus.PENDING
        ).count(),
        to_close=cases.filter(state=State.VERIFIED, notice_ends_on__lt=today).count()
        + cases.filter(state=State.VERIFIED, notice_ends_on__isnull=True).count(),
        is_supervisor=is_city_supervisor(user),
        scope="、".join(sorted(set(user.memberships.values_list("region__name", flat=True)))),
        unread_notifications=user.notifications.filter(read_at__isnull=True).count(),
        calendar_warning=workdays.next_year_warning(today),
        dates_to_confirm=DateRecomputation.objects.filter(
            case__in=cases, status=RecomputationStatus.PENDING
        ).count(),
    )
