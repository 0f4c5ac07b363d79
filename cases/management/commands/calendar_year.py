"""Enter a year's official holiday arrangement from a file, or recount the provisional dates.

python manage.py calendar_year fixtures/calendar/2027.json --document "国办发明电〔2026〕7号"
python manage.py calendar_year 2027.csv --dry-run     # show what would change, keep nothing
python manage.py calendar_year --status                # which years are official or provisional
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.calendar import RecomputeReport, calendar_file_parse, calendar_year_enter
from casework import clock, workdays
from casework.errors import InvalidInput
from casework.models import CalendarStatus


class Command(BaseCommand):
    help = (
        "Enter a year's official holiday arrangement (JSON or CSV) and recount provisional dates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", help="a .json (fixtures/calendar format) or .csv file"
        )
        parser.add_argument("--document", default="", help="the notice's document number")
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="enter it as the city's provisional arrangement, not the official one",
        )
        parser.add_argument("--dry-run", action="store_true", help="show the changes, keep nothing")
        parser.add_argument("--status", action="store_true", help="list the years around today")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            this_year = clock.today().year
            for year in range(this_year - 1, this_year + 3):
                calendar = workdays.year_calendar(year)
                state = "provisional" if calendar.provisional else "official"
                self.stdout.write(f"{year}  {state:12}  {calendar.source}")
            return
        if not options["file"]:
            raise CommandError("Give a file, or --status.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            data = calendar_file_parse(path.read_bytes(), name=path.name)
            report = calendar_year_enter(
                user=None,
                year=data["year"],
                holidays=data["holidays"],
                workdays_=data["workdays"],
                status=CalendarStatus.PROVISIONAL
                if options["provisional"]
                else CalendarStatus.OFFICIAL,
                document_number=options["document"] or data["document_number"],
                dry_run=options["dry_run"],
            )
        except InvalidInput as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
            raise CommandError(problems) from None
        self._print(data["year"], report)

    def _print(self, year: int, report: RecomputeReport) -> None:
        for change in report.changes:
            what = "applied" if change.applied else "earlier, waits for confirmation"
            self.stdout.write(
                f"{change.acceptance_number}  {change.field}  {change.old} -> {change.new}  {what}"
            )
        prefix = "DRY RUN, nothing kept: " if report.dry_run else f"{year} entered: "
        self.stdout.write(prefix + report.summary())
