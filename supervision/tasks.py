"""Celery tasks of supervision: thin wake-ups around its services."""

from __future__ import annotations

from celery import shared_task

from supervision.circulars import ranking_circular_send


@shared_task(ignore_result=True)
def monthly_ranking() -> int:
    return ranking_circular_send()
