"""The admin where county officers and the city office work the ledger.

Every page reads through ``Case.objects.visible_to`` (a case outside the user's jurisdiction is a
404) and every write goes through ``cases.services``: the change form, the inlines, the action
pages behind the transition buttons and the bulk actions. A refusal from a service comes back as a
form error on the page the user filled in, with what they typed kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import admin_forms
from cases.actions import case_available_actions
from cases.models import (
    HANDLING_FIELDS,
    OPEN_STATES,
    Batch,
    Case,
    CaseEvent,
    ExtensionRequest,
    ExtensionStatus,
    FieldCheck,
    Milestone,
    Objection,
    ObjectionStatus,
    PollutionType,
    ProgressReport,
    Source,
    SourceStream,
    State,
)
from cases.rules import is_officer_or_supervisor_of
from cases.selectors import case_list
from cases.services import (
    TRANSITIONS,
    case_available_transitions,
    case_create,
    case_editable_fields,
    case_reassign,
    case_stage_conclude,
    case_transition,
    case_update,
    extension_request_create,
    extension_request_decide,
    milestone_add,
    milestone_complete,
    objection_decide,
    objection_record,
    progress_report_add,
)
from casework import clock, workdays
from casework.admin_scope import NotFoundOutsideScope
from casework.errors import ApplicationError, InvalidInput
from casework.models import Region, ResponsibleUnit, User

# Set by the lifecycle only; shown, never edited.
LIFECYCLE_FIELDS = (
    "state",
    "started_at",
    "submitted_at",
    "verified_at",
    "notice_ends_on",
    "closed_at",
    "stage_concluded_at",
    "reopen_count",
    "created_at",
    "updated_at",
)
FORM_ONLY_FIELDS = ("expected_version", "change_comment")


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Put a service's refusal on the form: by field where the form has it, else on top."""
    if isinstance(error, InvalidInput):
        for name, msgs in error.field_errors.items():
            if name in form.fields:
                for message in msgs:
                    form.add_error(name, message)
                continue
            # Not on this form: say which field on top of it.
            try:
                label = f"{Case._meta.get_field(name).verbose_name}："
            except FieldDoesNotExist:
                label = ""
            for message in msgs:
                form.add_error(None, f"{label}{message}")
    else:
        form.add_error(None, error.message)


class _ServiceRefused(Exception):
    """Raised out of the admin's atomic save so that it rolls back; the view re-renders."""


# --- list filters --------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("yes", gettext_lazy("Overdue")),
            ("week", gettext_lazy("Due within 7 days")),
            ("no", gettext_lazy("Not overdue")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        today = clock.today()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "week":
            return queryset.open().filter(
                deadline__gte=today, deadline__lte=today + dt.timedelta(days=7)
            )
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue(today).values("pk"))
        return queryset


class ReopenedFilter(admin.SimpleListFilter):
    title = gettext_lazy("reopened")
    parameter_name = "reopened"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", gettext_lazy("Reopened")), ("no", gettext_lazy("Never reopened"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() == "yes":
            return queryset.filter(reopen_count__gt=0)
        if self.value() == "no":
            return queryset.filter(reopen_count=0)
        return queryset


# --- inlines -------------------------------------------------------------------------------------


def action_link(row: Any, action: str, key: str, label: str) -> str:
    """A link to the case's action page for one row (a request, an objection, a milestone)."""
    url = reverse("admin:cases_case_act", args=[row.case_id, action])
    return format_html('<a href="{}?{}={}">{}</a>', url, key, row.pk, label)


