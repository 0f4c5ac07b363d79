"""The case list's query parameters."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from cases.models import (
    Case,
    CaseKind,
    State,
)
from casework import clock
from casework.drf import MAX_ID


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=State.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    region = filters.CharFilter(field_name="region__gb_code", help_text=_("GB/T 2260 code"))
    source = filters.NumberFilter(field_name="source_id", min_value=1, max_value=MAX_ID)
    source_stream = filters.CharFilter(field_name="source__stream__code")
    batch = filters.NumberFilter(field_name="batch__number", min_value=1, max_value=MAX_ID)
    overdue = filters.BooleanFilter(method="filter_overdue")
    due_before = filters.DateFilter(field_name="deadline", lookup_expr="lte")
    updated_since = filters.IsoDateTimeFilter(method="filter_updated_since")
    q = filters.CharFilter(method="filter_text", max_length=100)

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_updated_since(
        self, queryset: QuerySet[Case], name: str, value: dt.datetime
    ) -> QuerySet[Case]:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows (a 500 before).
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError:  # before year 1 in UTC: everything is newer
            return queryset
        return queryset.filter(updated_at__gte=value)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        overdue = queryset.overdue(clock.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(
            Q(acceptance_number__icontains=value)
            | Q(summary__icontains=value)
            | Q(address__icontains=value)
        )
