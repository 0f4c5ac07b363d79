"""What supervision adds to the ledger's admin: the selected cases as an Excel ledger.

The case admin lives a floor below (``cases.admin``) and knows nothing of exports; the export
plugs itself in here, once every app's admin is registered.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy

from cases.models import Case
from casework import clock
from supervision.export_views import XLSX
from supervision.exports import LEDGER_COLUMNS, workbook


@admin.action(description=gettext_lazy("Export the selected cases to Excel (ledger)"))
def export_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]):  # type: ignore[no-untyped-def]
    # The queryset is the scoped changelist with its filters (or "select all" of them).
    stream = workbook(queryset.order_by("source", "assigned_on", "id"), LEDGER_COLUMNS, "台账")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"台账-{clock.today():%Y%m%d}.xlsx",
        content_type=XLSX,
    )


case_admin = admin.site.get_model_admin(Case)
case_admin.actions = [*case_admin.actions, export_selected]
