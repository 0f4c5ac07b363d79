"""``python manage.py backup [--to DIR]``: the database and the evidence files in one archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the files (evidence, photos, imports) into one archive."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--to", type=Path, help="folder for the archive (default var/backups)")

    def handle(self, *args: object, to: Path | None, **options: object) -> None:
        try:
            path = backup_create(to)
        except BackupError as exc:
            raise CommandError(f"备份失败 (backup failed): {exc}") from exc
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(self.style.SUCCESS(f"备份完成 (backup written): {path} ({size:.1f} MB)"))
