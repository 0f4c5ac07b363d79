"""What the intake app does when its services signal: the top of the app (it may import the
tasks, which import the services)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from intake.signals import import_queued
from intake.tasks import enqueue_import


@receiver(import_queued, dispatch_uid="intake.on_import_queued")
def on_import_queued(sender: Any, run_id: int, **kwargs: Any) -> None:
    enqueue_import(run_id)
