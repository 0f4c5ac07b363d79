"""A ledger at province scale for `make bench`: generated inside PostgreSQL in a few statements.

The shape follows the city's ledgers: four streams, three rounds each; petitions (80%) in
numbered batches of ~400, findings without; 15% of the cases open (4% 已交办, 11% 整改中), 2%
awaiting verification, 3% in public notice, the rest closed out; about a third of the open cases
past their deadline; one case in a hundred a repeat, one in fifty with a co-operating unit, one in
fifty reopened. Every case has its trail up to its state (交办, 开始整改, 报验收, 验收, 销号 at
consistent dates), petitions a feedback outcome, open and closed cases progress reports, open
cases a reminder schedule. Numbers are drawn from PostgreSQL's ``random()`` after ``setseed``:
the same scale gives the same ledger.

Rows are made by ``INSERT … SELECT … FROM generate_series`` — the server writes them without a
round trip per row, faster than COPY from Python, which would have to send what the server can
draw itself. PostgreSQL only; the events carry no hash chain (nothing benchmarked reads it).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, transaction

from cases.models import Batch, Case, Source, SourceKind, SourceStream, standings_rebuild
from casework import clock
from casework.models import Region, ResponsibleUnit, Role, User
from ops.reference import reference_data_load

PREFIX = "BENCH-"
ROUNDS = 3
BATCH_SIZE = 400  # petitions per batch (第N批), as the daily batches run

# Shares of the ledger by state; cumulative bounds of one uniform draw.
STATE_BOUNDS = (
    (0.04, "assigned"),
    (0.15, "rectifying"),
    (0.17, "submitted"),
    (0.20, "verified"),
    (1.00, "closed"),
)
TRAIL = ("create", "start", "submit", "verify", "close")
STATES = ("assigned", "rectifying", "submitted", "verified", "closed")


def _state_sql() -> str:
    whens = " ".join(f"WHEN r_state < {bound} THEN '{state}'" for bound, state in STATE_BOUNDS)
    return f"CASE {whens} END"


def people() -> tuple[User, User]:
    """The benchmark's supervisor (the city) and officer (吉州区)."""
    reference_data_load()
    city = Region.objects.get(gb_code="360800")
    supervisor, _ = User.objects.get_or_create(
        username="bench-supervisor", defaults={"is_staff": True}
    )
    supervisor.memberships.get_or_create(region=city, role=Role.CITY_SUPERVISOR)
    officer, _ = User.objects.get_or_create(username="bench-officer", defaults={"is_staff": True})
    officer.memberships.get_or_create(
        region=Region.objects.get(name="吉州区"), role=Role.COUNTY_OFFICER
    )
    # An officer in each other county, so that every county's reminders reach someone.
    for county in Region.objects.filter(parent=city).exclude(name="吉州区"):
        user, _ = User.objects.get_or_create(username=f"bench-officer-{county.gb_code}")
        user.memberships.get_or_create(region=county, role=Role.COUNTY_OFFICER)
    return supervisor, officer


