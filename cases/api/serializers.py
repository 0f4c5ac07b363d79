"""The API's answers: every field read-only (writes go through the request serializers)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.actions import case_available_actions
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ExtensionRequest,
    FeedbackOutcome,
    FieldCheck,
    FieldCheckPhoto,
    FollowUp,
    Milestone,
    ProgressReport,
    State,
    Step,
    TruthFinding,
)
from cases.rules import mask_name, mask_phone, may_see_complainant
from cases.services import (
    case_available_transitions,
)
from casework.drf import ChoiceLabel, ReadModelSerializer, RowsSerializer
from casework.models import ResponsibleUnit


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class PollutionCodes(serializers.Field):
    """The case's pollution types' codes: from ``pollution_codes`` when the query joined them
    (the list: ``cases.selectors.joined``), else from the relation (the case page)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, case: Case) -> list[str]:
        if hasattr(case, "pollution_codes"):
            return case.pollution_codes.split(",") if case.pollution_codes else []
        return [kind.code for kind in case.pollution_types.all()]


class CaseSerializer(ReadModelSerializer):
    source = serializers.CharField(source="source.name")
    source_stream = serializers.CharField(source="source.stream.code")
    batch = serializers.IntegerField(source="batch.number", allow_null=True, default=None)
    region = serializers.CharField(source="region.name")
    region_code = serializers.CharField(source="region.gb_code", allow_null=True)
    unit = serializers.CharField(source="unit.name")
    state_label = serializers.CharField(read_only=True)
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
    pollution_types = PollutionCodes()

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
        list_serializer_class = RowsSerializer


class ProgressReportSerializer(ReadModelSerializer):
    reported_by = serializers.CharField()

    class Meta:
        model = ProgressReport
        fields = ["id", "reported_at", "reported_by", "text", "percent"]
        read_only_fields = fields


class MilestoneSerializer(ReadModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "sequence", "description", "target_date", "done_on"]
        read_only_fields = fields


class EventSerializer(ReadModelSerializer):
    actor = serializers.CharField(allow_null=True, default=None)
    # Blank for events that are not transitions; declared so that the schema says so.
    from_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    to_state = serializers.ChoiceField(choices=State.choices, allow_blank=True, read_only=True)
    action_label = ChoiceLabel("action")

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


class ExtensionRequestSerializer(ReadModelSerializer):
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


class AttachmentSerializer(ReadModelSerializer):
    kind_label = ChoiceLabel("kind")
    uploaded_by = serializers.CharField()
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


class FollowUpSerializer(ReadModelSerializer):
    recorded_by = serializers.CharField()

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


class UnitRefSerializer(ReadModelSerializer):
    region = serializers.CharField(source="region.name")

    class Meta:
        model = ResponsibleUnit
        fields = ["id", "name", "region"]
        read_only_fields = fields


class EvidenceMissingSerializer(serializers.Serializer):
    submit = serializers.ListField(child=serializers.CharField())
    close = serializers.ListField(child=serializers.CharField())


class FieldCheckPhotoSerializer(ReadModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = FieldCheckPhoto
        fields = ["id", "url", "content_type", "width", "height", "size"]
        read_only_fields = fields

    def get_url(self, photo: FieldCheckPhoto) -> str:
        return reverse("field-check-photo", args=[photo.pk])


class FieldCheckSerializer(ReadModelSerializer):
    inspector = serializers.CharField()
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
