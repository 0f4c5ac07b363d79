"""A case list's export too large for a request is written by a worker: the person is taken to
its page, sees its progress, and downloads the ledger of exactly the cases their list found."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from casework.models import Region, User
from supervision import export_runs
from supervision.models import ExportRun, ExportState
from tests.factories import new_case
from tests.notifications.test_engine_integration import (  # noqa: F401 - a fixture
    celery_worker_on_redis,
)
from tests.processes import wait_for
from tests.supervision.test_exports import sheet_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(supervisor: User, jizhou: Region, qingyuan: Region) -> None:
    for n in range(7):
        new_case(supervisor, jizhou if n % 2 else qingyuan, acceptance_number=f"BIG-{n}")


@pytest.fixture(autouse=True)
def _small_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CASEWORK_EXPORT_INLINE_ROWS = 2


def test_a_large_export_is_written_by_a_worker_for_the_person_who_asked(
    ledger: None,
    supervisor: User,
    jizhou_officer: User,
    jizhou: Region,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    woken = []
    monkeypatch.setattr(
        "supervision.tasks.export_ledger.apply_async", lambda a, **k: woken.append(a)
    )
    web = Client()
    web.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.get(
            "/admin/cases/case/export.xlsx", {"region__id__exact": jizhou.pk, "p": 2}
        )
    run = ExportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/supervision/exportrun/{run.pk}/change/"
    assert woken == [(run.pk,)] and run.state == ExportState.QUEUED
    assert run.query == f"region__id__exact={jizhou.pk}"  # the filters, not the page
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["超过 2 件：台账正在后台生成，完成后可在此页下载。"]
    waiting = web.get(response["Location"]).content.decode()
    assert "等待后台处理" in waiting and 'http-equiv="refresh"' in waiting

    run = export_runs.export_write(run.pk)  # what the worker does
    assert run.state == ExportState.DONE and (run.rows_total, run.rows_done) == (3, 3)
    page = web.get("/admin/supervision/exportrun/").content.decode()
    assert "3 / 3 行" in page and "下载" in page and 'http-equiv="refresh"' not in page
    download = web.get(f"/admin/supervision/exportrun/{run.pk}/download/")
    rows = sheet_rows(b"".join(download.streaming_content))
    assert sorted(r[1] for r in rows[1:]) == ["BIG-1", "BIG-3", "BIG-5"]
    assert all(r[3] == "吉州区" for r in rows[1:])
    assert export_runs.export_write(run.pk).state == ExportState.DONE  # a second wake-up: nothing

    web.force_login(jizhou_officer)  # someone else's export: not listed, not downloadable
    assert web.get(f"/admin/supervision/exportrun/{run.pk}/download/").status_code == 404
    assert "BIG" not in web.get("/admin/supervision/exportrun/").content.decode()


def test_the_worker_reads_the_list_as_the_person_and_a_bad_query_fails_the_run(
    ledger: None, jizhou_officer: User, qingyuan: Region
) -> None:
    mine = export_runs.export_write(
        ExportRun.objects.create(requested_by=jizhou_officer, query="").pk
    )
    assert mine.rows_total == 3  # their county's cases only
    theirs = export_runs.export_write(
        ExportRun.objects.create(
            requested_by=jizhou_officer, query=f"region__id__exact={qingyuan.pk}"
        ).pk
    )
    assert theirs.state == ExportState.DONE and theirs.rows_total == 0
    bad = export_runs.export_write(
        ExportRun.objects.create(requested_by=jizhou_officer, query="no_such_field=1").pk
    )
    assert bad.state == ExportState.FAILED and bad.error and not bad.file


def test_with_the_broker_unreachable_the_export_is_written_in_the_request(
    ledger: None, supervisor: User, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def unreachable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker down")

    monkeypatch.setattr("supervision.tasks.export_ledger.apply_async", unreachable)
    web = Client()
    web.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        web.get("/admin/cases/case/export.xlsx")
    run = ExportRun.objects.get()
    assert run.state == ExportState.DONE and run.rows_total == 7


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker_on_redis")
def test_a_real_worker_writes_the_export_and_the_person_downloads_it(
    supervisor: User, jizhou: Region, qingyuan: Region
) -> None:
    for n in range(7):
        new_case(supervisor, jizhou if n % 2 else qingyuan, acceptance_number=f"BIG-{n}")
    web = Client()
    web.force_login(supervisor)
    response = web.get("/admin/cases/case/export.xlsx", {"q": "BIG"})
    run_id = ExportRun.objects.get().pk
    assert response["Location"] == f"/admin/supervision/exportrun/{run_id}/change/"
    assert wait_for(lambda: ExportRun.objects.get(pk=run_id).state == ExportState.DONE, 60)
    rows = sheet_rows(
        b"".join(web.get(f"/admin/supervision/exportrun/{run_id}/download/").streaming_content)
    )
    assert len(rows) == 1 + 7


def test_the_api_refuses_an_export_too_large_for_a_request(ledger: None, supervisor: User) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(supervisor)
    refused = api.get("/api/v1/exports/ledger.xlsx")
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["code"] == "export_too_large" and "超过 2 件" in error["detail"]
    assert api.get("/api/v1/exports/ledger.xlsx", {"q": "BIG-1"}).status_code == 200


def test_old_exports_files_are_removed_and_their_page_says_export_again(
    ledger: None, supervisor: User, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import time_machine

    settings.MEDIA_ROOT = tmp_path
    settings.CASEWORK_EXPORT_KEEP_DAYS = 14
    with time_machine.travel(dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC), tick=False):
        old = export_runs.export_write(export_runs.export_start(user=supervisor, query="").pk)
    with time_machine.travel(dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), tick=False):
        recent = export_runs.export_write(export_runs.export_start(user=supervisor, query="").pk)
    old_file = tmp_path / old.file.name
    assert old_file.exists() and (tmp_path / recent.file.name).exists()
    with time_machine.travel(dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC), tick=False):
        assert export_runs.exports_prune() == 1
        assert export_runs.exports_prune() == 0  # once
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, old.file.name) == (ExportState.EXPIRED, "") and not old_file.exists()
    assert recent.state == ExportState.DONE and (tmp_path / recent.file.name).exists()
    web = Client()
    web.force_login(supervisor)
    assert web.get(f"/admin/supervision/exportrun/{old.pk}/download/").status_code == 404
    page = web.get("/admin/supervision/exportrun/").content.decode()
    assert "已过期，请重新导出" in page


def test_an_export_the_database_could_not_take_is_tried_again(
    ledger: None, supervisor: User, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The worker's first try met a database that could not answer (SQLite's shared test
    database said "table is locked" to a real worker now and then): the run is not left queued
    for ever, the task tries again and writes it."""
    from django.db import OperationalError

    from supervision import tasks

    run = export_runs.export_start(user=supervisor, query="")
    real, tries = export_runs.export_write, []

    def first_refused(run_id: int):  # type: ignore[no-untyped-def]
        tries.append(run_id)
        if len(tries) == 1:
            raise OperationalError("database table is locked: supervision_exportrun")
        return real(run_id)

    monkeypatch.setattr(export_runs, "export_write", first_refused)
    tasks.export_ledger.apply(args=(run.pk,), throw=False)  # as a worker: tried again
    assert tries == [run.pk, run.pk]
    run.refresh_from_db()
    assert run.state == ExportState.DONE and run.rows_done == 7
