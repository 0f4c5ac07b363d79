"""The worker's part of an import: a thin wake-up around the service."""

from __future__ import annotations

from celery import shared_task

from casework.workers import wake
from intake import services


@shared_task(ignore_result=True)
def import_write(run_id: int) -> str:
    return services.import_run(run_id).state


def enqueue_import(run_id: int) -> None:
    """Wake a worker for a queued import; if the broker cannot be reached, write it here and
    now rather than leave it waiting."""
    if not wake(import_write, run_id):
        services.import_run(run_id)
