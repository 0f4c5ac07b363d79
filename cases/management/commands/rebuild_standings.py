"""Derive every case's standings (where it stood, over time) from its trail again:
``python manage.py rebuild_standings``. Reports as of a date read them; they are kept as events
are written, so this is for after a restore of an older backup or a repair by hand. One
statement, in one transaction (a million cases: ~25 s)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import standings_rebuild


class Command(BaseCommand):
    help = "Derive every case's standings from its events again (reports as of a date read them)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            rows = standings_rebuild()
        took = time.perf_counter() - started
        self.stdout.write(f"OK: {rows} standings derived from the trails in {took:.1f} s")
