"""The supervision dashboard: charts drawn in the browser from the report endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from cases.models import State
from casework import clock
from supervision import reports
from supervision.county_map import county_map


def _as_of(request: HttpRequest) -> tuple[dt.date | None, str]:
    """The 截至 date asked for (?as_of=YYYY-MM-DD), or None for today; and what was wrong."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, _("“%(value)s” is not a date: write it as 2023-12-31.") % {"value": raw[:20]}
    refusal = reports.as_of_refusal(day)
    if refusal:
        return None, refusal
    return (day if day < clock.today() else None), ""


def dashboard(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """Supervisors' and leaders' charts; ``context`` is the admin site's (header, sidebar).
    With ``?as_of=`` the sentences and the close-out chart are as the cases stood that day."""
    day, problem = _as_of(request)
    cases = reports.scoped_cases(user=request.user)
    top = list(reports.overdue_cases(cases=cases)[:10])
    for case in top:
        case.days_overdue = case.calendar_days_overdue()
    # The sentences and the ranking add up the same counts: the ledger is read once for both.
    found = reports.figures(cases=cases, day=day)
    ranking = reports.county_ranking(cases=cases, day=day, found=found)
    context = {
        **context,
        "title": _("Supervision dashboard"),
        "sentences": reports.report_sentences(user=request.user, day=day, found=found),
        "as_of": day,
        "as_of_problem": problem,
        "today": clock.today(),
        "definitions": [d.as_dict() for d in reports.RATE_DEFINITIONS],
        "top_overdue": top,
        "ranking": ranking,
        "county_map": county_map(ranking["rows"]),
        "states": State.choices,
    }
    return TemplateResponse(request, "admin/supervision/dashboard.html", context)
