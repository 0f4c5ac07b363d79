"""What the notifications app does when the ledger or its own services signal: the top of the
app (it may import the tasks, which import the services)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cases.signals import calendar_changed, case_event_recorded
from notifications import services
from notifications.signals import delivery_created
from notifications.tasks import enqueue_delivery


@receiver(case_event_recorded, dispatch_uid="notifications.on_case_event")
def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    services.on_case_event(event)


@receiver(calendar_changed, dispatch_uid="notifications.on_calendar_changed")
def on_calendar_changed(sender: Any, **kwargs: Any) -> None:
    services.reminders_recalculate()


@receiver(delivery_created, dispatch_uid="notifications.on_delivery_created")
def on_delivery_created(sender: Any, delivery_id: int, **kwargs: Any) -> None:
    enqueue_delivery(delivery_id)
