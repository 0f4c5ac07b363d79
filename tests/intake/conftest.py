from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook

from cases.models import Source
from tests.factories import source

BATCH_HEADER = [
    "序号",
    "受理编号",
    "交办问题基本情况",
    "行政区域",
    "污染类型",
    "是否重点件",
    "来电/来信",
]
# The day the tests import on: a Wednesday; the batch was handed down two days before.
TODAY = dt.date(2026, 6, 10)


@pytest.fixture
def today() -> Iterator[dt.date]:
    with time_machine.travel(
        dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield TODAY


@pytest.fixture
def round3(reference: None) -> Source:
    """An on-site round: feedback due 7 calendar days after a batch is handed down."""
    return source("第三轮中央生态环境保护督察", report_days=7, report_in_working_days=False)


def xlsx(rows: Sequence[Sequence[Any]], *, title: str | None = None) -> io.BytesIO:
    """A workbook as an inspection team's file: an optional merged title row, then the rows."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "batch.xlsx"
    return out


def csv_file(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    out = io.BytesIO(text.getvalue().encode(encoding))
    out.name = "batch.csv"
    return out


def batch_rows(count: int, *, start: int = 1, region: str = "吉州区") -> list[list[Any]]:
    places = [
        "城南工业园",
        "白鹭洲路",
        "井冈山大道",
        "螺子山",
        "禾埠桥",
        "长塘镇",
        "兴桥镇",
        "樟山镇",
    ]
    smells = [
        "油烟扰民",
        "夜间施工噪声",
        "河道黑臭",
        "垃圾焚烧",
        "粉尘污染",
        "养殖场臭味",
        "污水直排",
        "砂场破坏植被",
    ]
    return [
        [
            n,
            f"D3JX2026061{n:05d}",
            f"群众反映{region}{places[n % len(places)]}{n}号附近{smells[(n // 8) % len(smells)]}，"
            f"影响周边{n % 50 + 3}户居民生活。",
            region,
            ["大气", "水", "噪声", "土壤、水"][n % 4],
            "是" if n % 5 == 0 else "否",
            "来电" if n % 2 else "来信",
        ]
        for n in range(start, start + count)
    ]
