from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class CaseworkAdminSite(admin.AdminSite):
    site_header = _("Casework: inspection rectification and petition cases")
    site_title = _("Casework")
    index_title = _("Ledger administration")
    index_template = "admin/casework_index.html"
    site_url = None  # there is no public site (yet): no "view site" link

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        from cases.selectors import case_today_summary

        context = {**(extra_context or {}), "today": case_today_summary(user=request.user)}
        return super().index(request, context)
