"""The case page's buttons and the pages behind them: one page per transition and per action
(the forms and services are ``cases.admin.action_pages``), each refused (403) unless the action is
the person's, a service's refusal shown on the same form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from cases.actions import case_available_actions, may_act
from cases.admin import forms as admin_forms
from cases.admin.action_pages import CASE_ACTIONS, decision_facts
from cases.admin.common import (
    apply_service_error,
)
from cases.models import (
    Case,
)
from cases.services import (
    TRANSITIONS,
    case_available_transitions,
    case_transition,
)
from casework.errors import ApplicationError


class CaseActionPages:
    """Mixed into ``CaseAdmin``."""

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
        # A page for an action this person may not take is refused, not shown with a form the
        # service would refuse (a leader reads the case; they do not report on it).
        if name in TRANSITIONS:
            allowed = any(
                a.spec.name == name for a in case_available_transitions(case=case, user=user)
            )
        else:
            allowed = name in CASE_ACTIONS and may_act(name, user=user, case=case)
        if not allowed:
            if name in TRANSITIONS or name in CASE_ACTIONS:
                raise PermissionDenied
            raise Http404
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
            files = request.FILES if data is not None else None
            title, form = action.label, action.form(case, user, data=data, files=files)

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
            "facts": decision_facts(name, case, request),
        }
        return TemplateResponse(request, "admin/cases/case/action_form.html", context)
