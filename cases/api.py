"""The REST API over the ledger, for mobile clients: scoped reads, and writes through services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action, api_view
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from cases.actions import case_available_actions
from cases.evidence import attachment_add, evidence_zip
from cases.field_checks import field_check_record
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    EvidenceKind,
    ExtensionRequest,
    FeedbackOutcome,
    FieldCheck,
    FieldCheckPhoto,
    FieldCheckResult,
    FollowUp,
    FollowUpMethod,
    Milestone,
    ProgressReport,
    Satisfaction,
    State,
    Step,
    TruthFinding,
)
from cases.notice import notice_publish
from cases.rules import mask_name, mask_phone, may_see_complainant
from cases.selectors import case_list
from cases.services import (
    TRANSITIONS,
    case_available_transitions,
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
from casework import clock
from casework.drf import MAX_ID
from casework.models import ResponsibleUnit

# --- serializers: every field read-only; writes go through the request serializers below ----------


class CaseSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    source_stream = serializers.CharField(source="source.stream.code")
    batch = serializers.IntegerField(source="batch.number", allow_null=True, default=None)
    region = serializers.CharField(source="region.name")
    region_code = serializers.CharField(source="region.gb_code", allow_null=True)
    unit = serializers.CharField(source="unit.name")
    state_label = serializers.CharField(source="get_state_display")
    is_overdue = serializers.BooleanField()
    days_left = serializers.IntegerField()
    escalation_level = serializers.IntegerField(read_only=True)
    feedback_outcome = serializers.ChoiceField(
        choices=FeedbackOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The petition's feedback outcome; empty until fed back."),
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("How the complainant reached the team (来电/来信); empty if not known."),
    )
    step = serializers.ChoiceField(
        choices=Step.choices,
        read_only=True,
        allow_null=True,
        help_text=_("The step the deadline chases: feedback or rectification (none when closed)."),
    )
    pollution_types = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "source",
            "source_stream",
            "batch",
            "acceptance_number",
            "summary",
            "region",
            "region_code",
            "unit",
            "state",
            "state_label",
            "assigned_on",
            "deadline",
            "deadline_provisional",
            "is_overdue",
            "days_left",
            "escalation_level",
            "is_priority",
            "channel",
            "pollution_types",
            "address",
            "latitude",
            "longitude",
            "reopen_count",
            "step",
            "feedback_deadline",
            "feedback_outcome",
            "rectification_deadline",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    reported_by = serializers.CharField(source="reported_by.__str__")

    class Meta:
        model = ProgressReport
        fields = ["id", "reported_at", "reported_by", "text", "percent"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "sequence", "description", "target_date", "done_on"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", allow_null=True, default=None)
    # Blank for events that are not transitions; declared so that the schema says so.
    from_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    to_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "comment",
            "deadline_before",
            "deadline_after",
        ]
        read_only_fields = fields


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_at",
            "reason",
            "current_deadline",
            "requested_deadline",
            "status",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    uploaded_by = serializers.CharField(source="uploaded_by.__str__")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "kind_label",
            "original_name",
            "description",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return reverse("attachment-file", args=[attachment.pk])


class FollowUpSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.__str__")

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "visited_on",
            "method",
            "result",
            "note",
            "recorded_by",
            "recorded_at",
            "decision",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class FollowUpRequestSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class FollowUpDecisionRequestSerializer(serializers.Serializer):
    send_back = serializers.BooleanField(
        help_text=_("True: back to rectification to a new deadline; false: closure allowed.")
    )
    comment = serializers.CharField(max_length=5000)
    deadline = serializers.DateField(required=False, allow_null=True)


class CoUnitsRequestSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True,
        max_length=50,
        help_text=_("The ids of all the co-operating units; an empty list removes them all."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    expected_version = serializers.IntegerField(required=False, min_value=1)


class RepeatLinkRequestSerializer(serializers.Serializer):
    original_number = serializers.CharField(max_length=64)
    comment = serializers.CharField(max_length=5000)


class RepeatUnlinkRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class NoticeRequestSerializer(serializers.Serializer):
    starts_on = serializers.DateField(help_text=_("The day the notice was really published."))


class UnitRefSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = ResponsibleUnit
        fields = ["id", "name", "region"]
        read_only_fields = fields


class AttachmentRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField(max_length=200, allow_empty_file=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class EvidenceMissingSerializer(serializers.Serializer):
    submit = serializers.ListField(child=serializers.CharField())
    close = serializers.ListField(child=serializers.CharField())


class FieldCheckPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FieldCheckPhoto
        fields = ["id", "url", "content_type", "width", "height", "size"]
        read_only_fields = fields

    def get_url(self, photo: FieldCheckPhoto) -> str:
        return reverse("field-check-photo", args=[photo.pk])


class FieldCheckSerializer(serializers.ModelSerializer):
    inspector = serializers.CharField(source="inspector.__str__")
    photos = FieldCheckPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = FieldCheck
        fields = [
            "id",
            "client_uuid",
            "inspector",
            "checked_at",
            "latitude",
            "longitude",
            "accuracy_m",
            "far_from_region",
            "result",
            "notes",
            "created_at",
            "photos",
        ]
        read_only_fields = fields


class FieldCheckRequestSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    checked_at = serializers.DateTimeField()
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100000
    )
    result = serializers.ChoiceField(choices=FieldCheckResult.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=9)


class AllowedTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True)
    fields = serializers.ListField(child=serializers.CharField())
    comment_required = serializers.BooleanField()


class AllowedActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    truth_finding = serializers.ChoiceField(
        choices=TruthFinding.choices, allow_blank=True, read_only=True
    )
    progress_reports = ProgressReportSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    extension_requests = ExtensionRequestSerializer(many=True, read_only=True)
    field_checks = FieldCheckSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    co_units = UnitRefSerializer(
        many=True,
        read_only=True,
        help_text=_("Co-operating units (配合单位); the lead unit is ``unit``."),
    )
    complainant_name = serializers.SerializerMethodField(
        help_text=_("Masked unless the user works the case (its county's officers, supervisors).")
    )
    complainant_phone = serializers.SerializerMethodField(
        help_text=_("Masked unless the user works the case (its county's officers, supervisors).")
    )
    evidence_missing = serializers.SerializerMethodField(
        help_text=_("What the source's checklist still asks for before each step.")
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "responsible_leader",
            "contact_person",
            "contact_phone",
            "truth_finding",
            "investigation",
            "rectification_goal",
            "rectification_measures",
            "rectification_account",
            "accountability_account",
            "co_units",
            "fed_back_at",
            "verification_conclusion",
            "notice_ends_on",
            "notice_ends_provisional",
            "stage_concluded_at",
            "progress_reports",
            "milestones",
            "events",
            "extension_requests",
            "field_checks",
            "attachments",
            "evidence_missing",
            "complainant_name",
            "complainant_phone",
            "follow_ups",
            "allowed_transitions",
            "allowed_actions",
        ]
        read_only_fields = fields

    def _may_see_complainant(self, case: Case) -> bool:
        return may_see_complainant(self.context["request"].user, case)

    def get_complainant_name(self, case: Case) -> str:
        name = case.complainant_name
        return name if self._may_see_complainant(case) else mask_name(name)

    def get_complainant_phone(self, case: Case) -> str:
        phone = case.complainant_phone
        return phone if self._may_see_complainant(case) else mask_phone(phone)

    @extend_schema_field(EvidenceMissingSerializer)
    def get_evidence_missing(self, case: Case) -> dict[str, list[str]]:
        return {
            stage: [str(label) for label in case.evidence_missing(stage)]
            for stage in ("submit", "close")
        }

    @extend_schema_field(AllowedTransitionSerializer(many=True))
    def get_allowed_transitions(self, case: Case) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return [
            {
                "name": t.spec.name,
                "label": str(t.spec.label),
                "allowed": t.allowed,
                "refusal": t.refusal,
                "fields": list(t.spec.fields),
                "comment_required": t.spec.comment_required,
            }
            for t in case_available_transitions(case=case, user=user)
        ]

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_allowed_actions(self, case: Case) -> list[dict[str, str]]:
        """The other actions (progress, extension, stage conclusion, reassignment, objection) this
        user may take now: the same rules the services enforce (cases.actions)."""
        user = self.context["request"].user
        return [
            {"name": rule.name, "label": str(rule.label)}
            for rule in case_available_actions(case=case, user=user)
        ]


class TransitionRequestSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=list(TRANSITIONS))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The version the client last saw.")
    )
    rectification_account = serializers.CharField(required=False, max_length=20000)
    truth_finding = serializers.ChoiceField(choices=TruthFinding.choices, required=False)
    investigation = serializers.CharField(required=False, max_length=20000)
    verification_conclusion = serializers.CharField(required=False, max_length=20000)
    deadline = serializers.DateField(required=False)


class FeedbackRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FeedbackOutcome.choices)
    truth_finding = serializers.ChoiceField(choices=TruthFinding.choices)
    investigation = serializers.CharField(max_length=20000)
    rectification_account = serializers.CharField(
        required=False, allow_blank=True, max_length=20000
    )
    accountability_account = serializers.CharField(
        required=False, allow_blank=True, max_length=20000
    )
    rectification_measures = serializers.CharField(
        required=False, allow_blank=True, max_length=20000
    )
    rectification_deadline = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    expected_version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("The version the client last saw.")
    )


class ProgressRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    percent = serializers.IntegerField(min_value=0, max_value=100)


class ExtensionRequestRequestSerializer(serializers.Serializer):
    requested_deadline = serializers.DateField()
    reason = serializers.CharField(max_length=5000)


# --- filters -------------------------------------------------------------------------------------


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=State.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    region = filters.CharFilter(field_name="region__gb_code", help_text=_("GB/T 2260 code"))
    source = filters.NumberFilter(field_name="source_id", min_value=1, max_value=MAX_ID)
    source_stream = filters.CharFilter(field_name="source__stream__code")
    batch = filters.NumberFilter(field_name="batch__number", min_value=1, max_value=MAX_ID)
    overdue = filters.BooleanFilter(method="filter_overdue")
    due_before = filters.DateFilter(field_name="deadline", lookup_expr="lte")
    updated_since = filters.IsoDateTimeFilter(method="filter_updated_since")
    q = filters.CharFilter(method="filter_text", max_length=100)

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_updated_since(
        self, queryset: QuerySet[Case], name: str, value: dt.datetime
    ) -> QuerySet[Case]:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (a 500 before).
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError:  # before year 1 in UTC: everything is newer
            return queryset
        return queryset.filter(updated_at__gte=value)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        overdue = queryset.overdue(clock.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(
            Q(acceptance_number__icontains=value)
            | Q(summary__icontains=value)
            | Q(address__icontains=value)
        )


# --- views ---------------------------------------------------------------------------------------


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The cases the user may see; a case outside their jurisdiction is a 404 on every route."""

    filterset_class = CaseFilter
    filter_backends = [filters.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["deadline", "updated_at", "assigned_on", "acceptance_number", "id"]
    # No default here: without ?ordering= the list keeps the selector's one order, most urgent
    # first (cases.selectors.URGENT_FIRST), the same as the admin's.
    ordering = None
    lookup_value_regex = r"[0-9]{1,18}"  # ASCII only: \d would take １２; longer overflows

    def get_queryset(self) -> QuerySet[Case]:
        queryset = case_list(fetched_by=self.request.user).prefetch_related("pollution_types")
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("progress_reports", ProgressReport.objects.select_related("reported_by")),
                "milestones",
                Prefetch("events", CaseEvent.objects.select_related("actor").order_by("id")),
                "extension_requests",
                Prefetch(
                    "field_checks",
                    FieldCheck.objects.select_related("inspector").prefetch_related("photos"),
                ),
                Prefetch("attachments", Attachment.objects.select_related("uploaded_by")),
                Prefetch("follow_ups", FollowUp.objects.select_related("recorded_by")),
                Prefetch("co_units", ResponsibleUnit.objects.select_related("region")),
            )
        return queryset

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def _detail(self, case_id: int) -> Response:
        case = self.get_queryset().get(pk=case_id)
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
