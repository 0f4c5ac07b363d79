"""Ledger exports too large for a request: asked for in the case list, written by a worker with
its progress readable meanwhile, downloaded by the person who asked.

A city-wide ledger at a million rows takes minutes to write; a request would time out and tie up
a web process. Up to ``CASEWORK_EXPORT_INLINE_ROWS`` rows the list's export still answers at
once; above it ``export_start`` records an ``ExportRun`` and wakes a worker, which reads the
list again *as the person* (their scope, their filters — the case list's own code, not a copy),
writes the workbook to a file and marks it ready."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.test import RequestFactory
from django.utils.translation import gettext as _

from cases.models import Case
from casework import clock
from casework.models import User
from supervision.exports import LIST_COLUMNS, list_ledger, workbook
from supervision.models import ExportRun, ExportState
from supervision.signals import export_queued

logger = logging.getLogger(__name__)


def inline_limit() -> int:
    return settings.CASEWORK_EXPORT_INLINE_ROWS


def export_start(*, user: User, query: str) -> ExportRun:
    """Record the export of the case list ``query`` finds for ``user`` and wake a worker."""
    run = ExportRun.objects.create(requested_by=user, query=query[:2000])
    transaction.on_commit(lambda: export_queued.send(sender=ExportRun, run_id=run.pk))
    return run


def listed_cases(user: User, query: str) -> QuerySet[Case]:
    """The cases the case list shows ``user`` for ``query``: the admin's changelist, filters and
    search and scope, read as that person."""
    from django.contrib import admin

    request = RequestFactory().get("/admin/cases/case/", data=None, QUERY_STRING=query)
    request.user = user
    case_admin = admin.site.get_model_admin(Case)
    changelist = case_admin.get_changelist_instance(request)
    return changelist.get_queryset(request)


def export_write(run_id: int) -> ExportRun:
    """The worker's part: write the workbook, its progress on the run as it goes."""
    claimed = ExportRun.objects.filter(pk=run_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING
    )
    run = ExportRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run  # another worker has it, or it is done
    try:
        try:
            cases = listed_cases(run.requested_by, run.query)
        except IncorrectLookupParameters:
            raise ValueError(
                _("The list's filters could not be read; nothing was exported.")
            ) from None

        ExportRun.objects.filter(pk=run.pk).update(rows_total=cases.count())

        def progress(done: int) -> None:
            ExportRun.objects.filter(pk=run.pk).update(rows_done=done)

        stream = workbook(list_ledger(cases), LIST_COLUMNS, "台账", progress=progress)
        run.refresh_from_db()
        run.file.save(f"台账-{clock.today():%Y%m%d}-{run.pk}.xlsx", File(stream), save=False)
        run.state, run.finished_at = ExportState.DONE, clock.now()
        run.save(update_fields=["file", "state", "finished_at"])
    except Exception as exc:  # the run says it failed; the worker goes on
        logger.exception("export %s failed", run_id)
        ExportRun.objects.filter(pk=run.pk).update(
            state=ExportState.FAILED, error=str(exc)[:1000], finished_at=clock.now()
        )
        run.refresh_from_db()
    return run


def exports_prune() -> int:
    """Remove the files of the exports written more than ``CASEWORK_EXPORT_KEEP_DAYS`` ago (a
    city-wide one is ~100 MB; it can be made again from the list): each run stays, marked
    expired, so its page says so. Returns how many were removed."""
    before = clock.now() - dt.timedelta(days=settings.CASEWORK_EXPORT_KEEP_DAYS)
    removed = 0
    for run in ExportRun.objects.filter(state=ExportState.DONE, finished_at__lt=before):
        claimed = ExportRun.objects.filter(pk=run.pk, state=ExportState.DONE).update(
            state=ExportState.EXPIRED, file=""
        )
        if claimed and run.file:
            run.file.delete(save=False)
            removed += 1
    return removed


def runs_of(user: User) -> QuerySet[ExportRun]:
    """The exports a person may see and download: their own."""
    return ExportRun.objects.filter(requested_by=user)
