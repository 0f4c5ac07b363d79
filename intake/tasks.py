"""The worker's part of an import: a thin wake-up around the service."""

from __future__ import annotations

import logging

from celery import shared_task

from intake import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def import_write(run_id: int) -> str:
    return services.import_run(run_id).state


def enqueue_import(run_id: int) -> None:
    """Wake a worker for a queued import; if the broker cannot be reached, write it here and
    now rather than leave it waiting."""
    try:
        import_write.apply_async((run_id,), retry=False)
    except Exception:  # kombu raises many kinds when the broker is unreachable
        logger.warning("broker unreachable; import %s is written in the request", run_id)
        services.import_run(run_id)
