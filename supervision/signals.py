"""Signals the supervision services send; receivers (supervision.receivers) act on them.

``export_queued`` lets the export service stay below the Celery task that wraps it: the service
records an export and sends this signal on commit; the receiver wakes a worker.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit, with ``run_id``, for a ledger export to be written by a worker.
export_queued = Signal()
