"""Lists cost a constant number of queries, however many cases they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.services import progress_report_add
from casework.models import Region, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def queries(call) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = call()
        assert response.status_code == 200
    return len(captured)


def add_cases(supervisor: User, officer: User, region: Region, count: int) -> None:
    """Cases each in a batch of its own, so that the list's batch filter grows with them."""
    from cases.models import Batch
    from tests.factories import source

    for _ in range(count):
        number = Batch.objects.count() + 1
        batch = Batch.objects.create(source=source(), number=number, handed_down_on="2026-01-05")
        case = new_case(supervisor, region, pollution_types=["water", "air"], batch=batch)
        progress_report_add(case_id=case.pk, user=officer, text="进展", percent=20)


def test_the_case_list_api_and_the_admin_changelist_do_not_grow_with_the_page(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    api = APIClient()
    api.force_authenticate(supervisor)
    admin = Client()
    admin.force_login(supervisor)
    add_cases(supervisor, jizhou_officer, jizhou, 3)
    small = (
        queries(lambda: api.get("/api/v1/cases/")),
        queries(lambda: admin.get("/admin/cases/case/")),
        queries(lambda: api.get("/api/v1/reports/overdue/")),
    )
    add_cases(supervisor, jizhou_officer, jizhou, 12)
    large = (
        queries(lambda: api.get("/api/v1/cases/")),
        queries(lambda: admin.get("/admin/cases/case/")),
        queries(lambda: api.get("/api/v1/reports/overdue/")),
    )
    assert large == small
