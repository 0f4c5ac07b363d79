"""The API's views over the ledger: scoped reads (``Case.objects.visible_to``) and writes through
the services, each refusal answered with its status (400 with field errors, 403, 404, 409)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action, api_view
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from cases.api.filters import (
    CaseFilter,
)
from cases.api.pagination import CaseListPagination
from cases.api.requests import (
    AttachmentRequestSerializer,
    CoUnitsRequestSerializer,
    ExtensionRequestRequestSerializer,
    FeedbackRequestSerializer,
    FieldCheckRequestSerializer,
    FollowUpDecisionRequestSerializer,
    FollowUpRequestSerializer,
    NoticeRequestSerializer,
    ProgressRequestSerializer,
    RepeatLinkRequestSerializer,
    RepeatUnlinkRequestSerializer,
    TransitionRequestSerializer,
)
from cases.api.rows import list_rows
from cases.api.serializers import (
    AttachmentSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ExtensionRequestSerializer,
    FieldCheckSerializer,
    FollowUpSerializer,
    ProgressReportSerializer,
)
from cases.evidence import attachment_add, evidence_zip
from cases.field_checks import field_check_record
from cases.models import (
    Attachment,
    Case,
    FieldCheck,
    FieldCheckPhoto,
)
from cases.notice import notice_publish
from cases.selectors import case_page
from cases.services import (
    case_co_units_set,
    case_feedback,
    case_mark_repeat,
    case_transition,
    case_unmark_repeat,
    extension_request_create,
    followup_decide,
    followup_record,
    progress_report_add,
)
from casework.drf import FilterBackend
from casework.inline import Inline

# What the case page lists, read in the case's row (casework.inline): one query, not ten.
CASE_PAGE_LISTS = (
    Inline("pollution_types"),
    Inline("progress_reports", joined=("reported_by",)),
    Inline("milestones"),
    Inline("events", joined=("actor",), order=("id",)),
    Inline("extension_requests"),
    Inline("field_checks", joined=("inspector",), inner=(Inline("photos"),)),
    Inline("attachments", joined=("uploaded_by",)),
    Inline("follow_ups", joined=("recorded_by",)),
    Inline("co_units", joined=("region",)),
)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The cases the user may see; a case outside their jurisdiction is a 404 on every route."""

    filterset_class = CaseFilter
    pagination_class = CaseListPagination
    filter_backends = [FilterBackend, OrderingFilter]
    ordering_fields = ["deadline", "updated_at", "assigned_on", "acceptance_number", "id"]
    # No default here: without ?ordering= the list keeps the selector's one order, most urgent
    # first (cases.selectors.URGENT_FIRST), the same as the admin's.
    ordering = None
    lookup_value_regex = r"[0-9]{1,18}"  # ASCII only: \d would take １２; longer overflows

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":
            # Plain rows, not Case instances (cases/api/rows.py).
            return list_rows(fetched_by=self.request.user)
        if self.action == "retrieve":
            return self._page()
        # The other routes act on one case, found in the user's scope (404 outside it) and
        # worked by its service; where they answer with the case's page it is read afresh
        # (_detail). Finding it by its page read its nine lists only to learn its id.
        return Case.objects.visible_to(self.request.user)

    def _page(self) -> QuerySet[Case]:
        return case_page(fetched_by=self.request.user, lists=CASE_PAGE_LISTS)

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        """The list's filters and ordering choose among the cases; a case's page and actions
        are one case, found by its id in the user's scope (building and checking the filters'
        form cost ~1 ms of each case page)."""
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def _detail(self, case_id: int) -> Response:
        case = self._page().get(pk=case_id)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=TransitionRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str) -> Response:
        """Run a lifecycle transition: 403 if the user may not, 409 if the state does not allow
        it or another change won, 400 when a required field is missing."""
        case = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        name = data.pop("transition")
        comment = data.pop("comment", "")
        expected = data.pop("expected_version", None)
        case_transition(
            case_id=case.pk,
            user=request.user,
            transition=name,
            comment=comment,
            data=data,
            expected_version=expected,
        )
        return self._detail(case.pk)

    @extend_schema(request=FeedbackRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request: Request, pk: str) -> Response:
        """Feed back a petition's outcome (办结, 阶段性办结 with its measures and rectification
        deadline, or 正在办理 with the date it will be concluded by): 400 with the missing
        fields, 409 once fed back or when another change won."""
        case = self.get_object()
        body = FeedbackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_feedback(case_id=case.pk, user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=FollowUpRequestSerializer, responses={201: FollowUpSerializer})
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request: Request, pk: str) -> Response:
        """Record a follow-up with the complainant (回访) and their satisfaction; 不满意 needs a
        note and waits for a supervisor's decision before the case can be closed out."""
        case = self.get_object()
        body = FollowUpRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up = followup_record(case_id=case.pk, user=request.user, **body.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=201)

    @extend_schema(request=FollowUpDecisionRequestSerializer, responses=CaseDetailSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"follow-ups/(?P<follow_up_id>[0-9]{1,18})/decision",
    )
    def follow_up_decision(self, request: Request, pk: str, follow_up_id: str) -> Response:
        """Decide a dissatisfied follow-up (supervisors): send the case back to rectification to
        a new deadline, or allow closure with the reason recorded. 409 once decided."""
        case = self.get_object()
        if not case.follow_ups.filter(pk=follow_up_id).exists():
            raise Http404
        body = FollowUpDecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        followup_decide(follow_up_id=int(follow_up_id), user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=CoUnitsRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="co-units")
    def co_units(self, request: Request, pk: str) -> Response:
        """Name the co-operating units (配合单位), all of them at once (supervisors). Their county
        officers then see the case and may report progress; the lead unit answers for it."""
        case = self.get_object()
        body = CoUnitsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_co_units_set(case_id=case.pk, user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=RepeatLinkRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="repeat-link")
    def repeat_link(self, request: Request, pk: str) -> Response:
        """Link a petition to its original (重复件), by the original's acceptance number
        (supervisors): from then on it follows the original."""
        case = self.get_object()
        body = RepeatLinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_mark_repeat(case_id=case.pk, user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=RepeatUnlinkRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="repeat-unlink")
    def repeat_unlink(self, request: Request, pk: str) -> Response:
        """Unlink a repeat (supervisors): it runs its own lifecycle again."""
        case = self.get_object()
        body = RepeatUnlinkRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case_unmark_repeat(case_id=case.pk, user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(request=NoticeRequestSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request: Request, pk: str) -> Response:
        """Set the day the public notice (整改销号公示) was really published (supervisors); its
        end, 10 working days by default, is counted from it."""
        case = self.get_object()
        body = NoticeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice_publish(case_id=case.pk, user=request.user, **body.validated_data)
        return self._detail(case.pk)

    @extend_schema(
        request={"multipart/form-data": AttachmentRequestSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="attachments", parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str) -> Response:
        """Add material to the case's evidence file (一案一档): the mobile client files its
        before/after photos here. The file is checked from its bytes: PDF, images, docx, xlsx."""
        case = self.get_object()
        body = AttachmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        attachment = attachment_add(
            case_id=case.pk,
            user=request.user,
            kind=data["kind"],
            upload=data["file"],
            description=data.get("description", ""),
        )
        return Response(AttachmentSerializer(attachment).data, status=201)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="evidence-file")
    def evidence_zip(self, request: Request, pk: str) -> FileResponse:
        """The whole evidence file as one zip, with an index sheet (目录)."""
        case = self.get_object()
        response = FileResponse(
            evidence_zip(case),
            as_attachment=True,
            filename=f"{case.acceptance_number}_一案一档.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=ProgressRequestSerializer, responses={201: ProgressReportSerializer})
    @action(detail=True, methods=["post"], url_path="progress-reports")
    def progress_reports(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        body = ProgressRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = progress_report_add(case_id=case.pk, user=request.user, **body.validated_data)
        return Response(ProgressReportSerializer(report).data, status=201)

    @extend_schema(
        request={"multipart/form-data": FieldCheckRequestSerializer},
        responses={201: FieldCheckSerializer, 200: FieldCheckSerializer},
    )
    @action(
        detail=True, methods=["post"], url_path="field-checks", parser_classes=[MultiPartParser]
    )
    def field_checks(self, request: Request, pk: str) -> Response:
        """File a site check with photos. A retry with the same ``client_uuid`` answers 200 with
        the same record; the same ``client_uuid`` with other content is a 409."""
        case = self.get_object()
        body = FieldCheckRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check, created = field_check_record(
            case_id=case.pk, user=request.user, **body.validated_data
        )
        check = (
            FieldCheck.objects.select_related("inspector")
            .prefetch_related("photos")
            .get(pk=check.pk)
        )
        return Response(FieldCheckSerializer(check).data, status=201 if created else 200)

    @extend_schema(
        request=ExtensionRequestRequestSerializer, responses={201: ExtensionRequestSerializer}
    )
    @action(detail=True, methods=["post"], url_path="extension-requests")
    def extension_requests(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        body = ExtensionRequestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = extension_request_create(
            case_id=case.pk, user=request.user, **body.validated_data
        )
        return Response(ExtensionRequestSerializer(created).data, status=201)


@extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
@api_view(["GET"])
def attachment_file(request: Request, attachment_id: int) -> FileResponse:
    """One item of an evidence file, only for users who may see its case; always a download."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, case__in=Case.objects.visible_to(request.user)
    ).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
@api_view(["GET"])
def field_check_photo(request: Request, photo_id: int) -> FileResponse:
    """A field-check photo, only for users who may see its case."""
    photo = FieldCheckPhoto.objects.filter(
        pk=photo_id, field_check__case__in=Case.objects.visible_to(request.user)
    ).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
