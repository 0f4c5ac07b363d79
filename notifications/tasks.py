"""Celery tasks: thin wake-ups around the services; the database holds the work."""

from __future__ import annotations

from celery import shared_task

from casework import clock
from casework.workers import wake
from notifications import services


@shared_task(ignore_result=True)
def tick() -> dict[str, int]:
    """Every minute (beat): send due reminders, then retry due deliveries. Records liveness."""
    started = clock.now()
    try:
        sent = services.reminders_scan()
        attempted = services.deliveries_sweep()
    except Exception as exc:
        services.heartbeat("scan", started=started, error=repr(exc))
        raise
    services.heartbeat("scan", started=started)
    return {"reminders": sent, "deliveries": attempted}


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> str | None:
    return services.delivery_attempt(delivery_id)


@shared_task(ignore_result=True)
def weekly_circular() -> int:
    return services.circular_send()


@shared_task(ignore_result=True)
def monthly_dispatch() -> int:
    return services.dispatch_chase()


@shared_task(ignore_result=True)
def daily_digest() -> int:
    return services.digest_send()


def enqueue_delivery(delivery_id: int) -> None:
    """Wake a worker for a delivery. If the broker is down the row stays pending and the
    periodic sweep sends it later: nothing is lost."""
    wake(deliver, delivery_id)
