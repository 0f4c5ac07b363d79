"""What supervision adds to the ledger's admin: the selected cases, or every case the list's
filters find, as an Excel ledger; and a batch's bulletin on its page.

The case admin lives a floor below (``cases.admin``) and knows nothing of exports; the export
plugs itself in here, once every app's admin is registered.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import OPEN_STATES, Batch, Case, ProgressReport
from cases.rules import is_city_supervisor
from casework import clock
from casework.errors import ApplicationError
from supervision.export_views import XLSX
from supervision.exports import LEDGER_COLUMNS, workbook
from supervision.models import Publication
from supervision.publications import publication_create, publication_open
from supervision.reports import batch_bulletin


def _days_overdue(case: Case) -> int | None:
    if case.state not in OPEN_STATES or case.duplicate_of_id is not None:
        return None
    return max(case.calendar_days_overdue(), 0)


# What the list shows besides the ledger: how late, and the last progress report.
LIST_COLUMNS = [
    *LEDGER_COLUMNS,
    ("逾期天数（自然日）", _days_overdue),
    ("最近进展", lambda c: getattr(c, "last_progress_text", None) or ""),
]


def _ledger_file(cases: QuerySet[Case]) -> FileResponse:
    last = ProgressReport.objects.filter(case=OuterRef("pk")).order_by("-reported_at")
    cases = cases.annotate(last_progress_text=Subquery(last.values("text")[:1]))
    stream = workbook(cases.order_by("source", "assigned_on", "id"), LIST_COLUMNS, "台账")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"台账-{clock.today():%Y%m%d}.xlsx",
        content_type=XLSX,
    )


@admin.action(description=gettext_lazy("Export the selected cases to Excel (ledger)"))
def export_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]):  # type: ignore[no-untyped-def]
    # The queryset is the scoped changelist with its filters (or "select all" of them).
    return _ledger_file(queryset)


def export_filtered(request: HttpRequest) -> HttpResponse:
    """Every case the list's filters and search find (not the page's 50), as the ledger."""
    if not case_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        changelist = case_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, _("The list's filters could not be read; nothing was exported."))
        return HttpResponseRedirect(reverse("admin:cases_case_changelist"))
    return _ledger_file(changelist.get_queryset(request))


case_admin = admin.site.get_model_admin(Case)
case_admin.actions = [*case_admin.actions, export_selected]
_case_urls = case_admin.get_urls


def _urls_with_export() -> list:  # type: ignore[type-arg]
    view = case_admin.admin_site.admin_view(export_filtered)
    return [path("export.xlsx", view, name="cases_case_export"), *_case_urls()]


case_admin.get_urls = _urls_with_export
case_admin.change_list_template = "admin/cases/case/change_list.html"


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
            "publications": batch.publications.select_related("published_by"),
            "may_publish": is_city_supervisor(request.user),
            "today": clock.today(),
        }
    return _batch_change_view(request, object_id, form_url, extra_context)


def publish_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """POST: freeze the batch's 一览表 as published (supervisors)."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:cases_batch_change", args=[object_id]))
    try:
        day = parse_date(request.POST.get("published_on") or "")
    except ValueError:
        day = None
    if request.POST.get("published_on") and day is None:
        messages.error(request, _("Give the publication day as a date."))
        return HttpResponseRedirect(reverse("admin:cases_batch_change", args=[object_id]))
    try:
        publication = publication_create(
            batch_id=int(object_id), user=request.user, published_on=day
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Published: %(n)s cases, kept as published (SHA-256 %(sha)s…).")
            % {"n": publication.case_count, "sha": publication.sha256[:12]},
        )
    return HttpResponseRedirect(reverse("admin:cases_batch_change", args=[object_id]))


def publication_file(request: HttpRequest, object_id: str, publication_id: int) -> HttpResponse:
    """The published file as it was, for whoever may see the batch's cases."""
    publication = Publication.objects.filter(pk=publication_id, batch_id=object_id).first()
    visible = Case.objects.visible_to(request.user).filter(batch_id=object_id).exists()
    if publication is None or not visible:
        raise Http404
    try:
        stream = publication_open(publication)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("admin:cases_batch_change", args=[object_id]))
    return FileResponse(
        stream,
        as_attachment=True,
        filename=publication.file.name.rsplit("/", 1)[-1],
        content_type=XLSX,
    )


_batch_urls = batch_admin.get_urls


def _batch_urls_with_publications() -> list:  # type: ignore[type-arg]
    site = batch_admin.admin_site
    return [
        path(
            "<path:object_id>/publish/",
            site.admin_view(publish_view),
            name="cases_batch_publish",
        ),
        path(
            "<path:object_id>/publications/<int:publication_id>/",
            site.admin_view(publication_file),
            name="cases_batch_publication",
        ),
        *_batch_urls(),
    ]


batch_admin.get_urls = _batch_urls_with_publications


batch_admin.change_view = _change_view_with_bulletin
batch_admin.change_form_template = "admin/cases/batch/change_form.html"
