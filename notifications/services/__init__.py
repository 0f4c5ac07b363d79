"""The reminder and escalation engine and message delivery.

- ``reminder_reschedule``: a case's schedule, remade when its deadline or state changes.
- ``reminders_scan``: what is due now, each claimed by a conditional UPDATE so that any number of
  scanners send each reminder once; catches up after an outage by sending the highest rung due.
- ``notify``: inbox rows (exactly once, by dedupe key) and a pending delivery per extra channel.
- ``delivery_attempt``/``deliveries_sweep``: each attempt recorded; transient failures back off,
  permanent ones disable the channel and tell the supervisors.
"""

from notifications.services.circulars import (
    circular_send,
    digest_send,
    dispatch_chase,
    dispatch_period,
    heartbeat,
    notification_mark_read,
    on_case_event,
)
from notifications.services.delivery import (
    city_people,
    deliveries_sweep,
    delivery_attempt,
    notify,
)
from notifications.services.reminders import (
    Rung,
    audience,
    reminder_reschedule,
    reminders_recalculate,
    reminders_scan,
    reminders_schedule_new,
)

__all__ = [
    "Rung",
    "audience",
    "circular_send",
    "city_people",
    "deliveries_sweep",
    "delivery_attempt",
    "digest_send",
    "dispatch_chase",
    "dispatch_period",
    "heartbeat",
    "notification_mark_read",
    "notify",
    "on_case_event",
    "reminder_reschedule",
    "reminders_recalculate",
    "reminders_scan",
    "reminders_schedule_new",
]
