"""The supervision dashboard: charts drawn in the browser from the report endpoints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cases.models import State
from supervision import reports


def dashboard(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """Supervisors' and leaders' charts; ``context`` is the admin site's (header, sidebar)."""
    cases = reports.scoped_cases(user=request.user)
    top = list(reports.overdue_cases(cases=cases)[:10])
    for case in top:
        case.days_overdue = case.calendar_days_overdue()
    context = {
        **context,
        "title": _("Supervision dashboard"),
        "sentences": reports.report_sentences(user=request.user),
        "top_overdue": top,
        "states": State.choices,
    }
    return TemplateResponse(request, "admin/supervision/dashboard.html", context)
