"""What supervision adds to the ledger's admin: the selected cases as an Excel ledger, and a
batch's bulletin on its page.

The case admin lives a floor below (``cases.admin``) and knows nothing of exports; the export
plugs itself in here, once every app's admin is registered.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy

from cases.models import Batch, Case
from casework import clock
from supervision.export_views import XLSX
from supervision.exports import LEDGER_COLUMNS, workbook
from supervision.reports import batch_bulletin


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


# A batch's page shows its bulletin (交办批次办理情况), over the cases the reader may see.
batch_admin = admin.site.get_model_admin(Batch)
_batch_change_view = batch_admin.change_view


def _change_view_with_bulletin(request, object_id, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
    batch = Batch.objects.select_related("source").filter(pk=object_id).first()
    cases = Case.objects.visible_to(request.user)
    if batch is not None and cases.filter(batch=batch).exists():
        extra_context = {
            **(extra_context or {}),
            "bulletin": batch_bulletin(cases=cases, batch=batch),
        }
    return _batch_change_view(request, object_id, form_url, extra_context)


batch_admin.change_view = _change_view_with_bulletin
batch_admin.change_form_template = "admin/cases/batch/change_form.html"
