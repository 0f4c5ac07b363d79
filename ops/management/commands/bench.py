"""Benchmarks beside their floors: `make bench` runs this against a throwaway database.

On PostgreSQL it generates a ledger at the scale asked for (``ops.bench_ledger``: states,
streams, rounds, batches, trails, progress reports, reminder schedules), then times each hot
path (median of several runs) beside a hand-written SQL floor measured in the same run, counts
its queries, and writes the table to ``bench/results/`` (Markdown and JSON). On SQLite (no
PostgreSQL answering) it seeds a simpler ledger and shows times without floors. Exits non-zero
when a target is missed. Timings are of this machine; the ratio to the floor is the figure.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.api.pagination import cursor_for
from cases.api.rows import list_rows
from cases.models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseKind,
    Source,
    SourceKind,
    SourceStream,
    standings_rebuild,
)
from cases.selectors import case_list
from casework import clock
from casework.models import Region, ResponsibleUnit, User
from notifications.models import CaseReminder, ReminderRule
from notifications.services import reminders_scan
from ops import bench_ledger
from ops.bench_imports import bench_imports
from supervision import reports
from supervision.exports import LEDGER_COLUMNS, workbook

# Targets: "ratio" to the floor, or an absolute time in ms where the issue sets one (the admin).
# name -> (ratio to floor or None, ms or None)
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "admin changelist, supervisor": (None, 300),
    "admin changelist ?overdue=yes, officer": (None, 300),
    "api list page 1, supervisor": (1.5, None),
    "api list page 1, officer": (1.5, None),
    "api list deep page, supervisor": (1.5, None),
    "overdue report api, supervisor": (1.5, None),
    "case detail api, officer": (3.0, None),
    "closure rates by county": (1.5, None),
    "closure rates as of a date": (1.5, None),
    "overdue report api as of a date": (1.5, None),
    "sentences as of a date": (1.5, None),
    "overdue trend api": (1.5, None),
    "dashboard, supervisor": (1.5, None),
    "dashboard as of a date": (1.5, None),
}
# Rows per second, at least.
IMPORT_TARGET = 3000
EXPORT_TARGET = 10_000
EXPORT_MEMORY = 150 * 1024 * 1024
EXPORT_ROWS = 20_000
SQLITE_CASES = 5_000
TICK_DUE = 10_000
TICK_FLOOR = """
    WITH due AS (
        UPDATE notifications_casereminder SET next_reminder_at = NULL, level = 2,
               last_sent_at = now()
        WHERE next_reminder_at <= now() RETURNING case_id
    )
    INSERT INTO notifications_notification (recipient_id, case_id, kind, level, title, body,
                                            dedupe_key, created_at)
    SELECT m.user_id, c.id, 'reminder', 2, '催办：' || c.acceptance_number,
           '请于今日报送整改进展', 'floor:' || c.id || ':' || m.user_id, now()
    FROM due JOIN cases_case c ON c.id = due.case_id
    JOIN casework_membership m ON m.region_id = c.region_id AND m.role = 'county_officer'
"""
RESULTS = Path(settings.BASE_DIR) / "bench" / "results"
# The closure rates' seven counts by county (supervision.reports.rates.closure_counts), over a
# CTE ``c`` of (region_id, original, state, concluded, stage, reopened): today's or as of a date.
SEVEN_COUNTS = """
    SELECT c.region_id, r.name,
           count(*) FILTER (WHERE original),
           count(*) FILTER (WHERE original AND concluded),
           count(*) FILTER (WHERE original AND stage AND NOT concluded),
           count(*) FILTER (WHERE original AND state = 'verified'),
           count(*) FILTER (WHERE original AND state = 'closed'),
           count(*) FILTER (WHERE original AND reopened),
           count(*) FILTER (WHERE NOT original)
    FROM c JOIN casework_region r ON r.id = c.region_id
    GROUP BY c.region_id, r.name ORDER BY r.name
"""

URGENCY_SQL = (
    "CASE WHEN c.state IN ('assigned','rectifying') THEN 0 WHEN c.state = 'submitted' THEN 1 "
    "WHEN c.state = 'verified' THEN 2 ELSE 3 END"
)
PAGE_SQL = f"""
    SELECT c.*, s.name, st.short_name, r.name, u.name, b.number, m.level,
           (SELECT max(p.reported_at) FROM cases_progressreport p WHERE p.case_id = c.id)
    FROM cases_case c
    JOIN cases_source s ON s.id = c.source_id JOIN cases_sourcestream st ON st.id = s.stream_id
    JOIN casework_region r ON r.id = c.region_id JOIN casework_responsibleunit u ON u.id = c.unit_id
    LEFT JOIN cases_batch b ON b.id = c.batch_id
    LEFT JOIN notifications_casereminder m ON m.case_id = c.id
    WHERE {{where}}
    ORDER BY {URGENCY_SQL}, c.deadline, c.id LIMIT 50 OFFSET {{offset}}