class ReadOnlyRowsInline(admin.TabularInline):
    """Existing rows are history (shown, not edited); new rows go through a service."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _may_add(self, request: HttpRequest, case: Case | None) -> bool:
        return bool(
            case is not None
            and case.state != State.CLOSED
            and is_officer_or_supervisor_of(request.user, case)
        )


class MilestoneInline(ReadOnlyRowsInline):
    model = Milestone
    fields = ["sequence", "description", "target_date", "done_on", "complete_link"]
    readonly_fields = ["complete_link"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_add(request, obj) and obj.kind == "finding"

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
        return self._may_add(request, obj)


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

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, request_row: ExtensionRequest) -> str:
        if request_row.status != ExtensionStatus.PENDING:
            return ""
        return action_link(request_row, "extension_decide", "request", _("Decide"))


class ObjectionInline(ReadOnlyRowsInline):
    model = Objection
    fields = ["received_on", "content", "status", "decided_by", "decision_comment", "decide_link"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("action"))
    def decide_link(self, objection: Objection) -> str:
        if objection.status != ObjectionStatus.PENDING:
            return ""
        return action_link(objection, "objection_decide", "objection", _("Decide"))


class FieldCheckInline(ReadOnlyRowsInline):
    """Site checks filed from phones, with their photos (served only to who may see the case)."""

    model = FieldCheck
    fields = ["checked_at", "inspector", "result", "far_from_region", "notes", "photo_links"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("photo"))
    def photo_links(self, check: FieldCheck) -> str:
        return format_html_join(
            " ",
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            (
                (reverse("field-check-photo", args=[p.pk]), f"#{i}")
                for i, p in enumerate(check.photos.all(), start=1)
            ),
        )


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
        "deadline_before",
        "deadline_after",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name_plural = gettext_lazy("event trail")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")


# --- the action pages behind the buttons ---------------------------------------------------------


@dataclass(frozen=True)
class CaseAction:
    name: str
    label: str
    form: Callable[..., forms.Form]
    run: Callable[[Case, User, forms.Form, HttpRequest], object]
    # Whether a button is shown is cases.actions' rule of the same name (the service's guard);
    # decisions on a row (extension, objection, milestone) are reached from that row instead.


def _pending(model: type, request: HttpRequest, key: str, case: Case) -> Any:
    obj = model.objects.filter(pk=request.GET.get(key) or 0, case=case).first()
    if obj is None:
        raise Http404
    return obj


CASE_ACTIONS: dict[str, CaseAction] = {
    action.name: action
    for action in (
        CaseAction(
            "progress",
            gettext_lazy("Report progress"),
            lambda case, user, **kw: admin_forms.ProgressForm(**kw),
            lambda case, user, form, request: progress_report_add(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "extension",
            gettext_lazy("Request an extension"),
            lambda case, user, **kw: admin_forms.ExtensionForm(**kw),
            lambda case, user, form, request: extension_request_create(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "stage",
            gettext_lazy("Conclude for this stage"),
            lambda case, user, **kw: admin_forms.CommentForm(**kw),
            lambda case, user, form, request: case_stage_conclude(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "reassign",
            gettext_lazy("Reassign"),
            lambda case, user, **kw: admin_forms.ReassignForm(user=user, **kw),
            lambda case, user, form, request: case_reassign(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "objection",
            gettext_lazy("Record an objection"),
            lambda case, user, **kw: admin_forms.ObjectionForm(**kw),
            lambda case, user, form, request: objection_record(
                case_id=case.pk, user=user, **form.cleaned_data
            ),
        ),
        CaseAction(
            "extension_decide",
            gettext_lazy("Decide the extension request"),
            lambda case, user, **kw: admin_forms.DecisionForm(**kw),
            lambda case, user, form, request: extension_request_decide(
                request_id=_pending(ExtensionRequest, request, "request", case).pk,
                user=user,
                approve=form.cleaned_data["decision"] == "yes",
                comment=form.cleaned_data["comment"],
            ),
        ),
        CaseAction(
            "objection_decide",
            gettext_lazy("Decide the objection"),
            lambda case, user, **kw: admin_forms.DecisionForm(**kw),
            lambda case, user, form, request: objection_decide(
                objection_id=_pending(Objection, request, "objection", case).pk,
                user=user,
                upheld=form.cleaned_data["decision"] == "yes",
                comment=form.cleaned_data["comment"],
            ),
        ),
        CaseAction(
            "milestone_done",
            gettext_lazy("Mark the milestone done"),
            lambda case, user, **kw: admin_forms.MilestoneDoneForm(**kw),
            lambda case, user, form, request: milestone_complete(
                milestone_id=_pending(Milestone, request, "milestone", case).pk,
                user=user,
                done_on=form.cleaned_data["done_on"],
            ),
        ),
    )
}


# --- the case admin ------------------------------------------------------------------------------


class CaseAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_comment = forms.CharField(
        label=gettext_lazy("reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when correcting the deadline; kept in the event trail."),
    )

    class Meta:
        model = Case
        # The admin passes the fields per user (get_fieldsets less get_readonly_fields).
        fields = "__all__"  # noqa: DJ007

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "expected_version" in self.fields:
            self.fields["expected_version"].initial = self.instance.version


@admin.register(Case)
class CaseAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    form = CaseAdminForm
    list_display = [
        "acceptance_number",
        "short_summary",
        "region",
        "unit",
        "state_label",
        "deadline_shown",
        "deadline_status",
        "escalation",
        "last_progress",
        "is_priority",
    ]
    list_display_links = ["acceptance_number", "short_summary"]
    list_filter = [
        "state",
        ("source__stream", RelatedOnlyFieldListFilter),
        ("source", RelatedOnlyFieldListFilter),
        ("batch", RelatedOnlyFieldListFilter),
        ("region", RelatedOnlyFieldListFilter),
        "kind",
        ("pollution_types", RelatedOnlyFieldListFilter),
        OverdueFilter,
        "is_priority",
        ReopenedFilter,
    ]
    search_fields = ["acceptance_number", "summary", "address"]
    date_hierarchy = "deadline"
    list_per_page = 50
    # A large ledger: no second, unfiltered COUNT(*) on every page.
    show_full_result_count = False
    autocomplete_fields = ["duplicate_of"]
    inlines = [
        MilestoneInline,
        ProgressReportInline,
        FieldCheckInline,
        ExtensionRequestInline,
        ObjectionInline,
        CaseEventInline,
    ]
    actions = ["start_selected", "reassign_selected"]  # supervision adds the Excel export
    change_form_template = "admin/cases/case/change_form.html"

    fieldsets_base = (
        (
            gettext_lazy("The problem"),
            {
                "fields": (
                    "kind",
                    "source",
                    "batch",
                    "acceptance_number",
                    "summary",
                    "pollution_types",
                    "is_priority",
                    "duplicate_of",
                )
            },
        ),
        (
            gettext_lazy("Where and who"),
            {
                "fields": (
                    "region",
                    "unit",
                    "responsible_leader",
                    "contact_person",
                    "contact_phone",
                    "address",
                    ("latitude", "longitude"),
                )
            },
        ),
        (
            gettext_lazy("Deadline and state"),
            {
                "fields": (
                    "assigned_on",
                    ("deadline", "deadline_provisional"),
                    "state",
                    ("notice_ends_on", "notice_ends_provisional"),
                    "reopen_count",
                    "stage_concluded_at",
                    ("started_at", "submitted_at"),
                    ("verified_at", "closed_at"),
                )
            },
        ),
        (
            gettext_lazy("Investigation and rectification"),
            {
                "fields": (
                    "truth_finding",
                    "investigation",
                    "rectification_goal",
                    "rectification_measures",
                    "rectification_account",
                    "verification_conclusion",
                )
            },
        ),
        (gettext_lazy("Handling"), {"classes": ("collapse",), "fields": HANDLING_FIELDS}),
    )

    # --- reading ------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return case_list(fetched_by=request.user)

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["urgency", "deadline", "id"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm("cases.view_case")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cases.add_case")

    def has_change_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        if not request.user.has_perm("cases.change_case"):
            return False
        return obj is None or bool(case_editable_fields(case=obj, user=request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Case | None = None) -> bool:
        return False  # cases are never deleted: a wrong one is corrected, and the trail kept

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        user = request.user
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.visible_to(user).exclude(
                kind__in=["province", "city"]
            )
        elif db_field.name == "unit":
            kwargs["queryset"] = ResponsibleUnit.objects.visible_to(user).filter(is_active=True)
        elif db_field.name == "duplicate_of":
            kwargs["queryset"] = Case.objects.visible_to(user)
        elif db_field.name == "batch":
            kwargs["queryset"] = Batch.objects.select_related("source")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "pollution_types":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("summary"))
    def short_summary(self, case: Case) -> str:
        return case.summary if len(case.summary) <= 40 else case.summary[:40] + "…"

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, case: Case) -> str:
        return format_html(
            '<span class="case-state state-{}">{}</span>', case.state, case.get_state_display()
        )

    @admin.display(description=gettext_lazy("deadline"), ordering="deadline")
    def deadline_shown(self, case: Case) -> str:
        return workdays.date_label(case.deadline, case.deadline_provisional)

    @admin.display(description=gettext_lazy("days left"), ordering="deadline")
    def deadline_status(self, case: Case) -> str:
        if case.state not in OPEN_STATES:
            return "—"
        days = case.days_left
        if days < 0:
            return format_html(
                '<strong style="color:#ba2121" class="overdue">{}</strong>',
                _("%(days)s days overdue") % {"days": -days},
            )
        if days == 0:
            return format_html('<strong style="color:#ba2121">{}</strong>', _("due today"))
        return _("%(days)s days left") % {"days": days}

    @admin.display(description=gettext_lazy("last progress report"), ordering="last_progress_at")
    def last_progress(self, case: Case) -> str:
        moment = getattr(case, "last_progress_at", None)
        return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"

    @admin.display(description=gettext_lazy("escalation"))
    def escalation(self, case: Case) -> str:
        reminder = getattr(case, "reminder", None)
        if reminder is None or not reminder.level:
            return "—"
        return reminder.get_level_display()

    # --- the form -------------------------------------------------------------------------------
    def get_fieldsets(self, request: HttpRequest, obj: Case | None = None) -> Any:
        fieldsets = [(name, dict(options)) for name, options in self.fieldsets_base]
        if obj is None:
            fieldsets[2][1]["fields"] = ("assigned_on", "deadline")
        if obj is None or self.has_change_permission(request, obj):
            fieldsets.append((gettext_lazy("About this change"), {"fields": FORM_ONLY_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Case | None = None) -> list[str]:
        if obj is None:
            return []
        editable = set(case_editable_fields(case=obj, user=request.user))
        names = [f.name for f in [*Case._meta.fields, *Case._meta.many_to_many]]
        return [n for n in names if n not in editable and n not in ("id", "version")]

    def get_form(self, request: HttpRequest, obj: Case | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        error = getattr(request, "_case_service_error", None)
        if error is None:
            return form

        class FormWithServiceError(form):  # type: ignore[valid-type, misc]
            def clean(self) -> dict[str, Any]:
                cleaned = super().clean()
                apply_service_error(self, error)
                return cleaned

        return FormWithServiceError

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = extra_context or {}
        if object_id:
            case = self.get_object(request, unquote(object_id))
            if case is not None:
                extra_context["case_buttons"] = self._buttons(request, case)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefused:
            # The save rolled back; show the same form again, with the refusal on it.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: Case, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        model_fields = {f.name for f in [*Case._meta.fields, *Case._meta.many_to_many]}
        try:
            if change:
                changes = {n: data[n] for n in form.changed_data if n in model_fields}
                case_update(
                    case_id=obj.pk,
                    user=request.user,
                    changes=changes,
                    comment=data.get("change_comment") or "",
                    expected_version=data.get("expected_version"),
                )
            else:
                values = {n: v for n, v in data.items() if n in model_fields}
                values["pollution_types"] = list(values.get("pollution_types") or [])
                case = case_create(
                    user=request.user, comment=data.get("change_comment") or "", **values
                )
                obj.pk = case.pk
                obj._state.adding = False
        except ApplicationError as exc:
            request._case_service_error = exc  # type: ignore[attr-defined]
            raise _ServiceRefused from exc

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        # Not form.save_m2m(): pollution types went through the service with the rest.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        case = form.instance
        # Not formset.save(): new rows go through the services; the admin's change message
        # reads these three lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            for inline_form in formset.forms:
                if inline_form.instance.pk or not inline_form.has_changed():
                    continue
                row = inline_form.cleaned_data
                if formset.model is ProgressReport:
                    formset.new_objects.append(
                        progress_report_add(
                            case_id=case.pk,
                            user=request.user,
                            text=row["text"],
                            percent=row["percent"],
                        )
                    )
                elif formset.model is Milestone:
                    formset.new_objects.append(
                        milestone_add(
                            case_id=case.pk,
                            user=request.user,
                            description=row["description"],
                            target_date=row["target_date"],
                        )
                    )
        except ApplicationError as exc:
            request._case_service_error = exc  # type: ignore[attr-defined]
            raise _ServiceRefused from exc

    # --- buttons and action pages ---------------------------------------------------------------
    def _buttons(self, request: HttpRequest, case: Case) -> list[dict[str, Any]]:
        buttons = []
        for available in case_available_transitions(case=case, user=request.user):
            buttons.append(
                {
                    "name": available.spec.name,
                    "label": available.spec.label,
                    "url": reverse("admin:cases_case_act", args=[case.pk, available.spec.name]),
                    "enabled": available.allowed,
                    "reason": available.refusal,
                    "transition": True,
                }
            )
        for rule in case_available_actions(case=case, user=request.user):
            buttons.append(
                {
                    "name": rule.name,
                    "label": rule.label,
                    "url": reverse("admin:cases_case_act", args=[case.pk, rule.name]),
                    "enabled": True,
                    "reason": None,
                    "transition": False,
                }
            )
        return buttons

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/act/<str:name>/",
                self.admin_site.admin_view(self.act_view),
                name="cases_case_act",
            ),
            *super().get_urls(),
        ]

    def act_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        if case is None or not self.has_view_permission(request, case):
            raise Http404
        user = request.user
        data = request.POST if request.method == "POST" else None
        if name in TRANSITIONS:
            spec = TRANSITIONS[name]
            title, form = spec.label, admin_forms.TransitionForm(data, case=case, spec=spec)

            def run(form: forms.Form) -> object:
                return case_transition(
                    case_id=case.pk,
                    user=user,
                    expected_version=case.version,
                    **form.service_kwargs(),
                )
        elif name in CASE_ACTIONS:
            action = CASE_ACTIONS[name]
            title, form = action.label, action.form(case, user, data=data)

            def run(form: forms.Form) -> object:
                return action.run(case, user, form, request)
        else:
            raise Http404
        if data is not None and form.is_valid():
            try:
                run(form)
            except ApplicationError as exc:
                apply_service_error(form, exc)
            else:
                self.message_user(
                    request,
                    _("“%(action)s” done for %(case)s.") % {"action": title, "case": case},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": case,
            "form": form,
            "title": f"{title} · {case}",
            "submit_label": title,
            "action_name": name,
        }
        return TemplateResponse(request, "admin/cases/case/action_form.html", context)

    # --- bulk actions ----------------------------------------------------------------------------
    def _report(
        self, request: HttpRequest, label: str, done: list[Case], refused: list[tuple[Case, str]]
    ) -> None:
        if done:
            self.message_user(
                request,
                _("%(action)s: %(count)s cases done (%(numbers)s).")
                % {
                    "action": label,
                    "count": len(done),
                    "numbers": "、".join(c.acceptance_number for c in done[:20])
                    + ("…" if len(done) > 20 else ""),
                },
                messages.SUCCESS,
            )
        for case, reason in refused:
            self.message_user(
                request,
                _("%(action)s refused for %(case)s: %(reason)s")
                % {"action": label, "case": case.acceptance_number, "reason": reason},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Accept and start the selected cases"))
    def start_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        done, refused = [], []
        for case in queryset:
            try:
                done.append(case_transition(case_id=case.pk, user=request.user, transition="start"))
            except ApplicationError as exc:
                refused.append((case, exc.message))
        self._report(request, _("Accept and start"), done, refused)

    @admin.action(description=gettext_lazy("Reassign the selected cases"))
    def reassign_selected(
        self, request: HttpRequest, queryset: QuerySet[Case]
    ) -> HttpResponse | None:
        form = admin_forms.ReassignForm(
            request.POST if "apply" in request.POST else None, user=request.user
        )
        if "apply" in request.POST and form.is_valid():
            done, refused = [], []
            for case in queryset:
                try:
                    done.append(
                        case_reassign(case_id=case.pk, user=request.user, **form.cleaned_data)
                    )
                except ApplicationError as exc:
                    reason = exc.message
                    if isinstance(exc, InvalidInput):
                        reason = "；".join(m for msgs in exc.field_errors.values() for m in msgs)
                    refused.append((case, reason))
            self._report(request, _("Reassign"), done, refused)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "cases": queryset,
            "title": _("Reassign the selected cases"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cases/case/reassign_selected.html", context)


# --- the other ledger models ---------------------------------------------------------------------


@admin.register(SourceStream)
class SourceStreamAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "sort_order"]
    ordering = ["sort_order"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "stream",
        "kind",
        "year",
        "report_days",
        "report_in_working_days",
        "public_notice",
        "notice_working_days",
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


# The official holiday calendar and the dates it moves earlier (cases.admin_calendar).
from cases import admin_calendar  # noqa: E402, F401
