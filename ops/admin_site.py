"""The admin site: Chinese titles, the "today" summary on the index, the supervision dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from cases.selectors import case_today_summary
from notifications.models import Heartbeat
from ops.admin_forms import GuardedAdminAuthenticationForm
from supervision.views import dashboard

APP_ORDER = {
    label: n
    for n, label in enumerate(
        ["cases", "notifications", "supervision", "intake", "casework", "auth", "knox"]
    )
}
MODEL_ORDER = {
    name: n
    for n, name in enumerate(
        [
            "Case",
            "ExtensionRequest",
            "Batch",
            "Notification",
            "ChannelPreference",
            "ImportRun",
            "Source",
            "SourceStream",
            "PollutionType",
        ]
    )
}


class CaseworkAdminSite(admin.AdminSite):
    site_header = _("Casework: inspection rectification and petition cases")
    site_title = _("Casework")
    index_title = _("Ledger administration")
    index_template = "admin/casework_index.html"
    site_url = None  # there is no public site (yet): no "view site" link
    login_form = GuardedAdminAuthenticationForm  # limits on guessing passwords
    # The left-hand menu took 300 px of a 1366 px screen from the case list; the home page and
    # the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        """Apps and their models in the order of daily use: the ledger first, the case list
        first in it; what is set up once (the organisation, users) last."""
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["models"].sort(
                key=lambda m: (MODEL_ORDER.get(m["object_name"], len(MODEL_ORDER)), m["name"])
            )
        return sorted(apps, key=lambda a: APP_ORDER.get(a["app_label"], len(APP_ORDER)))

    def get_urls(self) -> list[Any]:
        return [
            path("dashboard/", self.admin_view(self.dashboard), name="dashboard"),
            *super().get_urls(),
        ]

    def dashboard(self, request: HttpRequest) -> HttpResponse:
        return dashboard(request, self.each_context(request))

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "today": case_today_summary(user=request.user),
            "scan_last_success": Heartbeat.objects.filter(name="scan")
            .values_list("last_success_at", flat=True)
            .first(),
        }
        return super().index(request, context)