"""

# The case page by hand: the case with its names and every list it shows, each list's rows (and
# the names they show: who reported, acted, inspected, uploaded, recorded) as JSON in the row.
DETAIL_SQL = """
    SELECT c.*, r.name, u.name, s.name, st.code, b.number, m.level,
      (SELECT json_agg(json_build_object('id', t.id, 'code', t.code, 'name', t.name))
       FROM cases_case_pollution_types x JOIN cases_pollutiontype t ON t.id = x.pollutiontype_id
       WHERE x.case_id = c.id),
      (SELECT json_agg(json_build_object('p', p, 'by', w.username))
       FROM cases_progressreport p JOIN casework_user w ON w.id = p.reported_by_id
       WHERE p.case_id = c.id),
      (SELECT json_agg(k) FROM cases_milestone k WHERE k.case_id = c.id),
      (SELECT json_agg(json_build_object('e', e, 'by', w.username))
       FROM cases_caseevent e LEFT JOIN casework_user w ON w.id = e.actor_id
       WHERE e.case_id = c.id),
      (SELECT json_agg(x) FROM cases_extensionrequest x WHERE x.case_id = c.id),
      (SELECT json_agg(json_build_object('f', f, 'by', w.username, 'photos',
                (SELECT json_agg(h) FROM cases_fieldcheckphoto h WHERE h.field_check_id = f.id)))
       FROM cases_fieldcheck f JOIN casework_user w ON w.id = f.inspector_id
       WHERE f.case_id = c.id),
      (SELECT json_agg(json_build_object('a', a, 'by', w.username))
       FROM cases_attachment a JOIN casework_user w ON w.id = a.uploaded_by_id
       WHERE a.case_id = c.id),
      (SELECT json_agg(json_build_object('f', f, 'by', w.username))
       FROM cases_followup f JOIN casework_user w ON w.id = f.recorded_by_id
       WHERE f.case_id = c.id),
      (SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'region', g.name))
       FROM cases_case_co_units x JOIN casework_responsibleunit t ON t.id = x.responsibleunit_id
       JOIN casework_region g ON g.id = t.region_id WHERE x.case_id = c.id)
    FROM cases_case c
    JOIN casework_region r ON r.id = c.region_id
    JOIN casework_responsibleunit u ON u.id = c.unit_id
    JOIN cases_source s ON s.id = c.source_id JOIN cases_sourcestream st ON st.id = s.stream_id
    LEFT JOIN cases_batch b ON b.id = c.batch_id
    LEFT JOIN notifications_casereminder m ON m.case_id = c.id
    WHERE c.id = %s
"""


@dataclass
class Row:
    name: str
    ms: float
    queries: int | None
    floor_ms: float | None = None
    target: str = ""
    ok: bool = True

    @property
    def ratio(self) -> float | None:
        return self.ms / self.floor_ms if self.floor_ms else None


def median_ms(call: Callable[[], object], runs: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - start)
        count = len(queries)
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise CommandError(f"HTTP {status}")
    return statistics.median(times) * 1000, count


def floor_ms(sql: str, params: list[object], runs: int) -> float | None:
    """The hand-written statement's median time; ``params`` positional, or one dict of names."""
    if connection.vendor != "postgresql":
        return None
    if len(params) == 1 and isinstance(params[0], dict):
        params = params[0]  # type: ignore[assignment]

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return median_ms(run, runs)[0]


QUICK_MS = 100  # paths faster than this are timed three times as often


def beside(
    call: Callable[[], object], sql: str | None, params: list[object], runs: int
) -> tuple[float, int, float | None]:
    """A path and its floor timed in turns (path, floor, path, floor…): the median of each,
    and the path's queries. In turns, a machine whose speed drifts over a minute slows both
    alike (timed one after the other, the case page's floor read 3.4 ms in one run and 6.1 ms
    in the next); a path under ``QUICK_MS`` is timed three times as often, as a few
    milliseconds move by ±20% from one run to the next."""
    first, count = median_ms(call, 1)  # warms the path, and says how long it takes
    if first < QUICK_MS:
        runs *= 3
    times, floors = [], []
    for _ in range(runs):
        ms, count = median_ms(call, 1)
        times.append(ms)
        floor = floor_ms(sql, params, 1) if sql else None
        if floor is not None:
            floors.append(floor)
    return statistics.median(times), count, statistics.median(floors) if floors else None


