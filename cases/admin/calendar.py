"""The admin pages for the official holiday calendar: enter a year (typed or uploaded), preview
what it would change, apply it; and the list of dates it would move earlier, to confirm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.admin.common import apply_service_error
from cases.calendar import (
    CALENDAR_PERMISSION,
    calendar_file_parse,
    calendar_year_enter,
    dates_parse,
    recomputation_decide,
)
from cases.models import Case, DateRecomputation, RecomputationStatus
from casework import clock, workdays
from casework.admin_scope import NotFoundOutsideScope
from casework.errors import ApplicationError, InvalidInput
from casework.models import CalendarStatus, CalendarYear


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2099)
    status = forms.ChoiceField(
        label=gettext_lazy("status"),
        choices=CalendarStatus.choices,
        initial=CalendarStatus.OFFICIAL,
        help_text=gettext_lazy(
            "Official: from the State Council's notice. Provisional: the city's expected "
            "arrangement; dates counted on it stay marked provisional."
        ),
    )
    document_number = forms.CharField(
        label=gettext_lazy("document number"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("The notice's number, e.g. 国办发明电〔2026〕7号."),
    )
    published_on = forms.DateField(label=gettext_lazy("published on"), required=False)
    holidays = forms.CharField(
        label=gettext_lazy("holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40}),
        help_text=gettext_lazy(
            "One date or range per line, e.g. 2027-01-01 or 2027-02-05 至 2027-02-11. "
            "Weekends inside a range are days off anyway."
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("swapped working days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text=gettext_lazy("Weekend days that are working days (调休), one per line."),
    )
    file = forms.FileField(
        label=gettext_lazy("or upload a file"),
        required=False,
        help_text=gettext_lazy(
            "JSON as in fixtures/calendar/README.md, or CSV rows “date,休” / “date,班”. "
            "A file replaces the dates typed above."
        ),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data.get("file")
        if upload is not None:
            if upload.size > 1024 * 1024:
                raise InvalidInput({"file": _("The file is larger than 1 MB.")})
            parsed = calendar_file_parse(upload.read(), name=upload.name)
            if parsed["year"] != data["year"]:
                raise InvalidInput(
                    {
                        "file": _("The file is for %(file)s, the form for %(form)s.")
                        % {"file": parsed["year"], "form": data["year"]}
                    }
                )
            holidays, swapped = parsed["holidays"], parsed["workdays"]
            document = data["document_number"] or parsed["document_number"]
        else:
            holidays = dates_parse(data["holidays"], field_name="holidays")
            swapped = dates_parse(data["workdays"], field_name="workdays")
            document = data["document_number"]
        return {
            "year": data["year"],
            "status": data["status"],
            "document_number": document,
            "published_on": data["published_on"],
            "holidays": holidays,
            "workdays_": swapped,
        }


def _ranges(days: list[str]) -> str:
    """ISO dates as the lines the form reads back: runs of consecutive days as ranges."""
    parsed = sorted(dt.date.fromisoformat(d) for d in days)
    lines: list[str] = []
    start = end = None
    for day in parsed:
        if end is not None and (day - end).days == 1:
            end = day
            continue
        if start is not None:
            lines.append(str(start) if start == end else f"{start} 至 {end}")
        start = end = day
    if start is not None:
        lines.append(str(start) if start == end else f"{start} 至 {end}")
    return "\n".join(lines)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "status",
        "document_number",
        "published_on",
        "holiday_count",
        "workday_count",
        "entered_by",
        "updated_at",
    ]
    ordering = ["-year"]

    @admin.display(description=gettext_lazy("holidays"))
    def holiday_count(self, row: CalendarYear) -> int:
        return len(row.holidays)

    @admin.display(description=gettext_lazy("swapped working days"))
    def workday_count(self, row: CalendarYear) -> int:
        return len(row.workdays)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # dates were counted on it; correct it instead

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        today = clock.today()
        years = range(today.year - 1, today.year + 3)
        overview = [(y, workdays.year_calendar(y)) for y in years]
        context = {
            **(extra_context or {}),
            "subtitle": "；".join(
                _("%(year)s: %(status)s")
                % {
                    "year": y,
                    "status": _("provisional") if c.provisional else _("official"),
                }
                for y, c in overview
            ),
        }
        return super().changelist_view(request, context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise Http404
        return self._form_view(request, None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        row = self.get_object(request, object_id)
        if row is None:
            raise Http404
        if not self.has_change_permission(request, row):
            return super().change_view(request, object_id, form_url, extra_context)
        return self._form_view(request, row)

    def _form_view(self, request: HttpRequest, row: CalendarYear | None) -> HttpResponse:
        report = None
        if request.method == "POST":
            form = CalendarYearForm(request.POST, request.FILES)
            if form.is_valid():
                preview = "_preview" in request.POST
                try:
                    report = calendar_year_enter(
                        user=request.user, dry_run=preview, **form.service_kwargs()
                    )
                except ApplicationError as exc:
                    apply_service_error(form, exc)
                else:
                    if not preview:
                        self.message_user(
                            request,
                            _("The %(year)s calendar is entered. %(summary)s")
                            % {"year": form.cleaned_data["year"], "summary": report.summary()},
                            messages.SUCCESS,
                        )
                        return HttpResponseRedirect(
                            reverse("admin:casework_calendaryear_changelist")
                        )
        elif row is not None:
            form = CalendarYearForm(
                initial={
                    "year": row.year,
                    "status": row.status,
                    "document_number": row.document_number,
                    "published_on": row.published_on,
                    "holidays": _ranges(row.holidays),
                    "workdays": _ranges(row.workdays),
                }
            )
        else:
            next_year = clock.today().year + 1
            form = CalendarYearForm(initial={"year": next_year})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "report": report,
            "original": row,
            "title": _("Enter a year's holiday arrangement"),
        }
        return TemplateResponse(request, "admin/casework/calendaryear/form.html", context)


class PendingFirst(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(RecomputationStatus.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(DateRecomputation)
class DateRecomputationAdmin(NotFoundOutsideScope, admin.ModelAdmin):
    list_display = [
        "case_link",
        "field",
        "current_date",
        "official_date",
        "calendar_year",
        "status",
        "decide_links",
    ]
    list_filter = [PendingFirst, "field", "calendar_year"]
    list_select_related = ["case"]
    search_fields = ["case__acceptance_number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DateRecomputation]:
        return DateRecomputation.objects.filter(case__in=Case.objects.visible_to(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided through the links, by the service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("case"), ordering="case__acceptance_number")
    def case_link(self, item: DateRecomputation) -> str:
        url = reverse("admin:cases_case_change", args=[item.case_id])
        return format_html('<a href="{}">{}</a>', url, item.case.acceptance_number)

    @admin.display(description=gettext_lazy("decision"))
    def decide_links(self, item: DateRecomputation) -> str:
        if item.status != RecomputationStatus.PENDING:
            return item.get_status_display()
        url = reverse("admin:cases_daterecomputation_decide", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, _("Decide"))

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="cases_daterecomputation_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self.get_queryset(request).select_related("case").filter(pk=pk).first()
        if item is None or not request.user.has_perm(CALENDAR_PERMISSION):
            raise Http404
        decision = request.POST.get("decision") if request.method == "POST" else None
        if decision not in ("apply", "keep"):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "item": item,
                "title": _("Confirm a date moved earlier"),
            }
            return TemplateResponse(request, "admin/cases/daterecomputation/decide.html", context)
        try:
            item = recomputation_decide(
                recomputation_id=pk, user=request.user, apply=decision == "apply"
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(case)s: %(status)s.")
                % {"case": item.case.acceptance_number, "status": item.get_status_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:cases_daterecomputation_changelist"))
