"""The import pages for supervisors: upload → the preview with every problem shown → confirm;
the list of imports, each with its report; the progress of a large one while it is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin.common import apply_service_error
from cases.models import Batch, Source
from cases.rules import is_city_supervisor
from casework.errors import ApplicationError
from intake.models import ImportKind, ImportRun, ImportState
from intake.services import import_check, import_confirm, import_progress, runs_visible_to


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy(
            "An .xlsx workbook or a .csv file (UTF-8 or GB18030). Columns are found by their "
            "header names, in any order; download a template below."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("kind of file"),
        choices=[("", gettext_lazy("Recognise from the header")), *ImportKind.choices],
        required=False,
    )
    source = forms.ModelChoiceField(
        label=gettext_lazy("source"),
        queryset=Source.objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy(
            "The round the batch comes from. A history ledger may instead name each row's round "
            "in a 轮次 column."
        ),
    )
    batch_number = forms.IntegerField(
        label=gettext_lazy("batch number"), min_value=1, max_value=99999, required=False
    )
    handed_down_on = forms.DateField(
        label=gettext_lazy("handed down on"),
        required=False,
        help_text=gettext_lazy("Default: today. The feedback deadline is counted from it."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    update_existing = forms.BooleanField(
        label=gettext_lazy("update cases already on the ledger"), required=False
    )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "file_name",
        "kind",
        "source",
        "batch_number",
        "state",
        "rows",
        "created",
        "error_count",
        "created_by",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["source", "created_by"]
    search_fields = ["file_name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return runs_visible_to(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_city_supervisor(request.user)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an import is confirmed through its page, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept: who brought which file in

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_city_supervisor(request.user) or request.user.is_superuser  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="intake_importrun_confirm",
            ),
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="intake_importrun_file",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise Http404
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    run = import_check(
                        user=request.user,  # type: ignore[arg-type]
                        file=data["file"],
                        file_name=data["file"].name,
                        kind=data["kind"],
                        source=data["source"],
                        batch_number=data["batch_number"],
                        handed_down_on=data["handed_down_on"],
                        update_existing=data["update_existing"],
                    )
                except ApplicationError as exc:
                    apply_service_error(form, exc)
                else:
                    return HttpResponseRedirect(
                        reverse("admin:intake_importrun_change", args=[run.pk])
                    )
        else:
            form = ImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Import cases from a spreadsheet"),
        }
        return TemplateResponse(request, "admin/intake/importrun/upload.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        run = self.get_object(request, object_id)
        if run is None or not self.has_view_permission(request, run):
            raise Http404
        report = run.report or {}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "run": run,
            "report": report,
            "progress": import_progress(run),
            "working": run.state in (ImportState.QUEUED, ImportState.RUNNING),
            "may_confirm": run.state == ImportState.PREVIEWED,
            "title": _("Import %(id)s: %(file)s") % {"id": run.pk, "file": run.file_name},
            "cases_url": self._cases_url(run),
        }
        return TemplateResponse(request, "admin/intake/importrun/report.html", context)

    @staticmethod
    def _cases_url(run: ImportRun) -> str:
        url = reverse("admin:cases_case_changelist")
        batch = (
            Batch.objects.filter(source_id=run.source_id, number=run.batch_number)
            .values_list("pk", flat=True)
            .first()
        )
        if batch is not None:
            return f"{url}?batch__id__exact={batch}"
        if run.source_id:
            return f"{url}?source__id__exact={run.source_id}"
        return url

    def file_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The file as it was uploaded, to whoever may see the import."""
        run = self.get_queryset(request).filter(pk=pk).first()
        if run is None or not self.has_view_permission(request, run) or not run.file:
            raise Http404
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.file_name)

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:intake_importrun_change", args=[pk]))
        try:
            run = import_confirm(run_id=pk, user=request.user)  # type: ignore[arg-type]
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            if run.state == ImportState.DONE:
                self.message_user(
                    request,
                    _("Imported: %(created)s cases created, %(updated)s updated.")
                    % {"created": run.created, "updated": run.updated},
                    messages.SUCCESS,
                )
            elif run.state in (ImportState.QUEUED, ImportState.RUNNING):
                self.message_user(
                    request,
                    _("The import is being written; this page shows its progress."),
                    messages.INFO,
                )
            else:
                self.message_user(request, run.get_state_display(), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:intake_importrun_change", args=[pk]))
