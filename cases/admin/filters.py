"""The case list's own filters."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from cases.models import Batch, Case
from casework import clock
from casework.models import Region

# --- list filters --------------------------------------------------------------------------------


class ShownWhenApplied(admin.RelatedFieldListFilter):
    """Django leaves out a filter with fewer than two choices — and then ignores its parameter,
    so a link to "吉州区's cases" listed every case. Shown (and so applied) whenever it is set."""

    def has_output(self) -> bool:
        applied = bool(self.lookup_val) or self.lookup_val_isnull is not None
        return applied or super().has_output()


class BatchFilter(ShownWhenApplied):
    """A source's batches, once a source (or one of its batches) is picked: a ledger of several
    rounds has thousands of batches — no list to scroll, and no DISTINCT scan of the ledger to
    find them; named with their source in one query."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        source, batch = request.GET.get("source__id__exact", ""), self.lookup_val or []
        batches = Batch.objects.none()
        if source.isdigit():
            batches = Batch.objects.filter(source_id=int(source))
        elif batch and str(batch[0]).isdigit():
            picked = Batch.objects.filter(pk=int(batch[0])).values("source_id")
            batches = Batch.objects.filter(source_id__in=picked)
        return [(b.pk, str(b)) for b in batches.select_related("source").order_by("number")]


class VisibleRegionFilter(ShownWhenApplied):
    """The regions the person may see (a county officer: their county), read from the regions,
    not by a DISTINCT scan of the ledger's cases."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        regions = Region.objects.visible_to(request.user).order_by("sort_order", "pk")
        return [(r.pk, r.name) for r in regions]


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("yes", gettext_lazy("Overdue")),
            ("week", gettext_lazy("Due within 7 days")),
            ("no", gettext_lazy("Not overdue")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        today = clock.today()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "week":
            return queryset.open().filter(
                deadline__gte=today, deadline__lte=today + dt.timedelta(days=7)
            )
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.overdue(today).values("pk"))
        return queryset


class ReopenedFilter(admin.SimpleListFilter):
    title = gettext_lazy("reopened")
    parameter_name = "reopened"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", gettext_lazy("Reopened")), ("no", gettext_lazy("Never reopened"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() == "yes":
            return queryset.filter(reopen_count__gt=0)
        if self.value() == "no":
            return queryset.filter(reopen_count=0)
        return queryset
