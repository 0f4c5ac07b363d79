from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class CaseworkAdminSite(admin.AdminSite):
    site_header = _("Casework: inspection rectification and petition cases")
    site_title = _("Casework")
    index_title = _("Ledger administration")
    index_template = "admin/casework_index.html"
    site_url = None  # there is no public site (yet): no "view site" link

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path("dashboard/", self.admin_view(self.dashboard), name="dashboard"),
            *super().get_urls(),
        ]

    def dashboard(self, request: HttpRequest) -> HttpResponse:
        """Supervisors' and leaders' charts, drawn in the browser from the report endpoints."""
        from django.template.response import TemplateResponse

        from cases.models import State
        from casework import reports

        cases = reports.scoped_cases(user=request.user)
        top = list(reports.overdue_cases(cases=cases)[:10])
        for case in top:
            case.days_overdue = reports.days_overdue(case)[0]
        context = {
            **self.each_context(request),
            "title": _("Supervision dashboard"),
            "sentences": reports.report_sentences(user=request.user),
            "top_overdue": top,
            "states": State.choices,
        }
        return TemplateResponse(request, "admin/casework/dashboard.html", context)

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        from cases.selectors import case_today_summary

        context = {**(extra_context or {}), "today": case_today_summary(user=request.user)}
        return super().index(request, context)


class NotFoundOutsideScope:
    """For model admins whose querysets are scoped: a row outside the user's scope is a 404,
    the same as a row that does not exist (Django would redirect to the index with a hint)."""

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404