def dashboard_floor(*, as_of: bool) -> str:
    """The dashboard's counts by hand in one statement (county, kind, stream: the seven closure
    counts, the findings' 序时进度, the overdue cases), now or over the standings at the end of
    a day; the ten most overdue cases are a read of an index (~1 ms) and left out."""
    if as_of:
        standing = """LEFT JOIN cases_casestanding s ON s.case_id = c.id AND s.since < %(end)s
                 AND (s.until >= %(end)s OR s.until IS NULL)"""
        state, outcome = "coalesce(s.state, 'assigned')", "coalesce(s.outcome, '')"
        stage, reopened = "coalesce(s.stage, false)", "coalesce(s.reopened, false)"
        deadline, since = "coalesce(s.deadline, c.deadline)", "AND c.assigned_on <= %(day)s"
    else:
        standing, state, outcome = "", "c.state", "c.feedback_outcome"
        stage, reopened = "c.stage_concluded_at IS NOT NULL", "c.reopen_count > 0"
        deadline, since = "c.deadline", ""
    return f"""
        WITH c AS (
            SELECT c.region_id, c.kind, so.stream_id, c.duplicate_of_id IS NULL AS original,
                   {state} AS state,
                   ({outcome} = 'concluded' AND {state} = 'submitted')
                   OR {state} IN ('verified', 'closed') AS concluded,
                   {stage} AS stage, {reopened} AS reopened, {deadline} < %(day)s AS late,
                   c.id IN (SELECT m.case_id FROM cases_milestone m
                            WHERE m.target_date <= %(day)s
                            AND (m.done_on IS NULL OR m.done_on > %(day)s)) AS late_task
            FROM cases_case c JOIN cases_source so ON so.id = c.source_id
            {standing}
            WHERE true {since}
        )
        SELECT c.region_id, r.name, c.kind, st.code,
               count(*) FILTER (WHERE c.original),
               count(*) FILTER (WHERE c.original AND c.concluded),
               count(*) FILTER (WHERE c.original AND c.stage AND NOT c.concluded),
               count(*) FILTER (WHERE c.original AND c.state = 'verified'),
               count(*) FILTER (WHERE c.original AND c.state = 'closed'),
               count(*) FILTER (WHERE c.original AND c.reopened),
               count(*) FILTER (WHERE NOT c.original),
               count(*) FILTER (WHERE c.kind = 'finding'),
               count(*) FILTER (WHERE c.kind = 'finding' AND c.concluded),
               count(*) FILTER (WHERE c.kind = 'finding' AND NOT c.concluded AND c.late),
               count(*) FILTER (WHERE c.kind = 'finding' AND NOT c.concluded AND NOT c.late
                                AND c.late_task),
               count(*) FILTER (WHERE c.original AND c.late
                                AND c.state IN ('assigned', 'rectifying'))
        FROM c JOIN casework_region r ON r.id = c.region_id
        JOIN cases_sourcestream st ON st.id = c.stream_id
        GROUP BY c.region_id, r.name, c.kind, st.code
    """


