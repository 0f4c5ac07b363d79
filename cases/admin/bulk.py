"""The case list's bulk actions: each case through its service, what was done and what refused
reported case by case."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin import forms as admin_forms
from cases.models import (
    Case,
)
from cases.services import (
    case_reassign,
    case_transition,
)
from casework.errors import ApplicationError, InvalidInput


class CaseBulkActions:
    """Mixed into ``CaseAdmin``."""

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
