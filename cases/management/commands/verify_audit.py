"""Re-walk every case's audit trail and name any break: ``python manage.py verify_audit``.

Exit status 0 when every chain holds and the database guard is in place, 1 otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.audit import audit_breaks, audit_guard_present
from cases.models import CaseEvent


class Command(BaseCommand):
    help = "Check the hash chain of every case's events and the database guard on them."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(audit_breaks())
        for item in breaks:
            self.stdout.write(f"BROKEN {item}")
        guarded = audit_guard_present()
        if not guarded:
            self.stdout.write("BROKEN the database trigger refusing changes to events is missing")
        total = CaseEvent.objects.count()
        if breaks or not guarded:
            raise CommandError(f"{len(breaks)} break(s) in {total} events")
        self.stdout.write(f"OK: {total} events, every chain holds, the database guard is on")
