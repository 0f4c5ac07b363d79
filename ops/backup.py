"""Backing up and restoring the whole system: the database and the evidence files, in one archive.

An archive (``casework-<time>.tar.gz``) holds ``manifest.json`` (when, which database, the
rows counted in the tables that matter, each file with its size and SHA-256), the database
(PostgreSQL: ``pg_dump --format=custom``; SQLite: a consistent copy through SQLite's backup API)
and ``media/`` (field-check photos, evidence files, uploaded imports). A restore puts the
database back (``pg_restore --clean``, or the SQLite file), moves the current files aside
(``media.before-restore-<time>/``, nothing deleted) and unpacks the archived ones, then checks
the counts, every file's hash and the audit trail's hash chain, and says what it found.

``python manage.py backup [--to DIR]`` and ``python manage.py restore ARCHIVE --yes``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

from cases.audit import audit_breaks
from casework import clock

# What is counted in the manifest and compared after a restore.
COUNTED = (
    "cases.Case",
    "cases.CaseEvent",
    "cases.Attachment",
    "cases.FieldCheckPhoto",
    "cases.ProgressReport",
    "intake.ImportRun",
    "casework.User",
    "notifications.Notification",
    "supervision.Publication",
)
FORMAT = 1


class BackupError(Exception):
    """Why a backup or a restore could not be done (said in the command's words)."""


@dataclass
class RestoreReport:
    archive: Path
    counts: dict[str, int]
    files: int
    moved_aside: Path | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", settings_dict.get("HOST") or "127.0.0.1"]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (apt-get install postgresql-client)"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def _media_files(root: Path) -> dict[str, dict[str, Any]]:
    files = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            with path.open("rb") as handle:  # in blocks: evidence files run to 20 MB
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            files[path.relative_to(root).as_posix()] = {
                "size": path.stat().st_size,
                "sha256": digest,
            }
    return files


def backup_create(folder: Path | None = None) -> Path:
    """Write an archive of the database and the files; returns its path."""
    folder = Path(folder or settings.VAR_DIR / "backups")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"casework-{stamp}.tar.gz"
    media = Path(settings.MEDIA_ROOT)
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / ("database.pgdump" if vendor == "postgresql" else "database.sqlite3")
        if vendor == "postgresql":
            args, env = _pg_env(connection.settings_dict)
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(dump),
                    connection.settings_dict["NAME"],
                ],
                env,
            )
        elif vendor == "sqlite":
            connection.ensure_connection()
            with closing(sqlite3.connect(dump)) as copy:
                connection.connection.backup(copy)
        else:
            raise BackupError(f"no backup for a {vendor} database")
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "vendor": vendor,
            "database": dump.name,
            "counts": _counts(),
            "files": _media_files(media),
        }
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for name in manifest["files"]:
                archive.add(media / name, arcname=f"media/{name}")
        partial.rename(target)  # a half-written archive is never taken for a backup
    return target


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    except (KeyError, ValueError, TypeError):
        raise BackupError("not a Casework backup: no readable manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def backup_restore(path: Path) -> RestoreReport:
    """Put the archive's database and files back, then check what was restored."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as archive:
        manifest = _manifest(archive)
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"the backup is of a {manifest['vendor']} database; this one is {connection.vendor}"
            )
        archive.extractall(work, filter="data")  # no absolute paths, links or devices
        dump = Path(work) / manifest["database"]
        settings_dict = dict(connection.settings_dict)
        if connection.vendor == "postgresql":
            connection.close()  # pg_restore replaces the tables this connection would hold
            args, env = _pg_env(settings_dict)
            _run(
                [
                    "pg_restore",
                    *args,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--dbname",
                    settings_dict["NAME"],
                    str(dump),
                ],
                env,
            )
        else:
            # Page by page into the database this process uses (a file, or in memory).
            connection.ensure_connection()
            with closing(sqlite3.connect(dump)) as source:
                source.backup(connection.connection)
        moved = None
        if media.exists() and any(media.iterdir()):
            stamp = clock.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            moved = media.with_name(f"{media.name}.before-restore-{stamp}")
            media.rename(moved)
        media.mkdir(parents=True, exist_ok=True)
        unpacked = Path(work) / "media"
        if unpacked.exists():
            shutil.copytree(unpacked, media, dirs_exist_ok=True)
    report = RestoreReport(path, _counts(), len(manifest["files"]), moved)
    for label, count in manifest["counts"].items():
        if report.counts.get(label) != count:
            report.problems.append(f"{label}: {report.counts.get(label)} rows, backup had {count}")
    found = _media_files(media)
    for name, meta in manifest["files"].items():
        if found.get(name, {}).get("sha256") != meta["sha256"]:
            report.problems.append(f"file {name} is missing or differs from the backup")
    report.problems += [f"audit trail: {b}" for b in audit_breaks()]
    return report
