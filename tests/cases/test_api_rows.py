"""The case list's fast rows (cases.api.rows, serialized by casework.drf.RowsSerializer) answer
exactly what DRF's own serializer answers for every case of the demo ledger, and a page (of the
API or of the admin's case list) costs the same queries whatever its length."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIClient

from cases.api.rows import list_rows
from cases.api.serializers import CaseSerializer
from cases.models import Case, PollutionType, Source
from cases.selectors import case_list
from casework.models import Region, User
from notifications.models import CaseReminder
from supervision.api import OverdueRowSerializer
from supervision.reports import days_overdue, overdue_cases, scoped_cases
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def drf_rows(serializer: type[serializers.Serializer], instances: list[object]) -> list[dict]:
    """What DRF's own list serializer answers."""
    return [dict(serializer(instance).data) for instance in instances]


def test_the_fast_rows_are_drf_s_rows_for_every_demo_case(settings, supervisor: User) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    boss = User.objects.get(username="supervisor")

    late_ones = Case.objects.overdue().values("pk")
    sent = CaseReminder.objects.filter(case__in=late_ones).values_list("pk", flat=True)[:5]
    CaseReminder.objects.filter(pk__in=list(sent)).update(level=2)  # 催办 sent on five

    several = PollutionType.objects.order_by("-sort_order")[:3]  # added last to first
    Case.objects.order_by("pk").first().pollution_types.set(list(several))
    related = list(case_list(fetched_by=boss).prefetch_related("pollution_types"))
    # As the list reads them: rows of its columns, the pollution types' codes joined.
    cases = list(list_rows(fetched_by=boss))
    assert len(cases) > 200
    fast = CaseSerializer(cases, many=True).data
    # The same as DRF's own rows over whole cases and their relations.
    assert [dict(row) for row in fast] == drf_rows(CaseSerializer, related)
    # Every kind of value is among them: no batch, a reminder rung, pollution types, labels.
    assert {row["batch"] is None for row in fast} == {True, False}
    assert any(row["escalation_level"] for row in fast)
    assert any(len(row["pollution_types"]) > 1 for row in fast)  # in their order
    assert {row["state_label"] for row in fast} >= {"已交办", "已销号"}
    # The overdue report's rows (cases.rows, not instances) say what DRF says of the cases
    # themselves.

    counting = Case.objects.overdue().values("source_id")[:1]
    Source.objects.filter(pk__in=counting).update(report_in_working_days=True)  # 工作日
    late = list(overdue_cases(cases=scoped_cases(user=boss)))
    for case in late:
        case.days_overdue, case.working_days = days_overdue(case)
    assert late and any(case.working_days is not None for case in late)
    assert any(case.escalation_level for case in late)
    client = APIClient()
    client.force_authenticate(boss)
    answered = client.get("/api/v1/reports/overdue/").json()
    assert answered == drf_rows(OverdueRowSerializer, late)


def test_a_page_costs_the_same_queries_whatever_its_length(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    from django.test import Client

    api = APIClient()
    api.force_authenticate(supervisor)
    admin = Client()
    admin.force_login(jizhou_officer)
    counts = []
    for more in (3, 12):
        for _ in range(more):
            new_case(supervisor, jizhou)
        with CaptureQueriesContext(connection) as listed:
            response = api.get("/api/v1/cases/")
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as changelist:
            page = admin.get("/admin/cases/case/")
        assert page.status_code == 200
        counts.append((len(response.json()["results"]), len(listed), len(changelist)))
    (few, *few_queries), (many, *many_queries) = counts
    assert (few, many) == (3, 15)
    # A column read and not loaded, or a label looked up per row, would cost one per row.
    assert few_queries == many_queries
