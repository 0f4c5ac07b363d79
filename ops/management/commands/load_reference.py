from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from ops.reference import DEFAULT_REFERENCE_FILE, reference_data_load


class Command(BaseCommand):
    help = (
        "Load regions, responsible units and source streams from fixtures/reference.json "
        "(idempotent)."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--file", type=Path, default=DEFAULT_REFERENCE_FILE)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        report = reference_data_load(path=file)
        kinds = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
        for kind in kinds:
            self.stdout.write(
                f"{kind}: {report.created[kind]} created, {report.updated[kind]} updated, "
                f"{report.unchanged[kind]} unchanged"
            )
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
