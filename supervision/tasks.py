"""Celery tasks of supervision: thin wake-ups around its services."""

from __future__ import annotations

from celery import shared_task

from casework.workers import wake
from supervision import export_runs
from supervision.circulars import ranking_circular_send


@shared_task(ignore_result=True)
def monthly_ranking() -> int:
    return ranking_circular_send()


@shared_task(ignore_result=True)
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