def dashboard_params(day: dt.date) -> list[object]:
    return [{"day": day, "end": reports.day_end(day)}]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_port(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError("gunicorn did not start")


def _rate(port: int, url: str, headers: dict[str, str], seconds: float, clients: int = 4) -> float:
    """Requests per second that ``clients`` threads get answered (200) in ``seconds``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", url, headers={"Host": "127.0.0.1", **headers})
    first = conn.getresponse()
    if first.status != 200:
        raise CommandError(f"{url}: HTTP {first.status} {first.read()[:200]!r}")
    first.read()
    conn.close()
    counts = [0] * clients
    end = time.monotonic() + seconds

    def client(n: int) -> None:
        while time.monotonic() < end:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", url, headers={"Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            response.read()
            conn.close()
            counts[n] += response.status == 200

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


class Command(BaseCommand):
    help = "Time the hot paths beside hand-written floors on N generated cases; write the table."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--cases", type=int, default=5000)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--import-rows", type=int, default=10_000)
        parser.add_argument("--history-rows", type=int, default=100_000)
        parser.add_argument("--serial-rows", type=int, default=1_000)
        parser.add_argument("--out", default=str(RESULTS))
        parser.add_argument("--http-seconds", type=float, default=10.0)
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="a small run that checks the paths answer and writes the table; no targets",
        )

    def handle(
        self,
        *args: object,
        cases: int,
        runs: int,
        out: str,
        smoke: bool,
        http_seconds: float,
        **options: int,
    ) -> None:
        if Case.objects.exclude(acceptance_number__startswith="BENCH").exists():
            raise CommandError(
                "bench seeds its own data: run it on an empty database "
                "(make bench makes a throwaway one)."
            )
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            self.stdout.write(f"generating {cases:,} cases")
            supervisor, officer = bench_ledger.generate(cases, say=self.stdout.write)
        else:
            if cases > SQLITE_CASES:
                self.stderr.write(
                    f"SQLite: {SQLITE_CASES:,} cases instead of {cases:,} (the scale ledger is "
                    "generated inside PostgreSQL; the targets are set for it)."
                )
                cases = SQLITE_CASES
            supervisor, officer = self._seed(cases)
        generated = time.perf_counter() - started
        rows = self._paths(supervisor, officer, runs)
        rows += self._http(supervisor, http_seconds)
        rows += self._tick(runs)
        rows += self._export(supervisor)
        for row in rows:
            ratio, ms = TARGETS.get(row.name, (None, None))
            if ratio is not None and row.ratio is not None:
                row.target, row.ok = f"≤ {ratio}× floor", row.ratio <= ratio
            elif ms is not None:
                row.target, row.ok = f"≤ {ms:.0f} ms", row.ms <= ms
        rows += self._imports(supervisor, options)
        failed = any(not row.ok for row in rows)
        self._write(rows, cases, runs, generated, Path(out))
        if failed and not smoke:
            raise CommandError("a benchmark target was missed")

    def _paths(self, supervisor: User, officer: User, runs: int) -> list[Row]:
        rows: list[Row] = []
        api = APIClient(SERVER_NAME="localhost")
        api.force_authenticate(supervisor)
        officer_api = APIClient(SERVER_NAME="localhost")
        officer_api.force_authenticate(officer)
        admin = Client(SERVER_NAME="localhost")
        admin.force_login(supervisor)
        officer_admin = Client(SERVER_NAME="localhost")
        officer_admin.force_login(officer)
        county = officer.memberships.get().region_id
        today = clock.today()
        in_county = (
            f"(c.region_id = {county} OR c.id IN (SELECT x.case_id FROM cases_case_co_units x "
            f"JOIN casework_responsibleunit xu ON xu.id = x.responsibleunit_id "
            f"WHERE xu.region_id = {county}))"
        )

        def add(name: str, call: Callable[[], object], sql: str | None = None, *p: object) -> None:
            rows.append(Row(name, *beside(call, sql, list(p), runs)))

        add(
            "admin changelist, supervisor",
            lambda: admin.get("/admin/cases/case/"),
            PAGE_SQL.format(where="true", offset=0),
        )
        add(
            "admin changelist ?overdue=yes, officer",
            lambda: officer_admin.get("/admin/cases/case/", {"overdue": "yes"}),
            PAGE_SQL.format(
                where=f"{in_county} AND c.state IN ('assigned','rectifying') "
                "AND c.deadline < %s AND c.duplicate_of_id IS NULL",
                offset=0,
            ),
            today,
        )
        add(
            "api list page 1, supervisor",
            lambda: api.get("/api/v1/cases/"),
            PAGE_SQL.format(where="true", offset=0),
        )
        add(
            "api list page 1, officer",
            lambda: officer_api.get("/api/v1/cases/"),
            PAGE_SQL.format(where=in_county, offset=0),
        )
        # The same page beside the very statement the API sends, run by hand (no target): the
        # share of Django and DRF alone. The floors above join the names; the API reads them
        # by subquery (casework.inline.RelatedValue), which PostgreSQL plans ~4 ms faster.
        for name, user, client in (
            ("supervisor", supervisor, api),
            ("officer", officer, officer_api),
        ):
            own = list_rows(fetched_by=user)[:51].query.sql_with_params()
            add(
                f"api list page 1, {name}, beside its own SQL",
                lambda client=client: client.get("/api/v1/cases/"),
                own[0],
                *own[1],
            )
        deep = self._deep_page(supervisor)
        add(
            "api list deep page, supervisor",
            lambda: api.get(deep),
            PAGE_SQL.format(where="true", offset=0),
        )
        add(
            "overdue report api, supervisor",
            lambda: api.get("/api/v1/reports/overdue/"),
            """
            SELECT c.*, r.name, u.name, s.name, st.short_name,
                   (SELECT max(p.reported_at) FROM cases_progressreport p WHERE p.case_id = c.id)
            FROM cases_case c
            JOIN casework_region r ON r.id = c.region_id
            JOIN casework_responsibleunit u ON u.id = c.unit_id
            JOIN cases_source s ON s.id = c.source_id
            JOIN cases_sourcestream st ON st.id = s.stream_id
            WHERE c.state IN ('assigned','rectifying') AND c.deadline < %s
              AND c.duplicate_of_id IS NULL
            ORDER BY c.deadline, c.id LIMIT 1000
            """,
            today,
        )
        case = (
            Case.objects.filter(region_id=county).exclude(state="assigned").order_by("-id").first()
        )
        if case is not None:
            add(
                "case detail api, officer",
                lambda: officer_api.get(f"/api/v1/cases/{case.pk}/"),
                DETAIL_SQL,
                case.pk,
            )
        add(
            "closure rates by county",
            lambda: reports.closure_rates(
                cases=reports.scoped_cases(user=supervisor), group_by="county"
            ),
            # The same seven counts by hand (supervision.reports.rates.closure_counts, today).
            """
            WITH c AS (
                SELECT region_id, duplicate_of_id IS NULL AS original, state,
                       (feedback_outcome = 'concluded' AND state = 'submitted')
                       OR state IN ('verified', 'closed') AS concluded,
                       stage_concluded_at IS NOT NULL AS stage, reopen_count > 0 AS reopened
                FROM cases_case
            )
            """
            + SEVEN_COUNTS,
        )
        day = today - dt.timedelta(days=90)
        add(
            "closure rates as of a date",
            lambda: reports.closure_rates(
                cases=reports.scoped_cases(user=supervisor), group_by="county", day=day
            ),
            # The same seven counts by hand, over the standings derived from the trails (the
            # row covering the end of the day; none yet: assigned). Before the standings, the
            # floor was the last state-setting event per case (a LATERAL search): 2.6 s at
            # 1,000,000 cases, where this takes 0.6 s.
            """
            WITH c AS (
                SELECT c.region_id, c.duplicate_of_id IS NULL AS original,
                       coalesce(s.state, 'assigned') AS state,
                       (s.outcome = 'concluded' AND s.state = 'submitted')
                       OR coalesce(s.state IN ('verified', 'closed'), false) AS concluded,
                       coalesce(s.stage, false) AS stage,
                       coalesce(s.reopened, false) AS reopened
                FROM cases_case c
                LEFT JOIN cases_casestanding s ON s.case_id = c.id AND s.since < %s
                     AND (s.until >= %s OR s.until IS NULL)
                WHERE c.assigned_on <= %s
            )
            """
            + SEVEN_COUNTS,
            reports.day_end(day),
            reports.day_end(day),
            day,
        )
        end = reports.day_end(day)
        add(
            "overdue report api as of a date",
            lambda: api.get("/api/v1/reports/overdue/", {"as_of": day.isoformat()}),
            """
            SELECT c.*, r.name, u.name, so.name, st.short_name,
                   coalesce(s.deadline, c.deadline) AS deadline_then,
                   (SELECT max(p.reported_at) FROM cases_progressreport p
                    WHERE p.case_id = c.id AND p.reported_at < %s)
            FROM cases_case c
            LEFT JOIN cases_casestanding s ON s.case_id = c.id AND s.since < %s
                 AND (s.until >= %s OR s.until IS NULL)
            JOIN casework_region r ON r.id = c.region_id
            JOIN casework_responsibleunit u ON u.id = c.unit_id
            JOIN cases_source so ON so.id = c.source_id
            JOIN cases_sourcestream st ON st.id = so.stream_id
            WHERE c.assigned_on <= %s AND c.duplicate_of_id IS NULL
              AND coalesce(s.state, 'assigned') IN ('assigned', 'rectifying')
              AND coalesce(s.deadline, c.deadline) < %s
            ORDER BY deadline_then, c.id LIMIT 1000
            """,
            end,
            end,
            end,
            day,
            day,
        )
        add(
            "sentences as of a date",
            lambda: reports.report_sentences(user=supervisor, day=day),
            # The petitions' and the findings' counts by hand, in one statement: the standing
            # at the end of the day as above; a finding is behind when a task due by then was
            # not done by then.
            """
            WITH c AS (
                SELECT c.id, c.kind, st.code AS stream, c.duplicate_of_id IS NULL AS original,
                       coalesce(s.state, 'assigned') AS state,
                       (s.outcome = 'concluded' AND s.state = 'submitted')
                       OR coalesce(s.state IN ('verified', 'closed'), false) AS concluded,
                       coalesce(s.deadline, c.deadline) AS deadline
                FROM cases_case c
                JOIN cases_source so ON so.id = c.source_id
                JOIN cases_sourcestream st ON st.id = so.stream_id
                LEFT JOIN cases_casestanding s ON s.case_id = c.id AND s.since < %s
                     AND (s.until >= %s OR s.until IS NULL)
                WHERE c.assigned_on <= %s
            )
            SELECT count(*) FILTER (WHERE kind = 'petition' AND original
                                    AND stream IN ('central', 'provincial')),
                   count(*) FILTER (WHERE kind = 'petition' AND original AND state = 'closed'
                                    AND stream IN ('central', 'provincial')),
                   count(*) FILTER (WHERE kind = 'petition' AND NOT original
                                    AND stream IN ('central', 'provincial')),
                   count(*) FILTER (WHERE kind = 'finding'),
                   count(*) FILTER (WHERE kind = 'finding' AND concluded),
                   count(*) FILTER (WHERE kind = 'finding' AND NOT concluded AND deadline < %s),
                   count(*) FILTER (WHERE kind = 'finding' AND NOT concluded AND deadline >= %s
                                    AND EXISTS (SELECT 1 FROM cases_milestone m
                                                WHERE m.case_id = c.id AND m.target_date <= %s
                                                AND (m.done_on IS NULL OR m.done_on > %s)))
            FROM c
            """,
            end,
            end,
            day,
            day,
            day,
            day,
            day,
        )
        # Each week's overdue cases as they stood at its end, over the open standings that
        # overlap the twelve weeks (the trend's definition: the overdue list as of that day).
        ends = [today - dt.timedelta(weeks=back) for back in range(11, -1, -1)]
        weeks = ", ".join(
            f"count(*) FILTER (WHERE s.since < '{reports.day_end(d).isoformat()}' "
            f"AND (s.until >= '{reports.day_end(d).isoformat()}' OR s.until IS NULL) "
            f"AND coalesce(s.deadline, c.deadline) < '{d}' AND c.assigned_on <= '{d}')"
            for d in ends
        )
        add(
            "overdue trend api",
            lambda: api.get("/api/v1/reports/overdue-trend/"),
            f"""
            SELECT {weeks}
            FROM cases_casestanding s JOIN cases_case c ON c.id = s.case_id
            WHERE c.duplicate_of_id IS NULL AND s.state IN ('assigned', 'rectifying')
              AND s.since < %s AND (s.until >= %s OR s.until IS NULL)
            """,
            reports.day_end(ends[-1]),
            reports.day_end(ends[0]),
        )
        dashboard = Client(SERVER_NAME="localhost")
        dashboard.force_login(supervisor)
        for name, query, then in (
            ("dashboard, supervisor", {}, None),
            ("dashboard as of a date", {"as_of": day.isoformat()}, day),
        ):
            add(
                name,
                lambda query=query: dashboard.get("/admin/dashboard/", query),
                dashboard_floor(as_of=then is not None),
                *dashboard_params(then or today),
            )
        return rows

    def _deep_page(self, supervisor: User) -> str:
        """The cursor link of the page 80% of the way down the supervisor's list (what OFFSET
        took seconds to reach)."""
        cases = case_list(fetched_by=supervisor)
        deep = cases[int(cases.count() * 0.8)]
        return f"/api/v1/cases/?cursor={cursor_for(deep)}"

    def _http(self, supervisor: User, seconds: float) -> list[Row]:
        """Requests per second over HTTP: two gunicorn workers on loopback, four clients at
        once for ``seconds``, the case list's page 1 beside the floor view (the same page by
        one SQL query, as JSON, no framework: ``config.bench_urls``). PostgreSQL only."""
        if connection.vendor != "postgresql" or seconds <= 0:
            return []
        from knox.models import AuthToken

        _, token = AuthToken.objects.create(supervisor)
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": _database_url(),
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        try:
            _wait_for_port(port)
            api = _rate(port, "/api/v1/cases/", {"Authorization": f"Token {token}"}, seconds)
            floor = _rate(port, "/bench/floor/", {}, seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        ratio = api / floor if floor else 0
        row = Row(f"http case list, {api:.1f} req/s; floor view {floor:.1f} req/s", 0, None)
        row.target, row.ok = f"≥ 0.6× floor ({ratio:.2f}×)", ratio >= 0.6
        return [row]

    def _tick(self, runs: int) -> list[Row]:
        """The reminder tick with up to 10,000 due at once (the morning after a holiday): all
        claimed, inbox rows written and deliveries queued; beside one hand-written UPDATE …
        RETURNING feeding one INSERT of the inbox rows. And the tick with nothing due."""
        empty, empty_queries = median_ms(reminders_scan, runs)
        rows = [Row("reminder tick, nothing due", empty, empty_queries, target="≤ 5 ms")]
        rows[-1].ok = empty <= 5
        due = self._make_due(TICK_DUE)
        if not due:
            return rows
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            sent = reminders_scan()
            seconds = time.perf_counter() - start
        self._make_due(TICK_DUE)
        floor = None
        if connection.vendor == "postgresql":
            with transaction.atomic():
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(TICK_FLOOR)
                floor = (time.perf_counter() - start) * 1000
                transaction.set_rollback(True)
        row = Row(f"reminder tick, {due:,} due ({sent:,} sent)", seconds * 1000, len(queries))
        row.floor_ms, row.target, row.ok = floor, "≤ 10 s", seconds <= 10
        rows.append(row)
        # What the floor moved is rolled back; what the tick sent stays: make it due no more.
        CaseReminder.objects.filter(next_reminder_at__lte=clock.now()).update(next_reminder_at=None)
        return rows

    def _make_due(self, count: int) -> int:
        """Make ``count`` overdue open schedules due now from their first rung; how many."""
        first = ReminderRule.objects.filter(is_active=True).order_by("offset_working_days")
        if not first:
            return 0
        ids = list(
            CaseReminder.objects.filter(
                case__state__in=OPEN_STATES,
                case__duplicate_of__isnull=True,
                case__deadline__lt=clock.today(),
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:count]
        )
        CaseReminder.objects.filter(pk__in=ids).update(
            next_reminder_at=clock.now() - dt.timedelta(minutes=1),
            next_rule=first[0],
            level=0,
            last_sent_at=None,
            epoch=F("epoch") + 1,
        )
        return len(ids)

    def _export(self, supervisor: User) -> list[Row]:
        """The ledger export's rate and its peak memory (a second run: tracing is slow)."""
        # Up to EXPORT_ROWS rows: the rate is per row, and a city-wide export at a million rows
        # (~17 minutes in a request today) is the next step's background job.
        # The first EXPORT_ROWS cases by a range of ids (read by the primary key, as a filtered
        # list is read by its index; an IN over a LIMIT subquery scanned the whole ledger).
        ids = Case.objects.order_by("pk").values_list("pk", flat=True)
        last = ids[min(EXPORT_ROWS, ids.count()) - 1]
        cases = Case.objects.visible_to(supervisor).filter(pk__lte=last)
        count = cases.count()
        # The median of three: one run swung by ±5% on a busy machine.
        ms, _ = median_ms(lambda: workbook(cases.all(), LEDGER_COLUMNS, "台账").close(), 3)
        seconds = ms / 1000
        tracemalloc.start()
        workbook(cases.all(), LEDGER_COLUMNS, "台账").close()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rate = count / seconds
        return [
            Row(
                f"ledger export ({count:,} rows, {rate:,.0f} rows/s)",
                seconds * 1000,
                None,
                target=f"≥ {EXPORT_TARGET:,} rows/s",
                ok=rate >= EXPORT_TARGET,
            ),
            Row(
                f"ledger export peak memory {peak / 1024 / 1024:.0f} MB",
                0,
                None,
                target=f"≤ {EXPORT_MEMORY // 1024 // 1024} MB",
                ok=peak <= EXPORT_MEMORY,
            ),
        ]

    def _write(self, rows: list[Row], cases: int, runs: int, generated: float, out: Path) -> None:
        head = (
            f"{cases:,} cases on {connection.vendor}, median of {runs} runs "
            f"({runs * 3} under {QUICK_MS} ms; each path and its floor in turns), "
            f"{clock.now():%Y-%m-%d %H:%M} (ledger generated in {generated:.0f} s)"
        )
        lines = [
            f"# make bench: {head}",
            "",
            "| path | ms | floor ms | × floor | queries | target | |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        self.stdout.write(head)
        for row in rows:
            ratio = f"{row.ratio:.1f}" if row.ratio is not None else ""
            floor = f"{row.floor_ms:.1f}" if row.floor_ms is not None else ""
            count = "" if row.queries is None else str(row.queries)
            mark = "ok" if row.ok else "**missed**"
            ms = f"{row.ms:.1f}" if row.ms else ""
            lines.append(
                f"| {row.name} | {ms} | {floor} | {ratio} | {count} | {row.target} | {mark} |"
            )
            self.stdout.write(
                f"  {'ok  ' if row.ok else 'SLOW'} {row.name:<40} {row.ms:9.1f} ms"
                + (f"  floor {row.floor_ms:8.1f} ms  {row.ratio:5.1f}×" if row.ratio else "")
                + (f"  {row.queries} queries" if row.queries is not None else "")
                + (f"  ({row.target})" if row.target else "")
            )
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{connection.vendor}-{cases}"
        stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        stem.with_suffix(".json").write_text(
            json.dumps(
                {
                    "cases": cases,
                    "database": connection.vendor,
                    "runs": runs,
                    "generated_seconds": round(generated, 1),
                    "rows": [{**asdict(r), "ratio": r.ratio} for r in rows],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        self.stdout.write(f"  written to {stem}.md and .json")

    def _imports(self, supervisor: User, options: dict[str, int]) -> list[Row]:
        """Imports end to end beside the row-by-row service; the batch's rate has a target (held
        on PostgreSQL, where the system runs; on SQLite shown)."""
        if not options["import_rows"]:
            return []
        timings = bench_imports(
            supervisor,
            batch_rows=options["import_rows"],
            history_rows=options["history_rows"],
            serial_rows=options["serial_rows"],
        )
        batch, serial = timings[0], timings[1]
        rows = []
        for timing in timings:
            row = Row(
                f"{timing.name}: {timing.rows:,} rows, {timing.rate:,.0f} rows/s",
                timing.seconds * 1000,
                None,
            )
            if timing is batch:
                faster = batch.rate / (serial.rate or 1)
                row.target = f"≥ {IMPORT_TARGET:,} rows/s ({faster:.0f}× one by one)"
                row.ok = batch.rate >= IMPORT_TARGET or connection.vendor != "postgresql"
            rows.append(row)
        return rows

    def _seed(self, count: int) -> tuple[User, User]:
        """SQLite's simpler ledger: every case assigned, one source (no floors to compare)."""
        supervisor, officer = bench_ledger.people()
        city = Region.objects.get(gb_code="360800")
        if Case.objects.count() >= count:
            return supervisor, officer
        source, _ = Source.objects.get_or_create(
            name="BENCH 第三轮中央生态环境保护督察",
            defaults={
                "stream": SourceStream.objects.get(code="central"),
                "kind": SourceKind.INSPECTION,
            },
        )
        counties = list(Region.objects.filter(parent=city))
        units = {u.region_id: u for u in ResponsibleUnit.objects.filter(region__in=counties)}
        rnd = random.Random(1)
        today = clock.today()
        batch = []
        for n in range(count):
            region = rnd.choice(counties)
            assigned = today - dt.timedelta(days=rnd.randint(0, 700))
            batch.append(
                Case(
                    kind=rnd.choice([CaseKind.PETITION, CaseKind.FINDING]),
                    source=source,
                    acceptance_number=f"BENCH-{n:07d}",
                    summary="群众反映某企业废水直排" * 3,
                    region=region,
                    unit=units[region.pk],
                    assigned_on=assigned,
                    deadline=assigned + dt.timedelta(days=rnd.randint(7, 400)),
                )
            )
        created = Case.objects.bulk_create(batch, batch_size=1000)
        CaseEvent.objects.bulk_create(
            [CaseEvent(case=c, action="create", to_state=c.state) for c in created],
            batch_size=1000,
        )
        standings_rebuild(c.pk for c in created)
        # One case in fifty has a co-operating unit in another county (配合单位).
        Case.co_units.through.objects.bulk_create(
            [
                Case.co_units.through(
                    case_id=c.pk,
                    responsibleunit_id=rnd.choice(
                        [u for r, u in units.items() if r != c.region_id]
                    ).pk,
                )
                for c in created
                if rnd.random() < 0.02
            ],
            batch_size=1000,
        )
        return supervisor, officer
