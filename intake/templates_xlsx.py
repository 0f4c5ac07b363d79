"""The template workbook for each kind of file: the columns with the required ones marked, a
sample row, and a second sheet saying what each column takes."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cases.models import PollutionType
from intake.columns import template_columns
from intake.models import ImportKind

SAMPLES = {
    "acceptance_number": "D3JX202406160001",
    "summary": "群众反映某小区旁餐馆油烟直排，影响周边居民生活。",
    "region": "吉州区",
    "pollution_types": "大气、油烟",
    "is_priority": "否",
    "channel": "来电",
    "source": "第三轮中央生态环境保护督察",
    "batch": "第1批",
    "assigned_on": "2024-06-16",
    "state": "已销号",
    "outcome": "办结",
    "concluded_on": "2024-06-22",
    "verified_on": "2024-07-10",
    "closed_on": "2024-07-25",
    "investigation": "经现场核查，反映情况属实。",
    "truth_finding": "属实",
    "account": "已责令安装油烟净化设施并规范排放。",
}


def template_workbook(kind: str) -> bytes:
    columns = template_columns(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = "交办清单" if kind == ImportKind.BATCH else "历史台账"
    bold, red = Font(bold=True), Font(bold=True, color="C00000")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(
            row=1, column=index, value=("*" if kind in column.required else "") + column.name
        )
        cell.font = red if kind in column.required else bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.cell(row=2, column=index, value=SAMPLES.get(column.key, ""))
        sheet.column_dimensions[get_column_letter(index)].width = (
            40
            if column.key
            in (
                "summary",
                "investigation",
                "account",
            )
            else 16
        )
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "其他写法", "说明"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append(
            [
                column.name,
                "必填" if kind in column.required else "选填",
                "、".join(column.synonyms),
                column.note,
            ]
        )
    notes.append([])
    notes.append(
        ["污染类型可选", "", "", "、".join(PollutionType.objects.values_list("name", flat=True))]
    )
    notes.append(["状态可选", "", "", "已交办、整改中、待验收、已验收(公示中)、已销号"])
    notes.append(["日期写法", "", "", "2024-05-16、2024/5/16、2024年5月16日 或 Excel 日期"])
    for letter, width in zip("ABCD", (18, 10, 36, 60), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
