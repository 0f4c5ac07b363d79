"""Signals for wiring that must not know the ledger's internals (notifications, public pages)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that wrote a case event has committed. Keyword arguments: ``event``.
case_event_committed = Signal()
