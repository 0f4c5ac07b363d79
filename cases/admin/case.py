"""The admin where county officers and the city office work the ledger.

Every page reads through ``Case.objects.visible_to`` (a case outside the user's jurisdiction is a
404) and every write goes through ``cases.services``: the change form, the inlines, the action
pages behind the transition buttons and the bulk actions. A refusal from a service comes back as a
form error on the page the user filled in, with what they typed kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin.bulk import CaseBulkActions
from cases.admin.case_pages import CaseActionPages
from cases.admin.common import (
    FORM_ONLY_FIELDS,
    CappedPaginator,
    ServiceRefused,
    apply_service_error,
)
from cases.admin.filters import BatchFilter, OverdueFilter, ReopenedFilter, VisibleRegionFilter
from cases.admin.inlines import (
    AttachmentInline,
    CaseEventInline,
    ExtensionRequestInline,
    FieldCheckInline,
    FollowUpInline,
    MilestoneInline,
    ObjectionInline,
    ProgressReportInline,
)
from cases.models import (
    HANDLING_FIELDS,
    OPEN_STATES,
    Action,
    Batch,
    Case,
    CaseKind,
    Milestone,
    ProgressReport,
    Step,
)
from cases.rules import mask_name, mask_phone, may_see_complainant
from cases.selectors import URGENT_FIRST, case_list
from cases.services import (
    case_create,
    case_editable_fields,
    case_update,
    milestone_add,
    progress_report_add,
)
from casework import workdays
from casework.admin_scope import BadLookupsRefused, NotFoundOutsideScope
from casework.errors import ApplicationError
from casework.models import Region, ResponsibleUnit

# --- the case admin ------------------------------------------------------------------------------


class CaseAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(
        label=gettext_lazy("version the form was opened at"),
        widget=forms.HiddenInput,
        required=False,
    )
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
        if not self.instance.pk and "deadline" in self.fields:
            # A petition's deadline follows its source's rule: typed only for a finding.
            self.fields["deadline"].required = False
            self.fields["deadline"].help_text = gettext_lazy(
                "Leave empty for a petition: the feedback deadline follows the source's rule. "
                "A finding needs the deadline of its rectification plan."
            )


def suspected_repeat(case: Case) -> Any:
    """The original an import found this petition much like (疑似重复件), while it is not linked
    as a repeat: the case page says so, for a supervisor to confirm or let be."""
    if case.duplicate_of_id is not None:
        return None
    event = case.events.filter(action=Action.CREATE).only("data").first()
    number = (event.data or {}).get("suspected_repeat_of") if event else None
    if not number:
        return None
    return Case.objects.filter(source_id=case.source_id, acceptance_number=number).first()


def case_banner(case: Case) -> dict[str, Any]:
    """What a case page says first: where the case stands, how late it is and on which rung of
    the ladder, and the last progress report."""
    facts: dict[str, Any] = {
        "state": case.get_state_display(),
        "step": Step(case.step).label if case.step else None,
        "deadline": workdays.date_label(case.deadline, case.deadline_provisional),
        "open": case.state in OPEN_STATES,
        "repeat_of": case.duplicate_of,
        "co_units": "、".join(u.name for u in case.co_units.all()),
    }
    if facts["open"] and case.duplicate_of_id is None:
        late = case.calendar_days_overdue()
        facts["calendar_days"] = abs(late)
        facts["overdue"] = late > 0
        facts["due_today"] = late == 0
        facts["working_days"] = abs(case.working_days_overdue())
        facts["rung"] = case.reminder.get_level_display() if case.escalation_level else None
    last = case.progress_reports.select_related("reported_by").first()
    if last is not None:
        facts["last_progress"] = last
    return facts


@admin.register(Case)
class CaseAdmin(
    CaseActionPages, CaseBulkActions, BadLookupsRefused, NotFoundOutsideScope, admin.ModelAdmin
):
    form = CaseAdminForm
    list_display = [
        "number_shown",
        "short_summary",
        "region",
        "unit",
        "state_label",
        "deadline_shown",
        "deadline_status",
        "escalation",
        "last_progress",
    ]
    list_display_links = ["number_shown", "short_summary"]
    list_filter = [
        "state",
        # Choices read from their own small tables, never by a DISTINCT scan of the ledger: the
        # related-only filters cost a scan each (5 × 30 ms at 100,000 cases).
        "source__stream",
        "source",
        ("batch", BatchFilter),
        ("region", VisibleRegionFilter),
        "kind",
        "pollution_types",
        OverdueFilter,
        "is_priority",
        ReopenedFilter,
    ]
    search_fields = ["acceptance_number", "summary", "address"]
    # No date hierarchy: its years bar scanned the ledger twice on every page (MIN/MAX, then
    # DISTINCT years); the deadline filter (overdue, due within 7 days) is what lists use.
    list_per_page = 50
    paginator = CappedPaginator
    # A large ledger: no second, unfiltered COUNT(*) on every page.
    show_full_result_count = False
    autocomplete_fields = ["duplicate_of", "co_units"]
    inlines = [
        MilestoneInline,
        ProgressReportInline,
        FieldCheckInline,
        AttachmentInline,
        FollowUpInline,
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
                    ("is_priority", "channel"),
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
                    "co_units",
                    "responsible_leader",
                    "contact_person",
                    "contact_phone",
                    ("complainant_name", "complainant_phone"),
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
                    ("feedback_deadline", "feedback_outcome", "fed_back_at"),
                    "rectification_deadline",
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
                    "accountability_account",
                    "verification_conclusion",
                )
            },
        ),
        (gettext_lazy("Handling"), {"classes": ("collapse",), "fields": HANDLING_FIELDS}),
    )

    # --- reading ------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return case_list(fetched_by=request.user)

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # Expressions, not the changelist's annotation: other admins order their case dropdowns
        # with this too (the extension request page was a 500 on "urgency").
        return list(URGENT_FIRST)

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

    @admin.display(description=gettext_lazy("acceptance number"), ordering="acceptance_number")
    def number_shown(self, case: Case) -> str:
        if not case.is_priority:
            return case.acceptance_number
        # A priority case (重点件) says so where the eye starts, not in a column of its own.
        return format_html(
            '{}<br><small class="case-priority">{}</small>',
            case.acceptance_number,
            _("priority case"),
        )

    @admin.display(description=gettext_lazy("summary"))
    def short_summary(self, case: Case) -> str:
        # Two lines in the list (ops/casework.css), the whole text on hover.
        return format_html('<span title="{}">{}</span>', case.summary, case.summary)

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, case: Case) -> str:
        return format_html(
            '<span class="case-state state-{}">{}</span>', case.state, case.get_state_display()
        )

    @admin.display(description=gettext_lazy("deadline"), ordering="deadline")
    def deadline_shown(self, case: Case) -> str:
        label = workdays.date_label(case.deadline, case.deadline_provisional)
        step = case.step
        if step is None or case.kind != CaseKind.PETITION:
            return label
        # Which of a petition's two deadlines this is: 反馈 or 整改.
        return format_html('{}<br><small class="case-step">{}</small>', label, Step(step).label)

    @admin.display(description=gettext_lazy("days left (calendar)"), ordering="deadline")
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
        if not case.escalation_level:
            return "—"
        return case.reminder.get_level_display()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request, {"title": _("Case ledger"), **(extra_context or {})}
        )

    # --- the form -------------------------------------------------------------------------------
    def get_fieldsets(self, request: HttpRequest, obj: Case | None = None) -> Any:
        fieldsets = [(name, dict(options)) for name, options in self.fieldsets_base]
        if obj is None:
            fieldsets[2][1]["fields"] = ("assigned_on", "deadline")
        if obj is not None and not may_see_complainant(request.user, obj):
            # Only the lead county's officers and supervisors see who complained.
            where = dict(fieldsets[1][1])
            where["fields"] = tuple(
                ("complainant_masked",) if f == ("complainant_name", "complainant_phone") else f
                for f in where["fields"]
            )
            fieldsets[1] = (fieldsets[1][0], where)
        if obj is None or self.has_change_permission(request, obj):
            fieldsets.append((gettext_lazy("About this change"), {"fields": FORM_ONLY_FIELDS}))
        return fieldsets

    @admin.display(description=gettext_lazy("complainant"))
    def complainant_masked(self, case: Case) -> str:
        parts = [mask_name(case.complainant_name), mask_phone(case.complainant_phone)]
        return " ".join(p for p in parts if p) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Case | None = None) -> list[str]:
        if obj is None:
            return []
        editable = set(case_editable_fields(case=obj, user=request.user))
        names = [f.name for f in [*Case._meta.fields, *Case._meta.many_to_many]]
        readonly = [n for n in names if n not in editable and n not in ("id", "version")]
        if not may_see_complainant(request.user, obj):
            readonly.append("complainant_masked")
        return readonly

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = extra_context or {}
        case = self.get_object(request, unquote(object_id)) if object_id else None
        if case is not None:
            extra_context["case_buttons"] = self._buttons(request, case)
            extra_context["suspected_repeat"] = suspected_repeat(case)
            extra_context["banner"] = case_banner(case)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The save rolled back; the refusal is on the form the user filled in: show it again.
            return self._refused_form(request, case, object_id, form_url, extra_context, refused)

    def _refused_form(
        self,
        request: HttpRequest,
        obj: Case | None,
        object_id: str | None,
        form_url: str,
        extra_context: dict[str, Any],
        refused: ServiceRefused,
    ) -> HttpResponse:
        """Render the posted form and inline rows as they were, with the service's refusal on
        them: the same page Django shows for a form error, without running the view again
        (``obj``: the case as it was before the rolled-back save)."""
        form, formsets = refused.form, refused.formsets
        add = obj is None
        admin_form = helpers.AdminForm(
            form,
            list(self.get_fieldsets(request, obj)),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        inlines = [inline for _formset, inline in self.get_formsets_with_inlines(request, obj)]
        inline_formsets = self.get_inline_formsets(request, formsets, inlines, obj)
        media = self.media + admin_form.media
        for inline_formset in inline_formsets:
            media += inline_formset.media
        title = _("Add %s") if add else _("Change %s")
        context = {
            **self.admin_site.each_context(request),
            "title": title % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": media,
            "inline_admin_formsets": inline_formsets,
            "errors": helpers.AdminErrorList(form, formsets),
            "preserved_filters": self.get_preserved_filters(request),
            **extra_context,
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )

    def save_model(
        self, request: HttpRequest, obj: Case, form: forms.ModelForm, change: bool
    ) -> None:
        """Nothing here: the case and its new inline rows go through the services together in
        ``save_related``, where a refusal of any of them is put on the form it concerns."""

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        model_fields = {f.name for f in [*Case._meta.fields, *Case._meta.many_to_many]}
        target: forms.Form = form
        try:
            if change:
                changes = {n: data[n] for n in form.changed_data if n in model_fields}
                case_update(
                    case_id=form.instance.pk,
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
                form.instance.pk = case.pk
                form.instance._state.adding = False
            # Not formset.save() nor form.save_m2m(): new rows go through the services; the
            # admin's change message reads the three lists set here.
            for formset in formsets:
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
                for inline_form in formset.forms:
                    if inline_form.instance.pk or not inline_form.has_changed():
                        continue
                    target = inline_form
                    formset.new_objects.append(
                        self._add_row(request, form.instance, formset.model, inline_form)
                    )
        except ApplicationError as exc:
            apply_service_error(target, exc)
            raise ServiceRefused(form, formsets) from exc

    @staticmethod
    def _add_row(request: HttpRequest, case: Case, model: type, row_form: forms.Form) -> Any:
        row = row_form.cleaned_data
        if model is ProgressReport:
            return progress_report_add(
                case_id=case.pk, user=request.user, text=row["text"], percent=row["percent"]
            )
        if model is Milestone:
            return milestone_add(
                case_id=case.pk,
                user=request.user,
                description=row["description"],
                target_date=row["target_date"],
            )
        raise PermissionDenied  # every other inline is read-only here
