"""The importer, one for its three doors (the admin page, ``manage.py import_cases``, the API):
check a file whole (``import_check``), then write it (``import_confirm``), at once or, for a large
file, in a Celery worker with its progress readable meanwhile (``import_progress``)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import IO, Any

from django.core.cache import cache
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import Source
from cases.rules import is_city_supervisor
from casework import clock
from casework.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from casework.models import Membership, Region, Role, User
from intake.checking import Checker
from intake.models import ImportKind, ImportRun, ImportState
from intake.plan import Plan
from intake.reading import sheet_read
from intake.signals import import_queued
from intake.writing import plan_write

logger = logging.getLogger(__name__)

# Files with more rows than this are written by a worker, with a progress bar.
INLINE_ROWS = 2000


def _progress_key(run_id: int) -> str:
    return f"intake:progress:{run_id}"


def _reporter(run_id: int, stage: str) -> Any:
    def report(done: int, total: int) -> None:
        cache.set(_progress_key(run_id), {"stage": stage, "done": done, "total": total}, 3600)

    return report


def import_progress(run: ImportRun) -> dict[str, Any]:
    """Where an import stands: its stage and rows done out of the total."""
    if run.state in (ImportState.QUEUED, ImportState.RUNNING):
        found = cache.get(_progress_key(run.pk))
        if found:
            return {**found, "percent": round(100 * found["done"] / (found["total"] or 1))}
        return {"stage": "queued", "done": 0, "total": run.rows, "percent": 0}
    done = run.rows if run.state == ImportState.DONE else 0
    return {"stage": run.state, "done": done, "total": run.rows, "percent": 100 if done else 0}


def runs_visible_to(user: User) -> Any:
    """Imports a user may see: those of the supervisors of the regions the user supervises (a
    city office sees its colleagues' imports, not another city's); all for a superuser, whose
    view includes imports run from the command line."""
    runs = ImportRun.objects.select_related("source", "created_by")
    if user.is_superuser:
        return runs
    if not (user.is_active and is_city_supervisor(user)):
        return runs.none()
    colleagues = Membership.objects.filter(
        role=Role.CITY_SUPERVISOR, region__in=Region.objects.visible_to(user)
    ).values("user_id")
    return runs.filter(created_by__in=colleagues)


def _require_supervisor(user: User | None) -> None:
    if user is not None and not (user.is_active and is_city_supervisor(user)):
        raise PermissionDenied(_("Only a city supervisor may import cases."))


def import_check(
    *,
    user: User | None,
    file: IO[bytes],
    file_name: str,
    kind: str = "",
    source: Source | None = None,
    batch_number: int | None = None,
    handed_down_on: dt.date | None = None,
    update_existing: bool = False,
    write: bool = False,
    inline: bool | None = None,
) -> ImportRun:
    """Read and check a file; keep it and its report. With ``write``, a file without problems
    then goes on the ledger at once, from the same check (a large one, unless ``inline``, in a
    worker that checks it again); otherwise nothing is written until ``import_confirm``."""
    _require_supervisor(user)
    errors: dict[str, list[str]] = {}
    if kind and kind not in ImportKind.values:
        errors["kind"] = [_("Choose a batch or a history ledger.")]
    if batch_number is not None and not (0 < batch_number < 100000):
        errors["batch_number"] = [_("A batch number is 1 or more.")]
    if errors:
        raise InvalidInput(errors)
    file.seek(0)
    sheet = sheet_read(file, file_name)
    file.seek(0)
    run = ImportRun(
        kind=kind or ImportKind.BATCH,
        source=source,
        batch_number=batch_number,
        handed_down_on=handed_down_on,
        update_existing=update_existing,
        file_name=(file_name or "import")[-200:],
        created_by=user,
    )
    run.file.save(run.file_name, File(file), save=False)
    plan = Checker(
        sheet=sheet,
        user=user,
        kind=kind or None,
        source=source,
        batch_number=batch_number,
        handed_down_on=handed_down_on,
        update_existing=update_existing,
    ).run()
    _record(run, plan)
    if write and plan.valid and (inline or (inline is None and run.rows <= INLINE_ROWS)):
        run.state = ImportState.RUNNING
        run.save()
        return _write(run, plan)
    run.save()
    if write and plan.valid:
        return import_confirm(run_id=run.pk, user=user, inline=False)
    return run


def _record(run: ImportRun, plan: Plan) -> None:
    run.kind = plan.kind
    run.rows = len(plan.rows)
    run.error_count = len(plan.problems)
    run.report = plan.report()
    run.state = ImportState.PREVIEWED if plan.valid else ImportState.INVALID


def _plan(run: ImportRun, user: User | None, progress: Any = None) -> Plan:
    with run.file.open("rb") as handle:
        sheet = sheet_read(handle, run.file_name)
    return Checker(
        sheet=sheet,
        user=user,
        kind=run.kind,
        source=run.source,
        batch_number=run.batch_number,
        handed_down_on=run.handed_down_on,
        update_existing=run.update_existing,
        progress=progress,
    ).run()


def import_confirm(*, run_id: int, user: User | None, inline: bool | None = None) -> ImportRun:
    """Write a checked import: at once, or (more than INLINE_ROWS rows, unless ``inline``) in
    a worker. The file is checked again first: the ledger may have changed since the preview."""
    _require_supervisor(user)
    with transaction.atomic():
        runs = ImportRun.objects.select_for_update()
        if user is not None:
            runs = runs.filter(pk__in=runs_visible_to(user).values("pk"))
        run = runs.filter(pk=run_id).first()
        if run is None:
            raise NotFound(_("No such import."))
        if run.state != ImportState.PREVIEWED:
            raise Conflict(
                _(
                    "This import is %(state)s: only a checked import awaiting confirmation can be "
                    "written."
                )
                % {"state": run.get_state_display()}
            )
        queue = run.rows > INLINE_ROWS if inline is None else not inline
        run.state = ImportState.QUEUED if queue else ImportState.RUNNING
        run.save(update_fields=["state"])
    if queue:
        # The receiver wakes a worker (intake.receivers → intake.tasks).
        transaction.on_commit(lambda: import_queued.send(sender=ImportRun, run_id=run.pk))
        return run
    return import_run(run.pk)


def import_run(run_id: int) -> ImportRun:
    """Check the kept file again and write it (what the worker runs). A failure leaves no case
    behind and is recorded on the import with its reason."""
    run = ImportRun.objects.select_related("source", "created_by").get(pk=run_id)
    user = run.created_by
    if run.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return run
    ImportRun.objects.filter(pk=run.pk).update(state=ImportState.RUNNING)
    run.state = ImportState.RUNNING
    try:
        plan = _plan(run, user, _reporter(run.pk, "checking"))
    except Exception as exc:
        return _failed(run, exc)
    if not plan.valid:
        _record(run, plan)  # the ledger changed since the preview: the report says how
        return _finish(run, ImportState.INVALID)
    return _write(run, plan)


def _finish(run: ImportRun, state: str) -> ImportRun:
    run.state = state
    run.finished_at = clock.now()
    run.save()
    cache.delete(_progress_key(run.pk))
    return run


def _failed(run: ImportRun, exc: Exception) -> ImportRun:
    logger.error("import %s failed", run.pk, exc_info=exc)
    if isinstance(exc, IntegrityError):
        # Another import (or a person) put the same acceptance numbers on the ledger meanwhile.
        reason = _("a case with one of these acceptance numbers was put on the ledger meanwhile")
    else:
        reason = exc.__class__.__name__ + (f": {exc}" if str(exc) else "")
    run.report = {
        **(run.report or {}),
        "failure": _("The import failed and nothing was written: %(reason)s") % {"reason": reason},
    }
    return _finish(run, ImportState.FAILED)


def _write(run: ImportRun, plan: Plan) -> ImportRun:
    """Write a checked plan and record the outcome on the import."""
    try:
        run.report = plan.report()
        run.created, run.updated = plan_write(
            plan, run=run, user=run.created_by, progress=_reporter(run.pk, "writing")
        )
    except Exception as exc:  # recorded and told; the log has the trace
        return _failed(run, exc)
    return _finish(run, ImportState.DONE)
