from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from cases.api import CaseFilter
from cases.models import Batch, Case
from cases.notice import chinese_date
from cases.selectors import count_up_to
from casework import clock
from supervision import export_runs
from supervision.api import query_cases
from supervision.exports import (
    DISCLOSURE_COLUMNS,
    LEDGER_COLUMNS,
    disclosure_heading,
    table_workbook,
    workbook,
)
from supervision.reports import county_ranking

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(stream, filename: str) -> FileResponse:  # type: ignore[no-untyped-def]
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


@extend_schema(
    responses={(200, XLSX): OpenApiTypes.BINARY},
    description="Takes the query parameters of GET /api/v1/cases/ (state, region, overdue, ...).",
)
@api_view(["GET"])
def ledger_export(request: Request) -> FileResponse:
    """The ledger (台账) of the cases the user may see, with the same filters as the case list."""
    filters = CaseFilter(request.query_params, queryset=Case.objects.visible_to(request.user))
    if not filters.is_valid():
        # The same 400 the case list gives: a mistyped filter must not export the whole ledger.
        raise ValidationError(filters.errors)
    cases = filters.qs.order_by("source", "assigned_on", "id")
    limit = export_runs.inline_limit()
    if count_up_to(cases, limit) > limit:
        # Minutes of writing would tie up a web process and outlast the proxy's timeout.
        raise ValidationError(
            _(
                "More than %(limit)s cases: narrow the filters, or export them from the case "
                "list, where a large ledger is written in the background."
            )
            % {"limit": f"{limit:,}"},
            code="export_too_large",
        )
    today = clock.today()
    return _xlsx(workbook(cases, LEDGER_COLUMNS, "台账"), f"台账-{today:%Y%m%d}.xlsx")


@extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
@api_view(["GET"])
def disclosure_export(request: Request, batch_id: int) -> FileResponse:
    """A batch's public disclosure table (群众信访举报转办和边督边改公开情况一览表)."""
    batch = Batch.objects.select_related("source").filter(pk=batch_id).first()
    cases = Case.objects.visible_to(request.user).filter(batch_id=batch_id)
    if batch is None or not cases.exists():
        raise Http404
    heading = disclosure_heading(batch)
    stream = workbook(
        cases.order_by("acceptance_number"), DISCLOSURE_COLUMNS, "公开情况一览表", heading=heading
    )
    return _xlsx(stream, f"{batch.source.name}-第{batch.number}批-公开情况一览表.xlsx")


RANKING_COLUMNS = [
    ("名次", "rank"),
    ("区县", "county"),
    ("交办信访件（件）", "petitions"),
    ("办结率（%）", "concluded_rate"),
    ("整改销号率（%）", "closed_out_rate"),
    ("督察反馈问题（个）", "findings"),
    ("慢于序时进度（个）", "findings_behind"),
    ("逾期问题（个）", "findings_overdue"),
    ("逾期案件（件）", "overdue"),
]


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


@extend_schema(
    responses={(200, XLSX): OpenApiTypes.BINARY},
    description="Takes the query parameters of the reports (as_of, source_stream, ...).",
)
@api_view(["GET"])
def ranking_export(request: Request) -> FileResponse:
    """The county ranking as the monthly 通报's Excel sheet."""
    cases, params = query_cases(request)
    ranking = county_ranking(cases=cases, day=params.get("as_of"))
    day = dt.date.fromisoformat(ranking["as_of"])
    rows = (
        [
            float(v) if isinstance(v, Decimal) else v
            for v in (row[key] for _, key in RANKING_COLUMNS)
        ]
        for row in ranking["rows"]
    )
    heading = f"截至{chinese_date(day)}各区县生态环境保护督察整改情况排名"
    stream = table_workbook([name for name, _ in RANKING_COLUMNS], rows, "排名", heading)
    return _xlsx(stream, f"区县排名-{day:%Y%m%d}.xlsx")
