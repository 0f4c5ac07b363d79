"""The other ledger models: source streams, sources, batches, pollution types, extension
requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin.common import action_link
from cases.models import (
    Batch,
    Case,
    EvidenceKind,
    ExtensionRequest,
    ExtensionStatus,
    PollutionType,
    Source,
    SourceStream,
)
from casework.admin_scope import NotFoundOutsideScope

# --- the other ledger models ---------------------------------------------------------------------


@admin.register(SourceStream)
class SourceStreamAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "sort_order"]
    ordering = ["sort_order"]


class SourceAdminForm(forms.ModelForm):
    """The evidence checklist as boxes to tick, not JSON to type."""

    evidence_for_submit = forms.MultipleChoiceField(
        label=gettext_lazy("evidence required to apply for verification"),
        choices=EvidenceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    evidence_for_close = forms.MultipleChoiceField(
        label=gettext_lazy("evidence required to close out"),
        choices=EvidenceKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Source
        fields = "__all__"  # noqa: DJ007


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = [
        "name",
        "stream",
        "kind",
        "year",
        "report_days",
        "report_in_working_days",
        "public_notice",
        "notice_working_days",
        "followup_required",
        "is_active",
    ]
    list_filter = ["stream", "kind", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "number", "handed_down_on", "disclosure_link"]
    list_filter = ["source"]
    ordering = ["source", "number"]

    @admin.display(description=gettext_lazy("public disclosure table"))
    def disclosure_link(self, batch: Batch) -> str:
        url = reverse("export-disclosure", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (Excel)"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(PollutionType)
class PollutionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """The supervisors' queue of extension requests; each decision happens on its case."""

    list_display = [
        "case",
        "region",
        "requested_by",
        "requested_at",
        "current_deadline",
        "requested_deadline",
        "status",
        "decide_link",
    ]
    list_filter = ["status"]
    list_select_related = ["case__region", "requested_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExtensionRequest]:
        return super().get_queryset(request).filter(case__in=Case.objects.visible_to(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("region"))
    def region(self, row: ExtensionRequest) -> str:
        return str(row.case.region)

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, row: ExtensionRequest) -> str:
        if row.status != ExtensionStatus.PENDING:
            return ""
        return action_link(row, "extension_decide", "request", _("Decide"))
