"""``python manage.py restore ARCHIVE --yes``: put a backup back and check it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the database and the files from a backup archive, replacing what is there "
        "(the current files are moved aside, not deleted), then check counts, files and the "
        "audit trail. Stop the web server and the workers first."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the database is replaced by the backup"
        )

    def handle(self, *args: object, archive: Path, yes: bool, **options: object) -> None:
        if not yes:
            raise CommandError(
                "恢复会以备份替换当前数据库；确认请加 --yes "
                "(a restore replaces the database with the backup: add --yes to confirm)"
            )
        try:
            report = backup_restore(archive)
        except BackupError as exc:
            raise CommandError(f"恢复失败 (restore failed): {exc}") from exc
        counts = "，".join(f"{label.split('.')[-1]} {n}" for label, n in report.counts.items())
        self.stdout.write(f"已恢复 (restored): {counts}; {report.files} files")
        if report.moved_aside:
            self.stdout.write(f"原文件已移至 (previous files moved to): {report.moved_aside}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError("恢复后检查未通过 (the restored system does not match the backup)")
        self.stdout.write(self.style.SUCCESS("检查通过：行数、文件和审计链均与备份一致 (checked)"))
