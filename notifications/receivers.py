from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from cases.signals import calendar_changed, case_event_recorded


@receiver(case_event_recorded, dispatch_uid="notifications.on_case_event")
def on_case_event(sender: Any, event: Any, **kwargs: Any) -> None:
    from notifications.services import on_case_event as handle

    handle(event)


@receiver(calendar_changed, dispatch_uid="notifications.on_calendar_changed")
def on_calendar_changed(sender: Any, **kwargs: Any) -> None:
    from notifications.services import reminders_recalculate

    reminders_recalculate()
