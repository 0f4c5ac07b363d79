"""The import over the API: ``POST /api/v1/imports/`` (multipart) checks a file and, unless a
dry run, writes it (a large file in a worker: 202, progress on the import); list, detail,
confirm, and the template workbooks."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action, api_view
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from cases.models import Source
from casework.drf import ChoiceLabel
from casework.errors import NotFound
from intake.models import ImportKind, ImportRun, ImportState
from intake.services import import_check, import_confirm, import_progress, runs_visible_to
from intake.templates_xlsx import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportRunSerializer(serializers.ModelSerializer):
    state_label = ChoiceLabel("state")
    kind_label = ChoiceLabel("kind")
    source = serializers.CharField(source="source.name", default=None)
    created_by = serializers.CharField(default=None)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "source",
            "batch_number",
            "handed_down_on",
            "update_existing",
            "file_name",
            "created_by",
            "created_at",
            "finished_at",
            "rows",
            "created",
            "updated",
            "error_count",
            "progress",
            "report",
        ]
        read_only_fields = fields

    def get_progress(self, run: ImportRun) -> dict[str, Any]:
        return import_progress(run)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=".xlsx or .csv (UTF-8 or GB18030)")
    kind = serializers.ChoiceField(
        choices=ImportKind.choices, required=False, help_text="default: from the header"
    )
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all(), required=False)
    batch_number = serializers.IntegerField(required=False, min_value=1, max_value=99999)
    handed_down_on = serializers.DateField(required=False)
    update_existing = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False, help_text="check only; confirm later")


ANSWER = {
    ImportState.INVALID: status.HTTP_400_BAD_REQUEST,
    ImportState.QUEUED: status.HTTP_202_ACCEPTED,
    ImportState.RUNNING: status.HTTP_202_ACCEPTED,
}


def _answer(run: ImportRun, request: Request, created: bool = True) -> Response:
    data = ImportRunSerializer(run, context={"request": request}).data
    default = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(data, status=ANSWER.get(run.state, default))


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self) -> Any:
        return runs_visible_to(self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=ImportUploadSerializer, responses=ImportRunSerializer)
    def create(self, request: Request) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        run = import_check(
            user=request.user,  # type: ignore[arg-type]
            file=data["file"],
            file_name=data["file"].name,
            kind=data.get("kind", ""),
            source=data.get("source"),
            batch_number=data.get("batch_number"),
            handed_down_on=data.get("handed_down_on"),
            update_existing=data["update_existing"],
            write=not data["dry_run"],
        )
        response = _answer(run, request)
        response["Location"] = reverse("import-detail", args=[run.pk])
        return response

    @extend_schema(request=None, responses=ImportRunSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Write an import checked with ``dry_run``: 200 when written, 202 when queued."""
        run = import_confirm(run_id=int(pk), user=request.user)  # type: ignore[arg-type]
        return _answer(run, request, created=False)


@extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
@api_view(["GET"])
def import_template(request: Request, kind: str) -> HttpResponse:
    """The template workbook of a kind of file (batch or history), with a sheet of notes."""
    if kind not in ImportKind.values:
        raise NotFound(_("No such template."))
    name = "交办清单导入模板.xlsx" if kind == ImportKind.BATCH else "历史台账导入模板.xlsx"
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
