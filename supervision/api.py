"""Report endpoints: every figure from the user's scoped cases, computed in the database."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Batch, Case, CaseKind
from cases.rows import case_rows
from casework import clock
from casework.drf import MAX_ID, RowsSerializer
from casework.models import User
from supervision import reports


class ReportQuery(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=list(reports.GROUPS), required=False)
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    source_stream = serializers.CharField(required=False, max_length=40)
    source = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    batch = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    region = serializers.CharField(required=False, max_length=6, help_text="GB/T 2260 code")
    assigned_from = serializers.DateField(required=False)
    assigned_to = serializers.DateField(required=False)
    as_of = serializers.DateField(
        required=False,
        help_text="截至日期: the figures as the cases stood at the end of that day (default today)",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("assigned_from"), attrs.get("assigned_to")
        if start and end and start > end:
            raise serializers.ValidationError(
                {"assigned_to": _("The end of the period is before its start.")}
            )
        refusal = reports.as_of_refusal(attrs["as_of"]) if attrs.get("as_of") else ""
        if refusal:
            raise serializers.ValidationError({"as_of": refusal})
        return attrs


def query_cases(request: Request) -> tuple[QuerySet[Case], dict[str, Any]]:
    query = ReportQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    filters: dict[str, Any] = {}
    if "source" in params:
        filters["source_id"] = params["source"]
    if "batch" in params:
        filters["batch_id"] = params["batch"]
    if "region" in params:
        filters["region__gb_code"] = params["region"]
    user: User = request.user  # type: ignore[assignment]
    cases = reports.scoped_cases(
        user=user,
        kind=params.get("kind"),
        streams=[params["source_stream"]] if params.get("source_stream") else None,
        assigned_from=params.get("assigned_from"),
        assigned_to=params.get("assigned_to"),
        filters=filters,
    )
    return cases, params


class ClosureRateView(APIView):
    """Assigned, concluded, concluded for this stage, verified and closed out, with the rate
    under each definition (the response says which is which)."""

    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        return Response(
            reports.closure_rates(
                cases=cases, group_by=params.get("group_by"), day=params.get("as_of")
            )
        )


class ScheduleView(APIView):
    """序时进度 of findings: completed, on schedule, behind (慢序时), overdue."""

    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        return Response(
            reports.schedule_totals(
                cases=cases, group_by=params.get("group_by"), day=params.get("as_of")
            )
        )


class SentencesView(APIView):
    """The sentences a work report uses, with the numbers filled in, ready to paste."""

    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            reports.report_sentences(
                user=request.user,
                assigned_from=query.validated_data.get("assigned_from"),
                assigned_to=query.validated_data.get("assigned_to"),
                day=query.validated_data.get("as_of"),
            )
        )


class OverdueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    acceptance_number = serializers.CharField()
    summary = serializers.CharField()
    region = serializers.CharField(source="region.name")
    unit = serializers.CharField(source="unit.name")
    source_stream = serializers.CharField(source="source.stream.short_name")
    deadline = serializers.DateField()
    days_overdue = serializers.IntegerField()
    working_days_overdue = serializers.IntegerField(source="working_days", allow_null=True)
    escalation_level = serializers.IntegerField()
    last_progress_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        list_serializer_class = RowsSerializer


# What an overdue row reads (``cases.rows``): the serializer's columns, and what days_overdue
# and escalation_level ask (the source's counting, the reminder's rung).
OVERDUE_ROW = (
    "id",
    "acceptance_number",
    "summary",
    "deadline",
    "last_progress_at",
    "region__name",
    "unit__name",
    "source__stream__short_name",
    "source__report_in_working_days",
    "reminder__level",
)


class OverdueView(APIView):
    """Every overdue case the user may see, most overdue first; with ``as_of``, those overdue
    at the end of that day, each with the deadline it had then."""

    @extend_schema(parameters=[ReportQuery], responses=OverdueRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        day = params.get("as_of")
        then = ("deadline_then",) if day is not None else ()
        found = case_rows(reports.overdue_cases(cases=cases, day=day), *OVERDUE_ROW, *then)
        rows = []
        for row in found[:1000]:
            if day is not None:
                row.deadline = row.deadline_then  # the deadline it had then
            row.days_overdue, row.working_days = reports.days_overdue(row, day)  # type: ignore[arg-type]
            rows.append(row)
        return Response(OverdueRowSerializer(rows, many=True).data)


class RankingView(APIView):
    """The counties ranked (the monthly 通报's table): petitions' 办结率 and 整改销号率, findings
    behind schedule and overdue, overdue cases; with ``as_of``, as they stood that day."""

    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        return Response(reports.county_ranking(cases=cases, day=params.get("as_of")))


class OverdueTrendView(APIView):
    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        day = params.get("as_of") or clock.today()
        return Response(
            {
                "as_of": day.isoformat(),
                "definition": str(reports.TREND_DEFINITION),
                "points": reports.overdue_trend(cases=cases, today=day),
            }
        )


class StateByStreamView(APIView):
    @extend_schema(parameters=[ReportQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        cases, params = query_cases(request)
        day = params.get("as_of")
        return Response(
            {
                "as_of": (day or clock.today()).isoformat(),
                "streams": reports.state_by_stream(cases=cases, day=day),
            }
        )


class BatchBulletinView(APIView):
    """A batch's bulletin: the sentence the city publishes and its figures (办结, 阶段性办结,
    属实…, the handling counts), over the cases of the batch the user may see."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, batch_id: int) -> Response:
        batch = Batch.objects.select_related("source").filter(pk=batch_id).first()
        cases = Case.objects.visible_to(request.user)  # type: ignore[arg-type]
        if batch is None or not cases.filter(batch=batch).exists():
            raise NotFound(_("No such batch."))
        return Response(reports.batch_bulletin(cases=cases, batch=batch))
