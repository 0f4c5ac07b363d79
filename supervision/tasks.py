"""Celery tasks of supervision: thin wake-ups around its services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from casework.workers import wake
from supervision import export_runs
from supervision.circulars import ranking_circular_send


@shared_task(ignore_result=True)
def monthly_ranking() -> int:
    return ranking_circular_send()


# A database that cannot answer for a moment (a restart, a lock) before the run is claimed
# would leave it queued for ever: tried again after 1, 2, 4… seconds, up to five times.
@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=5,
)
def export_ledger(run_id: int) -> str:
    return export_runs.export_write(run_id).state


@shared_task(ignore_result=True)
def prune_exports() -> int:
    return export_runs.exports_prune()


def enqueue_export(run_id: int) -> None:
    """Wake a worker for a queued export; if the broker cannot be reached, write it here and
    now rather than leave it waiting."""
    if not wake(export_ledger, run_id):
        export_runs.export_write(run_id)
