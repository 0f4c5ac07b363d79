"""`make bench`'s small version in CI: the hot paths cost the same number of queries on a ledger
ten times larger, read the indexes named for them, and the benchmark runs end to end."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import Case
from casework import clock
from ops import bench_ledger

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def hot_paths(supervisor, officer) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The queries each hot path costs now."""
    api, officer_api = APIClient(), APIClient()
    api.force_authenticate(supervisor)
    officer_api.force_authenticate(officer)
    admin, officer_admin = Client(), Client()
    admin.force_login(supervisor)
    officer_admin.force_login(officer)
    source = Case.objects.filter(batch__isnull=False).values_list("source_id", flat=True)[0]
    detail = Case.objects.filter(region__name="吉州区", state="closed").order_by("pk")[0]
    second = api.get("/api/v1/cases/").json()["next"]
    then = (clock.today() - dt.timedelta(days=90)).isoformat()
    paths = {
        "changelist, supervisor": lambda: admin.get("/admin/cases/case/"),
        "changelist, a source's batches": lambda: admin.get(
            "/admin/cases/case/", {"source__id__exact": source}
        ),
        "changelist overdue, officer": lambda: officer_admin.get(
            "/admin/cases/case/", {"overdue": "yes"}
        ),
        "api list, supervisor": lambda: api.get("/api/v1/cases/"),
        "api list next page": lambda: api.get(second),
        "api list, officer": lambda: officer_api.get("/api/v1/cases/"),
        "api detail, officer": lambda: officer_api.get(f"/api/v1/cases/{detail.pk}/"),
        "overdue report": lambda: api.get("/api/v1/reports/overdue/"),
        "overdue trend": lambda: api.get("/api/v1/reports/overdue-trend/"),
        "closure rates": lambda: api.get("/api/v1/reports/closure-rate/", {"group_by": "county"}),
        "closure rates as of": lambda: api.get(
            "/api/v1/reports/closure-rate/", {"group_by": "county", "as_of": then}
        ),
        "overdue report as of": lambda: api.get("/api/v1/reports/overdue/", {"as_of": then}),
        "sentences as of": lambda: api.get("/api/v1/reports/sentences/", {"as_of": then}),
        "ranking as of": lambda: api.get("/api/v1/reports/ranking/", {"as_of": then}),
        "dashboard": lambda: admin.get("/admin/dashboard/"),
        "dashboard as of": lambda: admin.get("/admin/dashboard/", {"as_of": then}),
    }
    counts = {}
    for name, call in paths.items():
        with CaptureQueriesContext(connection) as captured:
            response = call()
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured)
    return counts


def test_the_hot_paths_cost_the_same_queries_on_a_ledger_ten_times_larger() -> None:
    supervisor, officer = bench_ledger.generate(300)
    small = hot_paths(supervisor, officer)
    bench_ledger.generate(2700, first=301)
    assert Case.objects.count() == 3000
    large = hot_paths(supervisor, officer)
    assert large == small
    # The case page: one read of the memberships (not one per question of who may act), one of
    # the case with its lists (casework.inline), not one per list.
    assert small["api detail, officer"] == 2
    # A list page is one query: who may see which cases is read inside it (VISIBLE_REGIONS),
    # not by a read of the memberships first.
    assert small["api list, officer"] == small["api list, supervisor"] == 1
    # The dashboard reads the ledger once for its sentences and its ranking (and once for the
    # ten most overdue cases); the overdue list as of a date does not ask per row.
    assert small["dashboard"] == small["dashboard as of"] <= 10
    assert small["overdue report as of"] <= 3


