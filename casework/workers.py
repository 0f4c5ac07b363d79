"""Waking a Celery worker from a request or a service, the one way: the task is queued without
retrying the broker, and an unreachable broker (Redis down) is said in the log and answered
``False``, so the caller chooses — do the work here and now, or leave the row for a sweep."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def wake(task: Any, *args: Any) -> bool:
    """Queue ``task(*args)`` for a worker; ``False`` when the broker cannot be reached."""
    try:
        task.apply_async(args, retry=False)
    except Exception:  # kombu raises many kinds when the broker is unreachable
        logger.warning("broker unreachable; %s%r not queued", task.name, args, exc_info=True)
        return False
    return True
