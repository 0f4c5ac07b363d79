"""The county ranking, the monthly 通报's table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseKind,
)
from casework import clock
from casework.models import Region
from supervision.reports.overdue import (
    overdue_cases,
)
from supervision.reports.rates import (
    closure_rates,
)
from supervision.reports.schedule import (
    schedule_totals,
)

# --- the county ranking (the monthly 通报's table) ----------------------------------------------

RANKING_ORDER = _(
    "Ranked by the petitions' 整改销号率, then their 办结率, then the fewest overdue cases; "
    "counties level on all three share a rank."
)


def county_ranking(*, cases: QuerySet[Case], day: dt.date | None = None) -> dict[str, Any]:
    """Each county of the cases: its petitions' 办结率 and 整改销号率, its findings behind
    schedule and overdue, its overdue cases; ranked (now, or at the end of ``day``)."""
    petitions = closure_rates(
        cases=cases.filter(kind=CaseKind.PETITION), group_by="county", day=day
    )
    schedule = {
        g["key"]: g for g in schedule_totals(cases=cases, group_by="county", day=day)["groups"]
    }
    overdue = dict(
        overdue_cases(cases=cases, day=day)
        .order_by()
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    names = dict(Region.objects.filter(pk__in=cases.values("region_id")).values_list("pk", "name"))
    by_county = {g["key"]: g for g in petitions["groups"]}
    rows = []
    for region_id, name in names.items():
        rates = by_county.get(region_id, {"assigned": 0, "rates": {}})
        findings = schedule.get(region_id, {})
        rows.append(
            {
                "region_id": region_id,
                "county": name,
                "petitions": rates["assigned"],
                "concluded_rate": rates["rates"].get("concluded_or_stage"),
                "closed_out_rate": rates["rates"].get("closed_out"),
                "findings": findings.get("total", 0),
                "findings_behind": findings.get("behind", 0),
                "findings_overdue": findings.get("overdue", 0),
                "overdue": overdue.get(region_id, 0),
            }
        )

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        lowest = Decimal(-1)
        return (
            -(row["closed_out_rate"] if row["closed_out_rate"] is not None else lowest),
            -(row["concluded_rate"] if row["concluded_rate"] is not None else lowest),
            row["overdue"],
        )

    rows.sort(key=lambda r: (key(r), r["county"]))
    rank, previous = 0, None
    for position, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row["rank"] = rank
    return {
        "as_of": (day or clock.today()).isoformat(),
        "order": str(RANKING_ORDER),
        "definitions": petitions["definitions"],
        "rows": rows,
    }
