"""What the supervision app does when its services signal: the top of the app (it may import
the tasks, which import the services)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from supervision.signals import export_queued
from supervision.tasks import enqueue_export


@receiver(export_queued, dispatch_uid="supervision.on_export_queued")
def on_export_queued(sender: Any, run_id: int, **kwargs: Any) -> None:
    enqueue_export(run_id)
