"""Lists cost a constant number of queries, however many cases they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.services import progress_report_add
from casework.models import Region, User
from tests.factories import every_kind_of_row, new_case

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


def test_the_case_page_costs_the_same_queries_whatever_it_lists(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    """The case page reads its nine lists in the case's row (casework.inline): a case with
    events, progress, milestones, field checks with photos, evidence, follow-ups, extension
    requests, co-operating units and pollution types costs what a bare case costs."""
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    bare = new_case(supervisor, jizhou)
    full = new_case(supervisor, jizhou, pollution_types=["water", "air"])
    for percent in (10, 20, 30):
        progress_report_add(case_id=full.pk, user=jizhou_officer, text="进展", percent=percent)
    every_kind_of_row(supervisor, [full])
    shown = api.get(f"/api/v1/cases/{full.pk}/").json()
    assert len(shown["events"]) > 3 and len(shown["field_checks"]) == 2
    assert (
        queries(lambda: api.get(f"/api/v1/cases/{full.pk}/"))
        == queries(lambda: api.get(f"/api/v1/cases/{bare.pk}/"))
        <= 3
    )  # the user's memberships, the case with its lists, (SQLite) the savepoint-free read


def test_an_action_reads_the_case_page_only_to_answer_with_it(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    """A route that acts on a case finds it by id in the user's scope; the page (the case with
    its nine lists) is read only where the answer is that page, once."""
    api = APIClient()
    api.force_authenticate(jizhou_officer)
    case = new_case(supervisor, jizhou)

    def pages(call) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            response = call()
            assert response.status_code in (200, 201), response.content[:300]
        return sum("_inline_events" in query["sql"] for query in captured)

    url = f"/api/v1/cases/{case.pk}"
    assert pages(lambda: api.post(f"{url}/progress-reports/", {"text": "进展", "percent": 10})) == 0
    assert pages(lambda: api.post(f"{url}/transitions/", {"transition": "start"})) == 1
    assert api.post("/api/v1/cases/999999/transitions/", {"transition": "start"}).status_code == 404
