"""Signals for wiring that must not know the ledger's internals (notifications, public pages)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that writes a case event, so that receivers' own rows (a reminder
# schedule, inbox messages) commit or roll back with the change. Keyword arguments: ``event``.
case_event_recorded = Signal()

# Sent after a year's holiday arrangement was entered and committed: schedules counted in working
# days (reminders) are counted again.
calendar_changed = Signal()
