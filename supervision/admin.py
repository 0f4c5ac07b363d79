"""What supervision adds to the ledger's admin: the selected cases, or every case the list's
filters find, as an Excel ledger; and a batch's bulletin on its page.

The case admin lives a floor below (``cases.admin``) and knows nothing of exports; the export
plugs itself in here, once every app's admin is registered.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Batch, Case
from cases.rules import is_city_supervisor
from cases.selectors import count_up_to
from casework import clock
from casework.admin_scope import NotFoundOutsideScope
from casework.errors import ApplicationError
from supervision import export_runs
from supervision.export_views import XLSX
from supervision.exports import LIST_COLUMNS, list_ledger, workbook
from supervision.models import ExportRun, ExportState, Publication
from supervision.publications import publication_create, publication_open
from supervision.reports import batch_bulletin


def _ledger_file(cases: QuerySet[Case]) -> FileResponse:
    stream = workbook(list_ledger(cases), LIST_COLUMNS, "台账")
    return FileResponse(
        stream,
        as_attachment=True,
        filename=f"台账-{clock.today():%Y%m%d}.xlsx",
        content_type=XLSX,
    )


def _export(request: HttpRequest, cases: QuerySet[Case]) -> HttpResponse:
    """The ledger file at once, or — more rows than a request should write — an export run
    for a worker, and the page where it will be ready."""
    limit = export_runs.inline_limit()
    if count_up_to(cases, limit) <= limit:
        return _ledger_file(cases)
    query = request.GET.copy()
    for name in ("p", "o", "e"):  # the page, the order and the error flag are not filters
        query.pop(name, None)
    run = export_runs.export_start(user=request.user, query=query.urlencode())
    messages.info(
        request,
        _(
            "More than %(limit)s cases: the ledger is being written in the background. "
            "It will be ready to download here."
        )
        % {"limit": f"{limit:,}"},
    )
    return HttpResponseRedirect(reverse("admin:supervision_exportrun_change", args=[run.pk]))


@admin.action(description=gettext_lazy("Export the selected cases to Excel (ledger)"))
def export_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Case]):  # type: ignore[no-untyped-def]
    # The queryset is the scoped changelist with its filters (or "select all" of them: only
    # then can it be large, and the list's query string then says which cases they are).
    return _export(request, queryset)


def export_filtered(request: HttpRequest) -> HttpResponse:
    """Every case the list's filters and search find (not the page's 50), as the ledger."""
    if not case_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        changelist = case_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, _("The list's filters could not be read; nothing was exported."))
        return HttpResponseRedirect(reverse("admin:cases_case_changelist"))
    return _export(request, changelist.get_queryset(request))


@admin.register(ExportRun)
class ExportRunAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    """A person's own ledger exports: how far each has got, and its file when ready."""

    list_display = ["created_at", "state", "progress", "download"]
    fields = ["created_at", "state", "progress", "download", "filters_shown", "error"]
    readonly_fields = fields
    change_list_template = "admin/supervision/exportrun/change_list.html"
    change_form_template = "admin/supervision/exportrun/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportRun]:
        return export_runs.runs_of(request.user)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
        running = self.get_queryset(request).filter(
            state__in=[ExportState.QUEUED, ExportState.RUNNING]
        )
        extra_context = {**(extra_context or {}), "exports_running": running.exists()}
        return super().changelist_view(request, extra_context)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return case_admin.has_view_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return case_admin.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, run: ExportRun) -> str:
        if run.state == ExportState.QUEUED:
            return _("waiting for a worker")
        return _("%(done)s of %(total)s rows") % {
            "done": f"{run.rows_done:,}",
            "total": f"{run.rows_total:,}",
        }

    @admin.display(description=gettext_lazy("file"))
    def download(self, run: ExportRun) -> str:
        if run.state != ExportState.DONE:
            return "—"
        url = reverse("admin:supervision_exportrun_download", args=[run.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.display(description=gettext_lazy("filters"))
    def filters_shown(self, run: ExportRun) -> str:
        url = reverse("admin:cases_case_changelist") + (f"?{run.query}" if run.query else "")
        text = _("the case list with these filters") if run.query else _("every case you may see")
        return format_html('<a href="{}">{}</a>', url, text)

    def get_urls(self) -> list:  # type: ignore[type-arg]
        view = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:run_id>/download/", view, name="supervision_exportrun_download"),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, run_id: int) -> FileResponse:
        run = export_runs.runs_of(request.user).filter(pk=run_id, state=ExportState.DONE).first()
        if run is None or not run.file:
            raise Http404
        return FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=f"台账-{timezone.localtime(run.created_at):%Y%m%d}.xlsx",
            content_type=XLSX,
        )


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
