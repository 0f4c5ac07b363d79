"""Backup and restore, rehearsed: the database and the evidence files go into one archive and
come back as they were, checked (counts, every file's hash, the audit trail's chain)."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.evidence import attachment_add
from cases.models import Case, CaseEvent
from casework.models import Region, User
from ops.backup import BackupError, backup_create, backup_restore
from tests.factories import new_case, png

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_brings_back_the_ledger_and_its_files_as_they_were(
    supervisor: User, jizhou_officer: User, jizhou: Region, tmp_path: Path
) -> None:
    case = new_case(supervisor, jizhou, acceptance_number="BACKUP-1")
    evidence = attachment_add(
        case_id=case.pk, user=jizhou_officer, kind="photo_before", upload=png("river.png")
    )
    photo = Path(evidence.file.path)
    original = photo.read_bytes()
    events = CaseEvent.objects.count()

    archive = backup_create(tmp_path / "backups")
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names and any(n.startswith("media/") for n in names)

    # After the backup: a case more, and the photo lost from the disk.
    later = new_case(supervisor, jizhou, acceptance_number="BACKUP-2")
    photo.unlink()

    report = backup_restore(archive)
    assert report.ok, report.problems
    assert list(Case.objects.values_list("acceptance_number", flat=True)) == ["BACKUP-1"]
    assert not Case.objects.filter(pk=later.pk).exists()
    assert CaseEvent.objects.count() == events
    assert photo.read_bytes() == original
    # The files that were there are kept aside, not deleted.
    assert report.moved_aside is not None and report.moved_aside.is_dir()


def test_a_restore_asks_for_confirmation_and_refuses_what_is_not_a_backup(
    supervisor: User, jizhou: Region, tmp_path: Path
) -> None:
    new_case(supervisor, jizhou, acceptance_number="BACKUP-3")
    archive = backup_create(tmp_path)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as opened:
        opened.add(__file__, arcname="notes.py")
    with pytest.raises(BackupError, match="manifest"):
        backup_restore(bogus)
    assert Case.objects.filter(acceptance_number="BACKUP-3").exists()  # nothing touched
