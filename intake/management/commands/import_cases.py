"""python manage.py import_cases FILE [--source …] [--batch N] [--dry-run]"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from cases.models import Source
from casework.errors import ApplicationError
from casework.models import User
from intake.models import ImportKind, ImportState
from intake.services import import_check


class Command(BaseCommand):
    help = (
        "Import a 交办 batch or a history ledger (.xlsx or .csv): checked whole first; "
        "nothing is written if any row has a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", help="the source's name or id (轮次)")
        parser.add_argument("--batch", type=int, help="the batch number (第N批)")
        parser.add_argument("--handed-down", help="the date the batch was handed down (YYYY-MM-DD)")
        parser.add_argument(
            "--kind", choices=ImportKind.values, help="batch or history (default: from the header)"
        )
        parser.add_argument(
            "--update", action="store_true", help="update cases already on the ledger"
        )
        parser.add_argument("--user", help="the supervisor importing (default: the system)")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        source = None
        if options["source"]:
            wanted = options["source"]
            query = Q(name=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() else Q())
            source = Source.objects.filter(query).first()
            if source is None:
                raise CommandError(f"No such source: {wanted}")
        user = None
        if options["update"] and not options["user"]:
            raise CommandError("--update changes cases through the services: name the --user.")
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No such user: {options['user']}")
        handed_down = None
        if options["handed_down"]:
            try:
                handed_down = dt.date.fromisoformat(options["handed_down"])
            except ValueError:
                raise CommandError("--handed-down takes a date like 2024-05-16") from None
        try:
            with path.open("rb") as handle:
                run = import_check(
                    user=user,
                    file=handle,
                    file_name=path.name,
                    kind=options["kind"] or "",
                    source=source,
                    batch_number=options["batch"],
                    handed_down_on=handed_down,
                    update_existing=options["update"],
                    write=not options["dry_run"],
                    inline=True,
                )
            report = run.report
            self.stdout.write(
                f"{path.name}: {run.get_kind_display()}, {report.get('rows', 0)} rows "
                f"({report.get('to_create', 0)} new, {report.get('to_update', 0)} to update)"
            )
            if report.get("ignored_columns"):
                self.stdout.write("ignored columns: " + ", ".join(report["ignored_columns"]))
            for warning in report.get("warnings", []):
                self.stdout.write(
                    f"  ! row {warning['row']} {warning['column']}: {warning['message']}"
                )
            for problem in report.get("problems", []):
                self.stderr.write(
                    f"  x row {problem['row']} {problem['column']}: {problem['message']}"
                )
            if run.state == ImportState.INVALID:
                raise CommandError(
                    f"{run.error_count} problems: nothing was written (import {run.pk})."
                )
            if options["dry_run"]:
                self.stdout.write(f"dry run: nothing written (import {run.pk} kept for review).")
                return
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        if run.state != ImportState.DONE:
            raise CommandError(run.report.get("failure") or run.get_state_display())
        self.stdout.write(
            self.style.SUCCESS(f"import {run.pk}: {run.created} created, {run.updated} updated.")
        )
