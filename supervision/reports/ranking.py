"""The county ranking, the monthly 通报's table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Case,
    CaseKind,
)
from casework.models import Region
from supervision.reports.rates import RATE_DEFINITIONS, closure_counts, with_rates
from supervision.reports.tally import FINDING_COUNTS, Figures, figures

# --- the county ranking (the monthly 通报's table) ----------------------------------------------

RANKING_ORDER = _(
    "Ranked by the petitions' 整改销号率, then their 办结率, then the fewest overdue cases; "
    "counties level on all three share a rank."
)


def county_ranking(
    *, cases: QuerySet[Case], day: dt.date | None = None, found: Figures | None = None
) -> dict[str, Any]:
    """Each county of the cases: its petitions' 办结率 and 整改销号率, its findings behind
    schedule and overdue, its overdue cases; ranked (now, or at the end of ``day``). ``found``:
    the cases' figures when the caller has them (the dashboard), else counted here."""
    found = found or figures(cases=cases, day=day)
    names = dict(
        Region.objects.filter(Exists(cases.filter(region=OuterRef("pk")))).values_list("pk", "name")
    )
    closure = list(closure_counts())
    rows = []
    for region_id, name in names.items():

        def here(row: dict[str, Any], region_id: int = region_id) -> bool:
            return row["region_id"] == region_id

        rates = with_rates(
            found.total(lambda r, here=here: here(r) and r["kind"] == CaseKind.PETITION, closure)
        )
        findings = found.total(here, [*FINDING_COUNTS, "overdue_cases"])
        rows.append(
            {
                "region_id": region_id,
                "county": name,
                "petitions": rates["assigned"],
                "concluded_rate": rates["rates"]["concluded_or_stage"],
                "closed_out_rate": rates["rates"]["closed_out"],
                "findings": findings["findings"],
                "findings_behind": findings["behind"],
                "findings_overdue": findings["overdue"],
                "overdue": findings["overdue_cases"],
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
        "as_of": found.day.isoformat(),
        "order": str(RANKING_ORDER),
        "definitions": [d.as_dict() for d in RATE_DEFINITIONS],
        "rows": rows,
    }
