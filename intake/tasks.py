"""The worker's part of an import: a thin wake-up around the service."""

from __future__ import annotations

from celery import shared_task

from intake import services


@shared_task(ignore_result=True)
def import_write(run_id: int) -> str:
    return services.import_run(run_id).state