def _sources(count: int) -> list[tuple[Source, list[int]]]:
    """Four streams × three rounds, each with its batches' ids."""
    petitions_per_source = max(1, int(count * 0.8) // (4 * ROUNDS))
    batches = max(1, -(-petitions_per_source // BATCH_SIZE))
    made = []
    today = clock.today()
    for stream in SourceStream.objects.order_by("sort_order", "code")[:4]:
        for round_ in range(1, ROUNDS + 1):
            source, _ = Source.objects.get_or_create(
                name=f"BENCH {stream.short_name or stream.name} 第{round_}轮",
                defaults={"stream": stream, "kind": SourceKind.INSPECTION, "year": 2020 + round_},
            )
            Batch.objects.bulk_create(
                [
                    Batch(
                        source=source,
                        number=n,
                        handed_down_on=today - dt.timedelta(days=1500 - n % 1400),
                    )
                    for n in range(1, batches + 1)
                ],
                ignore_conflicts=True,
            )
            ids = list(
                Batch.objects.filter(source=source, number__lte=batches)
                .order_by("number")
                .values_list("pk", flat=True)
            )
            made.append((source, ids))
    return made


def generate(
    count: int, *, first: int = 1, say: Callable[[str], None] = lambda line: None
) -> tuple[User, User]:
    """Add ``count`` cases numbered from ``first`` (BENCH-00000001…) and what hangs off them;
    numbers already there are not made again."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the scale ledger is generated inside PostgreSQL")
    supervisor, officer = people()
    if Case.objects.filter(acceptance_number=f"{PREFIX}{first:08d}").exists():
        return supervisor, officer
    after = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sources = _sources(first + count - 1)
    city = Region.objects.get(gb_code="360800")
    counties = list(Region.objects.filter(parent=city).order_by("pk"))
    units = {u.region_id: u.pk for u in ResponsibleUnit.objects.filter(region__in=counties)}
    region_ids = [r.pk for r in counties]
    unit_ids = [units[r] for r in region_ids]
    today = clock.today()
    started = time.perf_counter()

    def step(label: str, sql: str, params: dict[str, object]) -> None:
        begin = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.rowcount
        say(f"  {label:<28} {rows:>10,} rows {time.perf_counter() - begin:7.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            "CREATE TEMP TABLE bench_batch (source_idx int, n int, batch_id bigint, "
            "source_id bigint)"
        )
        for idx, (source, ids) in enumerate(sources):
            cursor.executemany(
                "INSERT INTO bench_batch VALUES (%s, %s, %s, %s)",
                [(idx, n, pk, source.pk) for n, pk in enumerate(ids)],
            )
        params = {
            "n": count,
            "first": first,
            "after": after,
            "sources": len(sources),
            "batches": len(sources[0][1]),
            "regions": region_ids,
            "units": unit_ids,
            "today": today,
            "prefix": PREFIX,
        }
        step(
            "cases",
            f"""
            WITH draw AS (
                SELECT g, random() AS r_state, random() AS r_kind, random() AS r_age,
                       random() AS r_len, random() AS r_late, random() AS r_misc
                FROM generate_series(%(first)s, %(first)s + %(n)s - 1) g
            ), shaped AS (
                SELECT *, {_state_sql()} AS state,
                       CASE WHEN r_kind < 0.8 THEN 'petition' ELSE 'finding' END AS kind
                FROM draw
            ), dated AS (
                SELECT *, %(today)s::date - CASE
                    WHEN state IN ('assigned', 'rectifying') THEN 5 + (r_age * 400)::int
                    ELSE 60 + (r_age * 1500)::int END AS assigned_on
                FROM shaped
            ), deadlined AS (
                SELECT *, CASE
                    WHEN state IN ('assigned', 'rectifying') THEN GREATEST(assigned_on,
                        CASE WHEN r_late < 0.33 THEN %(today)s::date - 1 - (r_late * 360)::int
                             ELSE %(today)s::date + ((r_late - 0.33) * 500)::int END)
                    ELSE LEAST(assigned_on + 15 + (r_len * 380)::int, %(today)s::date - 20)
                    END AS deadline
                FROM dated
            ), late AS (
                -- One in ten of those submitted was submitted late (5 to 35 days past its
                -- deadline), so that "overdue as of a past date" finds some: the trail's
                -- moments are drawn from ``deadline``, the case's deadline is ``due``.
                SELECT *, CASE
                    WHEN state IN ('submitted', 'verified', 'closed') AND r_late < 0.1
                    THEN GREATEST(assigned_on, deadline - 10 - (r_late * 300)::int)
                    ELSE deadline END AS due
                FROM deadlined
            )
            INSERT INTO cases_case (
                kind, source_id, batch_id, acceptance_number, summary, region_id, unit_id,
                responsible_leader, contact_person, contact_phone, complainant_name,
                complainant_phone, is_priority, channel, address, assigned_on, deadline,
                feedback_deadline, feedback_outcome, fed_back_at, deadline_provisional,
                truth_finding, investigation, rectification_goal, rectification_measures,
                rectification_account, accountability_account, verification_conclusion,
                ordered_to_correct, ordered_to_rectify_by_deadline, production_suspended,
                penalty_cases, fines_10k_yuan, sealed_or_seized, closed_down, criminal_cases,
                administrative_detentions, criminal_detentions, people_summoned,
                people_held_accountable, state, started_at, submitted_at, verified_at,
                notice_starts_on, notice_ends_on, notice_ends_provisional, closed_at,
                reopen_count, version, created_at, updated_at
            )
            SELECT d.kind, b.source_id,
                   CASE WHEN d.kind = 'petition' THEN b.batch_id END,
                   %(prefix)s || lpad(d.g::text, 8, '0'),
                   '群众反映' || (ARRAY['某企业废水直排','夜间施工噪声扰民','养殖场臭气',
                        '河道非法采砂','烧烤油烟','垃圾焚烧'])[1 + d.g %% 6] || '，要求查处整改',
                   (%(regions)s::bigint[])[1 + d.g %% 13], (%(units)s::bigint[])[1 + d.g %% 13],
                   '', '', '', '', '', d.r_misc < 0.05, '', '', d.assigned_on, d.due,
                   CASE WHEN d.kind = 'petition' THEN d.assigned_on + 7 END,
                   CASE WHEN d.kind = 'petition' AND d.state <> 'assigned'
                        THEN CASE WHEN d.r_misc < 0.6 THEN 'concluded' ELSE 'stage' END
                        ELSE '' END,
                   CASE WHEN d.kind = 'petition' AND d.state <> 'assigned'
                        THEN d.assigned_on + time '10:00' + interval '5 days' END,
                   false,
                   CASE WHEN d.kind = 'petition' AND d.state <> 'assigned'
                        THEN (ARRAY['true','partly_true','false'])[1 + d.g %% 3] ELSE '' END,
                   '', '', '', '', '', '',
                   (d.g %% 3), 0, 0, (d.g %% 5 = 0)::int, (d.g %% 7) * 0.5, 0, 0, 0, 0, 0,
                   (d.g %% 4 = 0)::int, 0,
                   d.state,
                   CASE WHEN d.state <> 'assigned'
                        THEN d.assigned_on + time '10:00' + interval '2 days' END,
                   CASE WHEN d.state IN ('submitted', 'verified', 'closed')
                        THEN d.deadline + time '10:00' - interval '5 days' END,
                   CASE WHEN d.state IN ('verified', 'closed')
                        THEN d.deadline + time '10:00' - interval '2 days' END,
                   CASE WHEN d.state IN ('verified', 'closed') THEN d.deadline - 1 END,
                   CASE WHEN d.state IN ('verified', 'closed') THEN d.deadline + 13 END,
                   false,
                   CASE WHEN d.state = 'closed'
                        THEN d.deadline + time '10:00' + interval '15 days' END,
                   (d.r_misc > 0.98)::int, 1,
                   d.assigned_on + time '09:00', now()
            FROM late d
            JOIN bench_batch b ON b.source_idx = d.g %% %(sources)s
                AND b.n = (d.g / %(sources)s) %% %(batches)s
            ORDER BY d.g
            """,
            params,
        )
        step(
            "repeats (重复件)",
            """
            UPDATE cases_case c SET duplicate_of_id = o.id
            FROM cases_case o
            WHERE c.kind = 'petition' AND c.id %% 100 = 7 AND o.id = c.id - 60
              AND o.source_id = c.source_id AND c.id > %(after)s
            """,
            params,
        )
        step(
            "co-operating units",
            """
            INSERT INTO cases_case_co_units (case_id, responsibleunit_id)
            SELECT c.id, (%(units)s::bigint[])[1 + (c.id + 5) %% 13]
            FROM cases_case c WHERE c.id %% 50 = 3 AND c.id > %(after)s
            """,
            params,
        )
        step(
            "events (the trails)",
            """
            INSERT INTO cases_caseevent (case_id, actor_id, created_at, action, from_state,
                                         to_state, comment, data, previous_hash, hash)
            SELECT c.id, NULL,
                   CASE s.i WHEN 0 THEN c.created_at WHEN 1 THEN c.started_at
                            WHEN 2 THEN c.submitted_at WHEN 3 THEN c.verified_at
                            ELSE c.closed_at END,
                   (%(trail)s::text[])[s.i + 1],
                   CASE WHEN s.i = 0 THEN '' ELSE (%(states)s::text[])[s.i] END,
                   (%(states)s::text[])[s.i + 1], '', '{}'::jsonb, '', ''
            FROM cases_case c
            JOIN LATERAL generate_series(0, array_position(%(states)s::text[], c.state) - 1)
                 s(i) ON true
            WHERE c.id > %(after)s
            ORDER BY c.id, s.i
            """,
            {"trail": list(TRAIL), "states": list(STATES), "after": after},
        )
        begin = time.perf_counter()
        rows = standings_rebuild()
        took = time.perf_counter() - begin
        say(f"  {'standings (the trails)':<28} {rows:>10,} rows {took:7.1f} s")
        step(
            "progress reports",
            """
            INSERT INTO cases_progressreport (case_id, reported_by_id, reported_at, text, percent)
            SELECT c.id, %(officer)s,
                   c.assigned_on + time '16:00' + (s.i * interval '20 days'),
                   '已完成第' || s.i || '阶段整改', LEAST(100, s.i * 25)
            FROM cases_case c
            JOIN LATERAL generate_series(1, CASE WHEN c.state = 'rectifying' THEN 1 + c.id %% 4
                                                 WHEN c.id %% 3 = 0 THEN 1 ELSE 0 END) s(i) ON true
            WHERE c.assigned_on + (s.i * 20)::int < %(today)s::date AND c.id > %(after)s
            """,
            {"officer": officer.pk, "today": today, "after": after},
        )
        step(
            "reminder schedules",
            """
            INSERT INTO notifications_casereminder (case_id, deadline, state, epoch,
                next_reminder_at, level, last_sent_at, updated_at)
            SELECT c.id, c.deadline, c.state, 0,
                   GREATEST(c.deadline - 3, %(today)s::date + 1) + time '09:00',
                   CASE WHEN c.deadline < %(today)s::date THEN 2 ELSE 0 END,
                   NULL, now()
            FROM cases_case c WHERE c.state IN ('assigned', 'rectifying') AND c.id > %(after)s
            """,
            {"today": today, "after": after},
        )
        cursor.execute("DROP TABLE bench_batch")
    with connection.cursor() as cursor:
        # As the city's server has it: autovacuum visits a table after many inserts (PostgreSQL
        # 13+), and marks its pages all-visible, which index-only scans read by (an officer's
        # overdue count: 25 ms so, a whole-table scan of 456 ms before any vacuum). Inside a
        # transaction (the tests) only the statistics.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    say(f"  {count:,} cases in {time.perf_counter() - started:.1f} s")
    return supervisor, officer