def plan(sql: str, params: list[object]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_lists_read_the_indexes_named_for_them() -> None:
    from cases.api.rows import list_rows
    from cases.selectors import case_list

    supervisor, officer = bench_ledger.generate(3000)
    for user in (supervisor, officer):  # the API's list and the admin's, most urgent first
        for page in (list_rows(fetched_by=user)[:51], case_list(fetched_by=user)[:51]):
            assert "case_urgency_idx" in plan(*page.query.sql_with_params())
    from supervision.reports import overdue_cases

    overdue = overdue_cases(cases=Case.objects.visible_to(supervisor), today=clock.today())[:1000]
    with connection.cursor() as cursor:
        # At 3,000 cases, with statistics left by earlier tests, PostgreSQL may rather read
        # the whole table (seen after the demo ledger's test); told not to, it names the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "case_open_deadline_idx" in plan(*overdue.query.sql_with_params())
    # An officer's overdue cases as the changelist's capped count reads them (count_up_to) can
    # be counted from the index alone, not each open case's row: every column the count reads
    # is in it. (At this size PostgreSQL would rather read the table, so the plan cannot say.)
    counted = Case.objects.visible_to(officer).overdue(clock.today()).order_by().values("pk")
    sql = counted[:10_001].query.sql_with_params()[0]
    read = set(re.findall(r'"cases_case"\."(\w+)"', sql))
    assert read == {"id", "region_id", "deadline", "state", "duplicate_of_id"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_open_deadline_idx'")
        (definition,) = cursor.fetchone()
    key, include = re.fullmatch(r".*\((\w+)\) INCLUDE \(([\w, ]+)\) WHERE .*", definition).groups()
    assert read - {"state"} == {key, *include.split(", ")}  # state: the index's own condition


def test_the_benchmark_runs_end_to_end_and_writes_its_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "bench",
        cases=400,
        runs=1,
        import_rows=0,
        http_seconds=0,  # its web processes would not see this test's uncommitted ledger
        out=str(tmp_path),
        smoke=True,
        stdout=None,
    )
    table = json.loads((tmp_path / "postgresql-400.json").read_text(encoding="utf-8"))
    names = [row["name"] for row in table["rows"]]
    assert "api list deep page, supervisor" in names and table["cases"] == 400
    assert all(row["floor_ms"] for row in table["rows"] if row["name"].startswith("api list"))
    assert "| overdue trend api |" in (tmp_path / "postgresql-400.md").read_text(encoding="utf-8")


def due_now(count: int) -> int:
    """Make ``count`` more of 吉州区's overdue schedules due now, from their first rung."""
    from notifications.models import CaseReminder, ReminderRule

    first = ReminderRule.objects.filter(is_active=True).order_by("offset_working_days")[0]
    pending = CaseReminder.objects.filter(
        case__region__name="吉州区",
        case__state__in=["assigned", "rectifying"],
        case__duplicate_of__isnull=True,
        case__deadline__lt=clock.today(),
        last_sent_at__isnull=True,
    ).order_by("pk")
    ids = list(pending.values_list("pk", flat=True)[:count])
    CaseReminder.objects.filter(pk__in=ids).update(
        next_reminder_at=clock.now() - dt.timedelta(minutes=1), next_rule=first
    )
    return len(ids)


def test_the_reminder_tick_costs_the_same_queries_for_ten_or_a_hundred_due() -> None:
    from notifications.models import Notification
    from notifications.services import reminders_scan

    _, officer = bench_ledger.generate(40_000)
    scans = []
    for wanted in (10, 100):
        assert due_now(wanted) == wanted
        with CaptureQueriesContext(connection) as captured:
            sent = reminders_scan()
        scans.append((sent, len(captured)))
    (few, few_queries), (many, many_queries) = scans
    assert (few, many) == (10, 100)
    assert many_queries <= few_queries + 2  # a few more ladders (deadlines), not one per case
    assert officer.notifications.count() == 110 == Notification.objects.count()
    assert reminders_scan() == 0  # nothing is due twice


def test_the_http_floor_view_answers_the_columns_the_case_list_answers(
    supervisor,  # type: ignore[no-untyped-def]
    jizhou,
) -> None:
    """The HTTP benchmark's floor is the same page by hand: every column the API's list shows
    but the two its labels and rules word (state_label, step)."""
    from django.test import RequestFactory

    from cases.api.serializers import CaseSerializer
    from config.bench_urls import floor
    from tests.factories import new_case

    new_case(supervisor, jizhou, pollution_types=["water", "air"])
    rows = json.loads(floor(RequestFactory().get("/bench/floor/")).content)["results"]
    assert len(rows) == 1
    assert set(rows[0]) == set(CaseSerializer.Meta.fields) - {"state_label", "step"}
    assert set(rows[0]["pollution_types"].split(",")) == {"water", "air"}
