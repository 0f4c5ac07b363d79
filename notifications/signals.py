"""Signals the notification services send; receivers (notifications.receivers) act on them.

``delivery_created`` lets the services stay below the Celery tasks that wrap them: a service
writes the delivery row and sends this signal on commit; the receiver wakes a worker.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit, with ``delivery_id``, for each delivery row written.
delivery_created = Signal()
