"""What the API's writes accept: one serializer per request body, checked before a service runs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.models import (
    EvidenceKind,
    FeedbackOutcome,
    FieldCheckResult,
    FollowUpMethod,
    Satisfaction,
    TruthFinding,
)
from cases.services import (
    TRANSITIONS,
)
from casework.drf import MAX_ID


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


class AttachmentRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField(max_length=200, allow_empty_file=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


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
