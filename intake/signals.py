"""Signals the import services send; receivers (intake.receivers) act on them.

``import_queued`` lets the services stay below the Celery task that wraps them: a service marks
an import queued and sends this signal on commit; the receiver wakes a worker.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit, with ``run_id``, for an import to be written by a worker.
import_queued = Signal()
