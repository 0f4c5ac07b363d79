"""Writing a checked file: in one transaction, cases, their pollution types, their events (with
the audit trail's hash chain) and their reminder schedules, each in bulk; rows that update a case
already on the ledger go through ``case_update`` like any other edit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from cases.models import Batch, Case, CaseEvent, State, standings_rebuild
from cases.models.events import event_fields, event_hash
from cases.services import case_update
from casework import clock
from casework.bulk import bulk_insert
from casework.models import Region, User
from intake.models import ImportKind, ImportRun
from intake.plan import Plan, Row
from notifications.models import Audience, Kind
from notifications.services import audience, notify, reminders_schedule_new

CHUNK = 2000
# What a row may change on a case already on the ledger (through case_update).
UPDATABLE = (
    "summary",
    "region",
    "is_priority",
    "channel",
    "address",
    "latitude",
    "longitude",
    "responsible_leader",
    "contact_person",
    "contact_phone",
)


def plan_write(
    plan: Plan,
    *,
    run: ImportRun,
    user: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the plan; returns (created, updated). Raises on any failure, leaving nothing."""
    progress = progress or (lambda done, total: None)
    total = len(plan.rows)
    with transaction.atomic():
        batches = _batches(plan)
        new = [row for row in plan.rows if row.existing is None]
        created: list[dict[str, Any]] = []
        for start in range(0, len(new), CHUNK):
            chunk = new[start : start + CHUNK]
            cases = [_case(row, batches, plan.kind) for row in chunk]
            bulk_insert(Case, cases)
            _pollution(cases, chunk)
            _co_units(cases, chunk)
            created.extend(cases)
            progress(start + len(chunk), total)
        _repeat_links(created, new)
        _events(created, new, run, user)
        reminders_schedule_new([SimpleNamespace(**case) for case in created])
        updated = 0
        for row in plan.rows:
            if row.existing is not None and user is not None:
                changes = {
                    name: row.values[name]
                    for name in UPDATABLE
                    if name in row.values and row.values[name] != getattr(row.existing, name)
                }
                if row.pollution_types:
                    changes["pollution_types"] = row.pollution_types
                if row.co_units:
                    changes["co_units"] = row.co_units
                case_update(
                    case_id=row.existing.pk,
                    user=user,
                    changes=changes,
                    comment=_("Updated by import %(id)s (%(file)s)")
                    % {"id": run.pk, "file": run.file_name},
                )
                updated += 1
        progress(total, total)
        if plan.kind == ImportKind.BATCH and created:
            _announce(created, run)
    return len(created), updated


def _batches(plan: Plan) -> dict[tuple[int, int], Batch]:
    """The batches the rows name, made when missing: handed down on the import's date (a 交办
    batch) or on the earliest date of their rows (a history ledger)."""
    wanted: dict[tuple[int, int], Any] = {}
    for row in plan.rows:
        if row.batch_number and row.values.get("source") is not None:
            k = (row.values["source"].pk, row.batch_number)
            day = row.values["assigned_on"]
            wanted[k] = min(wanted.get(k, day), day)
    found = {}
    for (source_id, number), day in wanted.items():
        batch, _created = Batch.objects.get_or_create(
            source_id=source_id, number=number, defaults={"handed_down_on": day}
        )
        found[(source_id, number)] = batch
    return found


def _case(row: Row, batches: dict[tuple[int, int], Batch], kind: str) -> dict[str, Any]:
    """The case's columns: its values, related rows by their ids."""
    values: dict[str, Any] = {}
    for name, value in row.values.items():
        if isinstance(value, models.Model):
            values[f"{name}_id"] = value.pk
        else:
            values[name] = value
    values.setdefault("state", State.ASSIGNED)
    values.setdefault("duplicate_of_id", None)
    if row.batch_number:
        values["batch_id"] = batches[(values["source_id"], row.batch_number)].pk
    if kind == ImportKind.BATCH:
        # The same rule as every writer of a deadline (Case.step_deadline_sync).
        case = SimpleNamespace(feedback_outcome="", **values)
        Case.step_deadline_sync(case)  # type: ignore[arg-type]
        values.update(vars(case))
    return values


def _pollution(cases: list[dict[str, Any]], rows: list[Row]) -> None:
    bulk_insert(
        Case.pollution_types.through,
        [
            {"case_id": case["id"], "pollutiontype_id": item.pk}
            for case, row in zip(cases, rows, strict=True)
            for item in row.pollution_types
        ],
    )


