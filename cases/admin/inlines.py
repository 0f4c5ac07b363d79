"""The rows shown inside a case: history, read only; new rows go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.actions import action_allowed, may_act
from cases.admin.common import action_link
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseKind,
    ExtensionRequest,
    ExtensionStatus,
    FieldCheck,
    FollowUp,
    Milestone,
    Objection,
    ObjectionStatus,
    ProgressReport,
    State,
)
from cases.rules import may_see_complainant


def _value(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)[:80]


class ReadOnlyRowsInline(admin.TabularInline):
    """Existing rows are history (shown, not edited); new rows go through a service."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No rows added here unless an inline says so: each comes from its own action page."""
        return False


class MilestoneInline(ReadOnlyRowsInline):
    model = Milestone
    fields = ["sequence", "description", "target_date", "done_on", "complete_link"]
    readonly_fields = ["complete_link"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # What milestone_add accepts: a finding's officers and supervisors, while it is open.
        return bool(
            obj is not None
            and obj.kind == CaseKind.FINDING
            and obj.state != State.CLOSED
            and may_act("milestone_add", user=request.user, case=obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["sequence", "done_on", "complete_link"]

    @admin.display(description=gettext_lazy("action"))
    def complete_link(self, milestone: Milestone) -> str:
        if milestone.pk is None or milestone.done_on:
            return ""
        return action_link(milestone, "milestone_done", "milestone", _("Mark done"))


class ProgressReportInline(ReadOnlyRowsInline):
    model = ProgressReport
    fields = ["reported_at", "reported_by", "percent", "text"]
    readonly_fields = ["reported_at", "reported_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and action_allowed("progress", user=request.user, case=obj)


class ExtensionRequestInline(ReadOnlyRowsInline):
    model = ExtensionRequest
    fields = [
        "requested_at",
        "requested_by",
        "current_deadline",
        "requested_deadline",
        "reason",
        "status",
        "decided_by",
        "decision_comment",
        "decide_link",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, request_row: ExtensionRequest) -> str:
        if request_row.status != ExtensionStatus.PENDING:
            return ""
        return action_link(request_row, "extension_decide", "request", _("Decide"))


class ObjectionInline(ReadOnlyRowsInline):
    model = Objection
    fields = ["received_on", "content", "status", "decided_by", "decision_comment", "decide_link"]
    readonly_fields = [*fields, "from_public_page", "contact"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.fields)
        fields.insert(2, "from_public_page")
        # Who objected and how to answer them: seen as the complainant is (cases.rules).
        if obj is not None and may_see_complainant(request.user, obj):
            fields.insert(3, "contact")
        return fields

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, objection: Objection) -> str:
        if objection.status != ObjectionStatus.PENDING:
            return ""
        return action_link(objection, "objection_decide", "objection", _("Decide"))


class FieldCheckInline(ReadOnlyRowsInline):
    """Site checks filed from phones, with their photos (served only to who may see the case)."""

    model = FieldCheck
    fields = [
        "checked_at",
        "inspector",
        "result",
        "gps",
        "distance",
        "notes",
        "photo_links",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("GPS"))
    def gps(self, check: FieldCheck) -> str:
        accuracy = f" ±{check.accuracy_m} m" if check.accuracy_m is not None else ""
        return f"{check.latitude}, {check.longitude}{accuracy}"

    def get_queryset(self, request: HttpRequest) -> Any:
        # One query for the rows' regions and one for all their photos, not one per row.
        return (
            super().get_queryset(request).select_related("case__region").prefetch_related("photos")
        )

    @admin.display(description=gettext_lazy("distance from the county"))
    def distance(self, check: FieldCheck) -> str:
        region = check.case.region
        km = region.distance_km(float(check.latitude), float(check.longitude))
        if km is None:
            return "—"
        text = _("%(km).1f km from the centre of %(region)s") % {"km": km, "region": region.name}
        if check.far_from_region:
            return format_html(
                '<span style="color:#ba2121;font-weight:600">{}（{}）</span>',
                text,
                _("well outside the county: check again"),
            )
        return text

    @admin.display(description=gettext_lazy("photo"))
    def photo_links(self, check: FieldCheck) -> str:
        # Thumbnails (the photo itself, scaled by the browser), each opening at full size.
        return format_html_join(
            " ",
            '<a href="{0}" target="_blank" rel="noopener" class="field-check-photo">'
            '<img src="{0}" alt="{1}" loading="lazy" '
            'style="height:72px;max-width:120px;object-fit:cover;border-radius:4px"></a>',
            (
                (reverse("field-check-photo", args=[p.pk]), f"#{i}")
                for i, p in enumerate(check.photos.all(), start=1)
            ),
        )


class FollowUpInline(ReadOnlyRowsInline):
    """Follow-ups with the complainant (回访); a dissatisfied one links to its decision."""

    model = FollowUp
    fields = [
        "visited_on",
        "method",
        "result",
        "note",
        "recorded_by",
        "decision",
        "decision_comment",
        "decide_link",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, follow_up: FollowUp) -> str:
        if not follow_up.awaits_decision:
            return ""
        return action_link(follow_up, "followup_decide", "follow_up", _("Decide"))


class AttachmentInline(ReadOnlyRowsInline):
    """The evidence file (一案一档): each item a download, served only to who may see the case;
    new items through the "add to the evidence file" page."""

    model = Attachment
    fields = ["kind", "file_link", "description", "uploaded_by", "uploaded_at", "size_kb"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("file name"))
    def file_link(self, attachment: Attachment) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("attachment-file", args=[attachment.pk]),
            attachment.original_name,
        )

    @admin.display(description=gettext_lazy("size (KB)"))
    def size_kb(self, attachment: Attachment) -> str:
        return f"{attachment.size / 1024:.1f}"


class CaseEventInline(ReadOnlyRowsInline):
    """The event trail, read-only, oldest first, at the bottom of the form."""

    model = CaseEvent
    fields = [
        "created_at",
        "actor",
        "action",
        "from_state",
        "to_state",
        "comment",
        "what_changed",
        "deadline_before",
        "deadline_after",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    @admin.display(description=gettext_lazy("what changed"))
    def what_changed(self, event: CaseEvent) -> str:
        """An edit's fields, old → new, as the trail stored them (who complained stays masked)."""
        changes = (event.data or {}).get("changes") or {}
        lines = []
        for name, pair in changes.items():
            try:
                label = Case._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            lines.append((label, _value(old), _value(new)))
        return format_html_join(mark_safe("<br>"), "{}：{} → {}", lines) or "—"

    verbose_name_plural = gettext_lazy("event trail")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")
