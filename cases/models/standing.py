"""Where each case stood, over time: a derived copy of its trail, so that "as of a date" is one
range read instead of five searches through every case's events.

A ``CaseStanding`` row says that from ``since`` until ``until`` (open-ended for the current
one) the case was in ``state``, its feedback outcome was ``outcome``, it had (or not) been fed
back as concluded for this stage, had (or not) been reopened, and its deadline was
``deadline`` (empty: the case's own deadline, never moved by then). A row is written only where
one of these changes, so most cases have three to five.

The rows are never edited on their own: ``standings_rebuild`` derives a case's rows from its
events whenever an event is written (the service's ``event_record``, an import's batch, the
benchmark's generator) and once for the whole ledger when the table was added. Events are
append-only, so a case's rows change only when its trail grows. Before a case's first event
(a case entered after the day it was assigned) it has no row and stood assigned.

The derivation is one SQL statement (window functions; PostgreSQL and SQLite alike), so a
million cases' 4.4 million events are derived in the database, not in Python.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.choices import FeedbackOutcome, State
from cases.models.events import Action

# The feedback outcome an event's details carry, in each database's JSON syntax.
_OUTCOME = {
    "postgresql": "e.data ->> 'outcome'",
    "sqlite": "json_extract(e.data, '$.outcome')",
}

# One row per event with what it sets; then, per case in trail order, each value carried
# forward from the last event that set it (a run starts at each event that sets the value: the
# run's one non-empty value is its MAX); then only the rows where something changed, each
# until the next such row.
_DERIVE = """
WITH marked AS (
    SELECT e.case_id, e.created_at, e.id,
           NULLIF(e.to_state, '') AS to_state,
           CASE WHEN e.action = %(feedback)s THEN {outcome} END AS fed_back,
           CASE WHEN e.action = %(submit)s THEN 1 ELSE 0 END AS submitted,
           CASE WHEN e.action = %(feedback)s AND {outcome} = %(stage)s THEN 1 ELSE 0 END
               AS stage,
           CASE WHEN e.action = %(reopen)s THEN 1 ELSE 0 END AS reopen,
           e.deadline_after
    FROM cases_caseevent e
    {where}
), runs AS (
    SELECT *,
           COUNT(to_state) OVER trail AS state_run,
           COUNT(fed_back) OVER trail AS outcome_run,
           COUNT(deadline_after) OVER trail AS deadline_run,
           MAX(submitted) OVER trail AS any_submitted,
           MAX(stage) OVER trail AS any_stage,
           MAX(reopen) OVER trail AS any_reopen
    FROM marked
    WINDOW trail AS (PARTITION BY case_id ORDER BY created_at, id ROWS UNBOUNDED PRECEDING)
), carried AS (
    SELECT case_id, created_at, id,
           COALESCE(MAX(to_state) OVER (PARTITION BY case_id, state_run), %(assigned)s)
               AS state,
           COALESCE(MAX(fed_back) OVER (PARTITION BY case_id, outcome_run),
                    CASE WHEN any_submitted = 1 THEN %(concluded)s ELSE '' END) AS outcome,
           any_stage AS stage, any_reopen AS reopened,
           MAX(deadline_after) OVER (PARTITION BY case_id, deadline_run) AS deadline
    FROM runs
), compared AS (
    SELECT *,
           LAG(state) OVER trail AS was_state, LAG(outcome) OVER trail AS was_outcome,
           LAG(stage) OVER trail AS was_stage, LAG(reopened) OVER trail AS was_reopened,
           LAG(deadline) OVER trail AS was_deadline
    FROM carried
    WINDOW trail AS (PARTITION BY case_id ORDER BY created_at, id)
)
INSERT INTO cases_casestanding (case_id, since, until, state, outcome, stage, reopened, deadline)
SELECT case_id, created_at,
       LEAD(created_at) OVER (PARTITION BY case_id ORDER BY created_at, id),
       state, outcome, stage = 1, reopened = 1, deadline
FROM compared
WHERE was_state IS NULL OR state <> was_state OR outcome <> was_outcome
   OR stage <> was_stage OR reopened <> was_reopened
   OR NOT (deadline = was_deadline OR (deadline IS NULL AND was_deadline IS NULL))
"""

_PARAMS = {
    "feedback": Action.FEEDBACK,
    "submit": Action.SUBMIT,
    "reopen": Action.REOPEN,
    "stage": FeedbackOutcome.STAGE,
    "concluded": FeedbackOutcome.CONCLUDED,
    "assigned": State.ASSIGNED,
}

# Cases rebuilt per statement when a list is given on SQLite (it allows 32,766 parameters).
CHUNK = 5000


def standings_rebuild(case_ids: Iterable[int] | None = None) -> int:
    """Derive the standings of ``case_ids`` (every case when None) from their events again,
    replacing what they had; returns how many rows they now have (for a list of cases, on
    PostgreSQL only). Call it in the transaction that wrote the events."""
    outcome = _OUTCOME["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    written = 0
    with connection.cursor() as cursor:
        if case_ids is None:
            cursor.execute("DELETE FROM cases_casestanding")
            cursor.execute(_DERIVE.format(outcome=outcome, where=""), _PARAMS)
            if cursor.rowcount >= 0:
                return cursor.rowcount
            # (Python's sqlite3 counts no rows for a statement that starts with WITH.)
            cursor.execute("SELECT count(*) FROM cases_casestanding")
            return cursor.fetchone()[0]
        ids = sorted(set(case_ids))
        if connection.vendor == "postgresql":
            # One array parameter: psycopg spent ~8 ms per 1,000 named ones converting the query.
            cursor.execute("DELETE FROM cases_casestanding WHERE case_id = ANY(%s)", [ids])
            where = "WHERE e.case_id = ANY(%(ids)s)"
            cursor.execute(_DERIVE.format(outcome=outcome, where=where), {**_PARAMS, "ids": ids})
            return max(cursor.rowcount, 0)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM cases_casestanding WHERE case_id IN ({marks})", chunk)
            where = f"WHERE e.case_id IN ({', '.join(f'%(c{n})s' for n in range(len(chunk)))})"
            params = {**_PARAMS, **{f"c{n}": pk for n, pk in enumerate(chunk)}}
            cursor.execute(_DERIVE.format(outcome=outcome, where=where), params)
            written += max(cursor.rowcount, 0)
    return written


class CaseStanding(models.Model):
    """Where a case stood from one moment until the next change (derived from its events)."""

    # Indexed with ``since`` below (no index of its own).
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="standings",
        db_index=False,
    )
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    outcome = models.CharField(_("feedback outcome"), max_length=20, blank=True)
    stage = models.BooleanField(_("concluded for this stage"), default=False)
    reopened = models.BooleanField(_("reopened"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("case standing")
        verbose_name_plural = _("case standings")
        indexes = [
            # A case's rows, replaced when its trail grows; and the as-of join's probe.
            models.Index(fields=["case", "since"], name="standing_case_since_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state} {self.since:%Y-%m-%d}"