def _co_units(cases: list[dict[str, Any]], rows: list[Row]) -> None:
    bulk_insert(
        Case.co_units.through,
        [
            {"case_id": case["id"], "responsibleunit_id": unit.pk}
            for case, row in zip(cases, rows, strict=True)
            for unit in row.co_units
        ],
    )


def _repeat_links(cases: list[dict[str, Any]], rows: list[Row]) -> None:
    """重复关联件编号 of a history ledger: the repeat points at its original (in the file, or
    already on the ledger)."""
    linked = [(c, r) for c, r in zip(cases, rows, strict=True) if r.duplicate_of]
    if not linked:
        return
    numbers = {(c["source_id"], c["acceptance_number"]): c["id"] for c in cases}
    for case, row in linked:
        original = numbers.get((case["source_id"], row.duplicate_of))
        if original is None:
            original = (
                Case.objects.filter(source_id=case["source_id"], acceptance_number=row.duplicate_of)
                .values_list("pk", flat=True)
                .first()
            )
        case["duplicate_of_id"] = original
        Case.objects.filter(pk=case["id"]).update(duplicate_of_id=original)


def _events(
    cases: list[dict[str, Any]], rows: list[Row], run: ImportRun, user: User | None
) -> None:
    """Each case's trail: its history's events at their dates, or (a batch) the assignment now,
    chained like every event (``CaseEvent.save`` does the same for one); then the standings
    derived from the trails (``event_record`` does the same for one)."""
    comment = _("Imported from %(file)s (import %(id)s)") % {"file": run.file_name, "id": run.pk}
    now = clock.now()
    actor = user.pk if user is not None else None
    events: list[dict[str, Any]] = []
    for case, row in zip(cases, rows, strict=True):
        previous = ""
        steps = row.steps or [None]
        for step in steps:
            if step is None:  # a batch: assigned now, with the deadline the source's rule gave
                data: dict[str, Any] = {"deadline": case["deadline"].isoformat(), "import": run.pk}
                if row.co_units:
                    data["co_units"] = [u.name for u in row.co_units]
                note = comment
                if row.suspected:
                    data["suspected_repeat_of"] = row.suspected[0]["original"]
                    # Said in the trail, for the county's officer to confirm (or not) as a repeat.
                    note = comment + _(
                        "; possibly a repeat of %(number)s: confirm it with “mark as repeat”"
                    ) % {"number": row.suspected[0]["original"]}
                event = {
                    "case_id": case["id"],
                    "actor_id": actor,
                    "created_at": now,
                    "action": "create",
                    "from_state": "",
                    "to_state": State.ASSIGNED,
                    "deadline_before": None,
                    "deadline_after": case["deadline"],
                    "comment": note,
                    "data": data,
                }
            else:
                event = {
                    "case_id": case["id"],
                    "actor_id": actor,
                    "created_at": step.at,
                    "action": step.action,
                    "from_state": step.from_state,
                    "to_state": step.to_state,
                    "deadline_before": step.deadline_before,
                    "deadline_after": step.deadline_after,
                    "comment": comment,
                    "data": {**step.data, "import": run.pk}
                    | ({"co_units": [u.name for u in row.co_units]} if row.co_units else {}),
                }
            event["previous_hash"] = previous
            event["hash"] = previous = event_hash(previous, event_fields(SimpleNamespace(**event)))
            events.append(event)
        if len(events) >= CHUNK:
            bulk_insert(CaseEvent, events)
            events = []
    bulk_insert(CaseEvent, events)
    standings_rebuild(case["id"] for case in cases)


def _announce(cases: list[dict[str, Any]], run: ImportRun) -> None:
    """One message to each county's officers: how many cases of the batch are theirs."""
    counts = Counter(c["region_id"] for c in cases)
    deadlines: dict[int, Any] = defaultdict(set)
    for case in cases:
        deadlines[case["region_id"]].add(case["deadline"])
    for region in Region.objects.filter(pk__in=counts):
        recipients = audience(Case(region=region), Audience.OFFICERS)
        if not recipients:
            continue
        notify(
            recipients=recipients,
            kind=Kind.EVENT,
            title=_("%(count)s new cases assigned to %(region)s")
            % {"count": counts[region.pk], "region": region.name},
            body=_(
                "Import %(id)s (%(file)s) put %(count)s cases of %(region)s on the ledger; "
                "the first is due on %(deadline)s."
            )
            % {
                "id": run.pk,
                "file": run.file_name,
                "count": counts[region.pk],
                "region": region.name,
                "deadline": min(deadlines[region.pk]),
            },
            dedupe=f"import:{run.pk}:{region.pk}",
        )
