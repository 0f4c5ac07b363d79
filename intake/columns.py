"""The columns an import understands, and finding them by the header names real files write.

A header is matched after normalising it (full-width to half-width, spaces, line breaks and the
template's "*" removed), against the column's name and its synonyms. Columns in any order; extra
columns are ignored and listed in the report; a title row (often merged) above the header is
skipped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from intake.models import ImportKind


@dataclass(frozen=True)
class Column:
    key: str
    name: str  # as the template and the report write it
    synonyms: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # the kinds of file that must have it
    history_only: bool = False
    note: str = ""  # what the template says of it


BOTH = (ImportKind.BATCH, ImportKind.HISTORY)
HISTORY = (ImportKind.HISTORY,)

COLUMNS: tuple[Column, ...] = (
    Column("acceptance_number", "受理编号", ("编号", "信访编号", "交办编号", "问题编号"), BOTH),
    Column(
        "summary",
        "交办问题基本情况",
        ("问题概要", "问题基本情况", "反映问题", "反映情况", "信访内容", "举报内容", "问题描述"),
        BOTH,
    ),
    Column("region", "行政区域", ("区县", "所属区域", "所属区县", "县(市、区)", "县市区"), BOTH),
    Column("pollution_types", "污染类型", ("污染类别", "污染类型(大类)"), BOTH),
    Column("is_priority", "是否重点件", ("重点件", "是否重点"), note="是/否，空白为否"),
    Column("channel", "来电/来信", ("来电来信", "举报方式", "来源方式", "信访方式")),
    Column(
        "unit",
        "牵头责任单位",
        ("责任单位", "牵头单位"),
        note="空白时为所在区县人民政府（管委会）",
    ),
    Column(
        "co_units",
        "配合单位",
        ("配合责任单位", "协办单位", "配合部门"),
        note="可空；多个单位以“、”分隔，其所在区县可查看并报送进展",
    ),
    Column(
        "kind",
        "问题类别",
        ("类别",),
        history_only=True,
        note="督察反馈问题 / 交办信访件，空白为交办信访件",
    ),
    Column("address", "地址", ("问题地址", "详细地址", "所在地址")),
    Column("longitude", "经度"),
    Column("latitude", "纬度"),
    Column("responsible_leader", "挂钩领导", ("责任领导", "包案领导")),
    Column("contact_person", "联络人", ("联系人",)),
    Column("contact_phone", "联系电话", ("联系方式",)),
    # A history ledger: what happened, and when.
    Column("source", "轮次", ("督察轮次", "来源"), history_only=True, note="空白时为导入所选轮次"),
    Column("batch", "批次", ("交办批次",), history_only=True, note="如“第3批”"),
    Column("assigned_on", "交办日期", ("交办时间",), HISTORY, history_only=True),
    Column("state", "状态", ("办理状态", "当前状态"), HISTORY, history_only=True),
    Column(
        "outcome", "办理结果", ("反馈结果",), history_only=True, note="办结 / 阶段性办结 / 正在办理"
    ),
    Column(
        "status_words",
        "办结状态",
        history_only=True,
        note="已销号 / 已办结 / 阶段性办结 / 正在办理",
    ),
    Column("deadline", "办理时限", ("时限", "整改期限"), history_only=True),
    Column("feedback_deadline", "反馈时限", history_only=True),
    Column("rectification_deadline", "整改时限", history_only=True),
    Column("fed_back_on", "反馈日期", ("反馈时间",), history_only=True),
    Column("concluded_on", "办结日期", ("办结时间", "申请验收日期"), history_only=True),
    Column("verified_on", "验收日期", ("验收时间",), history_only=True),
    Column("closed_on", "销号日期", ("销号时间",), history_only=True),
    Column("investigation", "调查核实情况", ("核查情况", "调查核实结果"), history_only=True),
    Column("truth_finding", "是否属实", ("属实情况",), history_only=True),
    Column("measures", "整改目标及措施", ("整改措施", "整改目标和措施"), history_only=True),
    Column("account", "处理和整改情况", ("处理情况", "整改情况"), history_only=True),
    Column("accountability", "责任人被处理情况", ("问责情况",), history_only=True),
    Column("duplicate_of", "重复关联件编号", ("重复件编号", "原件编号"), history_only=True),
    Column("ordered_to_correct", "责令改正（家）", ("责令改正",), history_only=True),
    Column("penalty_cases", "立案处罚（家）", ("立案处罚",), history_only=True),
    Column("fines_10k_yuan", "罚款金额（万元）", ("罚款金额", "罚款(万元)"), history_only=True),
    Column("people_summoned", "约谈（人次）", ("约谈",), history_only=True),
    Column("people_held_accountable", "问责（人次）", ("问责",), history_only=True),
)
BY_KEY = {c.key: c for c in COLUMNS}


def normalise(text: object) -> str:
    """A header as compared: NFKC (full-width letters and brackets to half-width), no spaces,
    line breaks or "*", lower case."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]+", "", value).lower()


_LOOKUP: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.name, *_column.synonyms):
        _LOOKUP.setdefault(normalise(_name), _column.key)
_IGNORED_QUIETLY = {normalise(n) for n in ("序号", "是否重复")}


@dataclass
class Header:
    row: int  # the sheet's row number of the header (1-based)
    positions: dict[str, int]  # column key → index in the row
    ignored: list[str]  # headers not understood, as written
    repeated: list[str]  # columns named twice (the first is read)


def header_match(cells: Sequence[object]) -> tuple[dict[str, int], list[str], list[str]]:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        text = normalise(cell)
        if not text:
            continue
        key = _LOOKUP.get(text)
        if key is None:
            if text not in _IGNORED_QUIETLY:
                ignored.append(re.sub(r"\s+", "", str(cell)))
        elif key in positions:
            repeated.append(BY_KEY[key].name)
        else:
            positions[key] = index
    return positions, ignored, repeated


def header_find(rows: Sequence[Sequence[object]]) -> Header | None:
    """The header among the first rows: the first row naming at least two known columns,
    of them the summary or the acceptance number."""
    for number, cells in enumerate(rows, start=1):
        positions, ignored, repeated = header_match(cells)
        if len(positions) >= 2 and ({"summary", "acceptance_number"} & positions.keys()):
            return Header(number, positions, ignored, repeated)
    return None


def kind_guess(header: Header) -> str:
    """A file with a state column is a history ledger; otherwise a batch."""
    return ImportKind.HISTORY if "state" in header.positions else ImportKind.BATCH


def template_columns(kind: str) -> list[Column]:
    return [c for c in COLUMNS if kind == ImportKind.HISTORY or not c.history_only]
