"""The importer's three doors: the API, the command, and (tests/browser) the admin page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import Case
from intake.models import ImportRun, ImportState
from intake.services import import_check
from tests.intake.conftest import BATCH_HEADER, TODAY, batch_rows, xlsx

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_writes_a_clean_batch_and_answers_with_the_import(
    today, round3, supervisor
) -> None:
    f = xlsx([BATCH_HEADER, *batch_rows(4)])
    response = client_for(supervisor).post(
        "/api/v1/imports/",
        {"file": f, "source": round3.pk, "batch_number": 7, "handed_down_on": TODAY.isoformat()},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["created"], body["rows"], body["state_label"]) == (
        "done",
        4,
        4,
        "已导入",
    )
    assert body["progress"]["percent"] == 100
    assert Case.objects.filter(batch__number=7).count() == 4
    listed = client_for(supervisor).get("/api/v1/imports/").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]


def test_a_dry_run_reports_then_confirm_writes(today, round3, supervisor) -> None:
    api = client_for(supervisor)
    f = xlsx([BATCH_HEADER, *batch_rows(2)])
    body = api.post(
        "/api/v1/imports/", {"file": f, "source": round3.pk, "dry_run": True}, format="multipart"
    ).json()
    assert (body["state"], Case.objects.count()) == ("previewed", 0)
    confirmed = api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert (confirmed.status_code, confirmed.json()["created"]) == (200, 2)
    again = api.post(f"/api/v1/imports/{body['id']}/confirm/")
    assert again.status_code == 409  # written once only


def test_a_file_with_problems_is_a_400_with_every_problem(today, round3, supervisor) -> None:
    rows = batch_rows(3)
    rows[0][3] = "火星"
    rows[2][4] = ""
    response = client_for(supervisor).post(
        "/api/v1/imports/",
        {"file": xlsx([BATCH_HEADER, *rows]), "source": round3.pk},
        format="multipart",
    )
    assert response.status_code == 400
    problems = response.json()["report"]["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(2, "行政区域"), (4, "污染类型")]
    assert Case.objects.count() == 0


def test_bad_requests_get_field_errors_not_500s(today, round3, supervisor, jizhou_officer) -> None:
    api = client_for(supervisor)
    assert api.post("/api/v1/imports/", {}, format="multipart").status_code == 400
    not_a_sheet = io.BytesIO(b"\x00\x01binary")
    not_a_sheet.name = "x.xlsx"
    response = api.post(
        "/api/v1/imports/", {"file": not_a_sheet, "source": round3.pk}, format="multipart"
    )
    assert response.status_code == 400
    assert "Excel" in str(response.json())
    # A county officer may not import, nor see others' imports.
    officer = client_for(jizhou_officer)
    f = xlsx([BATCH_HEADER, *batch_rows(1)])
    assert (
        officer.post(
            "/api/v1/imports/", {"file": f, "source": round3.pk}, format="multipart"
        ).status_code
        == 403
    )
    # The supervisor's import is neither listed nor readable for the officer.
    run = import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(1)]),
        file_name="b.xlsx",
        source=round3,
    )
    assert officer.get("/api/v1/imports/").json()["results"] == []
    assert officer.get(f"/api/v1/imports/{run.pk}/").status_code == 404


def test_the_template_workbooks_download_and_import_back(today, round3, supervisor) -> None:
    api = client_for(supervisor)
    for kind, first in (("batch", "*受理编号"), ("history", "*受理编号")):
        response = api.get(f"/api/v1/imports/templates/{kind}.xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert book.worksheets[0]["A1"].value == first
        assert book.sheetnames[1] == "填写说明"
    # Each template's sample row is itself a valid file of its kind.
    for kind in ("batch", "history"):
        template = io.BytesIO(api.get(f"/api/v1/imports/templates/{kind}.xlsx").content)
        template.name = "模板.xlsx"
        body = api.post(
            "/api/v1/imports/",
            {"file": template, "source": round3.pk, "dry_run": True},
            format="multipart",
        ).json()
        assert (body["state"], body["kind"]) == ("previewed", kind), body["report"]["problems"]


def test_the_command_checks_then_writes_or_only_checks(today, round3, tmp_path, capsys) -> None:
    path = tmp_path / "第7批.xlsx"
    path.write_bytes(xlsx([BATCH_HEADER, *batch_rows(3)]).getvalue())
    call_command("import_cases", str(path), "--source", round3.name, "--batch", "7", "--dry-run")
    assert "dry run" in capsys.readouterr().out
    assert Case.objects.count() == 0
    call_command("import_cases", str(path), "--source", str(round3.pk), "--batch", "7")
    assert "3 created" in capsys.readouterr().out
    assert Case.objects.filter(batch__number=7).count() == 3
    with pytest.raises(CommandError, match="3 problems"):
        call_command("import_cases", str(path), "--source", round3.name)  # already on the ledger
    assert ImportRun.objects.filter(state=ImportState.INVALID).count() == 1


def test_the_admin_page_previews_then_confirms(today, round3, supervisor, client) -> None:
    client.force_login(supervisor)
    rows = batch_rows(3)
    rows[1][3] = "火星"
    f = xlsx([BATCH_HEADER, *rows])
    response = client.post(
        "/admin/intake/importrun/add/",
        {"file": f, "source": round3.pk, "batch_number": 2},
        follow=True,
    )
    page = response.content.decode()
    assert "1 个问题" in page and "“火星”不是您管辖范围内的区县。" in page
    assert 'id="import-confirm"' not in page
    fixed = xlsx([BATCH_HEADER, *batch_rows(3)])
    response = client.post(
        "/admin/intake/importrun/add/",
        {"file": fixed, "source": round3.pk, "batch_number": 2},
        follow=True,
    )
    page = response.content.decode()
    assert 'id="import-confirm"' in page and "确认导入3行" in page
    run = ImportRun.objects.latest("pk")
    response = client.post(f"/admin/intake/importrun/{run.pk}/confirm/", follow=True)
    page = response.content.decode()
    assert "已导入：新增案件3件，更新0件。" in page
    assert Case.objects.filter(batch__number=2).count() == 3
    original = client.get(f"/admin/intake/importrun/{run.pk}/file/")
    assert b"".join(original.streaming_content) == fixed.getvalue()  # the file as uploaded


def test_the_admin_import_pages_are_for_supervisors(
    today, round3, supervisor, jizhou_officer, client
) -> None:
    run = import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(1)]),
        file_name="b.xlsx",
        source=round3,
    )
    client.force_login(jizhou_officer)
    assert client.get(f"/admin/intake/importrun/{run.pk}/file/").status_code in (403, 404)
    assert client.get("/admin/intake/importrun/add/").status_code in (403, 404)
    assert client.get("/admin/intake/importrun/").status_code == 403


def test_a_large_file_is_written_by_a_worker_with_its_progress_readable(
    today, round3, supervisor, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from intake import services

    monkeypatch.setattr(services, "INLINE_ROWS", 5)
    api = client_for(supervisor)
    f = xlsx([BATCH_HEADER, *batch_rows(8)])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api.post(
            "/api/v1/imports/", {"file": f, "source": round3.pk}, format="multipart"
        )
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["progress"]["percent"]) == ("queued", 0)
    assert Case.objects.count() == 0
    for callback in queued:  # the worker picks it up (eager in tests)
        callback()
    body = api.get(f"/api/v1/imports/{body['id']}/").json()
    assert (body["state"], body["created"], body["progress"]["percent"]) == ("done", 8, 100)


def test_a_failure_while_writing_leaves_nothing_and_says_why(
    today, round3, supervisor, monkeypatch
) -> None:
    from intake import writing

    def broken(cases):  # type: ignore[no-untyped-def]
        raise RuntimeError("redis went away")

    monkeypatch.setattr(writing, "reminders_schedule_new", broken)
    f = xlsx([BATCH_HEADER, *batch_rows(3)])
    body = (
        client_for(supervisor)
        .post("/api/v1/imports/", {"file": f, "source": round3.pk}, format="multipart")
        .json()
    )
    assert body["state"] == "failed"
    assert body["report"]["failure"] == "导入失败，未写入任何数据：RuntimeError: redis went away"
    assert Case.objects.count() == 0
    from cases.models import CaseEvent

    assert CaseEvent.objects.count() == 0


def test_a_city_office_sees_its_colleagues_imports(today, round3, supervisor, jian) -> None:
    from casework.models import Role
    from tests.factories import UserFactory, membership

    colleague = membership(UserFactory(username="colleague"), jian, Role.CITY_SUPERVISOR)
    run = import_check(
        user=colleague, file=xlsx([BATCH_HEADER, *batch_rows(1)]), file_name="b.xlsx", source=round3
    )
    listed = client_for(supervisor).get("/api/v1/imports/").json()["results"]
    assert [r["id"] for r in listed] == [run.pk]


def test_two_imports_of_the_same_file_at_once_write_it_once(today, round3, supervisor) -> None:
    from intake.services import import_confirm

    first = import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(3)]),
        file_name="a.xlsx",
        source=round3,
    )
    second = import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(3)]),
        file_name="b.xlsx",
        source=round3,
    )
    assert import_confirm(run_id=first.pk, user=supervisor).state == ImportState.DONE
    late = import_confirm(run_id=second.pk, user=supervisor)
    # Checked again when confirmed: the numbers are now on the ledger, so nothing is written.
    assert late.state == ImportState.INVALID
    assert Case.objects.count() == 3


def test_a_number_put_on_the_ledger_between_check_and_write_fails_the_import_whole(
    today, round3, supervisor, monkeypatch
) -> None:
    from intake.checking import Checker

    import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(2, start=2)]),
        file_name="a.xlsx",
        source=round3,
        write=True,
    )
    # The race: the check does not see the numbers that another import is writing meanwhile.
    monkeypatch.setattr(Checker, "_check_numbers", lambda self: None)
    run = import_check(
        user=supervisor,
        file=xlsx([BATCH_HEADER, *batch_rows(3)]),
        file_name="b.xlsx",
        source=round3,
        write=True,
    )
    assert run.state == ImportState.FAILED
    assert (
        run.report["failure"] == "导入失败，未写入任何数据：导入期间已有相同受理编号的案件写入台账"
    )
    assert sorted(Case.objects.values_list("acceptance_number", flat=True)) == [
        "D3JX202606100002",
        "D3JX202606100003",
    ]
