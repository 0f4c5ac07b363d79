"""The ledger and a batch's public disclosure table as Excel workbooks (openpyxl write-only mode,
rows streamed from the database in chunks, the file spooled to disk past a few megabytes)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cases.handling import handling_text
from cases.models import OPEN_STATES, Batch, Case, FeedbackOutcome, ProgressReport, State
from casework import workdays
from casework.spreadsheets import safe_cell

CHUNK = 2000


def status_text(case: Case) -> str:
    """The status words reports use: 正在办理, 阶段性办结, 已办结, 已销号."""
    if case.state == State.CLOSED:
        return "已销号"
    if case.state == State.VERIFIED or (
        case.state == State.SUBMITTED and case.feedback_outcome == FeedbackOutcome.CONCLUDED
    ):
        return "已办结"  # as supervision.reports.CONCLUDED counts it
    if case.stage_concluded_at is not None:
        return "阶段性办结"
    return "正在办理"


def accountability_text(case: Case) -> str:
    """责任人被处理情况: the unit's account, then the counts ("约谈1人次，问责2人次")."""
    parts = [("约谈", case.people_summoned), ("问责", case.people_held_accountable)]
    counts = "，".join(f"{label}{value}人次" for label, value in parts if value)
    return "\n".join(x for x in (case.accountability_account, counts) if x)


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


Column = tuple[str, Callable[[Case], Any]]

# The ledger's columns in the order of the real ledger (see the domain brief).
LEDGER_COLUMNS: list[Column] = [
    ("受理编号", lambda c: c.acceptance_number),
    ("交办问题基本情况", lambda c: c.summary),
    ("行政区域", lambda c: c.region.name),
    ("污染类型", lambda c: "、".join(p.name for p in c.pollution_types.all())),
    ("调查核实情况", lambda c: c.investigation),
    ("是否属实", lambda c: c.get_truth_finding_display() if c.truth_finding else ""),
    (
        "整改目标及措施",
        lambda c: "\n".join(x for x in (c.rectification_goal, c.rectification_measures) if x),
    ),
    ("处理情况", lambda c: "\n".join(x for x in (c.rectification_account, handling_text(c)) if x)),
    ("办结状态", status_text),
    ("是否重点件", lambda c: "是" if c.is_priority else "否"),
    ("牵头责任单位", lambda c: c.unit.name),
    ("配合单位", lambda c: "、".join(u.name for u in c.co_units.all())),
    ("挂钩领导", lambda c: c.responsible_leader),
    ("联络人", lambda c: c.contact_person),
    ("联系电话", lambda c: c.contact_phone),
    ("是否重复", lambda c: "是" if c.duplicate_of_id else "否"),
    ("重复关联件编号", lambda c: c.duplicate_of.acceptance_number if c.duplicate_of_id else ""),
    ("轮次", lambda c: c.source.name),
    ("批次", lambda c: f"第{c.batch.number}批" if c.batch_id else ""),
    ("经度", lambda c: float(c.longitude) if c.longitude is not None else None),
    ("纬度", lambda c: float(c.latitude) if c.latitude is not None else None),
    ("问题类别", lambda c: c.get_kind_display()),
    ("交办日期", lambda c: c.assigned_on),
    # A date counted on a provisional year is written as text with its mark: "2027-01-29（暂定）".
    (
        "办理时限",
        lambda c: workdays.date_label(c.deadline, True) if c.deadline_provisional else c.deadline,
    ),
    ("反馈时限", lambda c: c.feedback_deadline),
    ("办理结果", lambda c: c.get_feedback_outcome_display()),
    ("整改时限", lambda c: c.rectification_deadline),
    ("办理状态", lambda c: c.get_state_display()),
    ("责令改正（家）", lambda c: c.ordered_to_correct),
    ("立案处罚（家）", lambda c: c.penalty_cases),
    ("罚款金额（万元）", lambda c: float(c.fines_10k_yuan)),
    ("约谈（人次）", lambda c: c.people_summoned),
    ("问责（人次）", lambda c: c.people_held_accountable),
    # When each step was taken, so that the ledger re-imports as a history ledger (intake).
    ("反馈日期", lambda c: _day(c.fed_back_at)),
    ("办结日期", lambda c: _day(c.submitted_at)),
    ("验收日期", lambda c: _day(c.verified_at)),
    ("销号日期", lambda c: _day(c.closed_at)),
    ("责任人被处理情况", lambda c: c.accountability_account),
    ("来电/来信", lambda c: c.get_channel_display() if c.channel else ""),
    ("地址", lambda c: c.address),
]

# 群众信访举报转办和边督边改公开情况一览表
DISCLOSURE_COLUMNS: list[Column] = [
    ("受理编号", lambda c: c.acceptance_number),
    ("交办问题基本情况", lambda c: c.summary),
    ("行政区域", lambda c: c.region.name),
    ("污染类型", lambda c: "、".join(p.name for p in c.pollution_types.all())),
    ("调查核实情况", lambda c: c.investigation),
    ("是否属实", lambda c: c.get_truth_finding_display() if c.truth_finding else ""),
    (
        "处理和整改情况",
        lambda c: "\n".join(x for x in (c.rectification_account, handling_text(c)) if x),
    ),
    ("责任人被处理情况", accountability_text),
    ("办结状态", status_text),
]


def _rows(cases: QuerySet[Case]) -> Iterable[Case]:
    return (
        cases.select_related("region", "unit", "source", "batch", "duplicate_of")
        .prefetch_related("pollution_types", "co_units")
        .iterator(chunk_size=CHUNK)
    )


# Column widths in characters by header (others: 12); the long texts wrap.
WIDTHS = {
    "序号": 6,
    "受理编号": 20,
    "交办问题基本情况": 40,
    "调查核实情况": 36,
    "整改目标及措施": 30,
    "处理情况": 36,
    "处理和整改情况": 40,
    "责任人被处理情况": 24,
    "牵头责任单位": 18,
    "配合单位": 18,
    "轮次": 22,
    "地址": 24,
    "最近进展": 30,
}
WRAP_FROM = 24  # characters: wider columns wrap their text
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAPPED = Alignment(wrap_text=True, vertical="top")


def workbook(
    cases: QuerySet[Case],
    columns: list[Column],
    title: str,
    heading: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> IO[bytes]:
    """The cases as a workbook ready to print (``table_workbook``), one row each; ``progress``
    hears the number of rows written every ``CHUNK`` rows."""
    rows = table_rows(cases, columns)
    if progress is not None:
        rows = _counted(rows, progress)
    return table_workbook([c[0] for c in columns], rows, title, heading)


def _counted(rows: Iterator[list[Any]], progress: Callable[[int], None]) -> Iterator[list[Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % CHUNK == 0:
            progress(done)
    progress(done)


def _days_overdue(case: Case) -> int | None:
    if case.state not in OPEN_STATES or case.duplicate_of_id is not None:
        return None
    return max(case.calendar_days_overdue(), 0)


# What the case list's export adds to the ledger: how late, and the last progress report.
LIST_COLUMNS = [
    *LEDGER_COLUMNS,
    ("逾期天数（自然日）", _days_overdue),
    ("最近进展", lambda c: getattr(c, "last_progress_text", None) or ""),
]


def list_ledger(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The case list's cases as its export writes them: with the last progress report, in the
    ledger's order (source, date assigned)."""
    last = ProgressReport.objects.filter(case=OuterRef("pk")).order_by("-reported_at")
    cases = cases.annotate(last_progress_text=Subquery(last.values("text")[:1]))
    return cases.order_by("source", "assigned_on", "id")


def table_rows(cases: QuerySet[Case], columns: list[Column]) -> Iterator[list[Any]]:
    """Each case's values under ``columns``, streamed in chunks."""
    return ([getter(case) for _, getter in columns] for case in _rows(cases))


def disclosure_heading(batch: Batch) -> str:
    return f"{batch.source.name}第{batch.number}批群众信访举报转办和边督边改公开情况一览表"


def table_workbook(
    names: list[str], rows: Iterable[list[Any]], title: str, heading: str | None = None
) -> IO[bytes]:
    """Write the rows into a workbook ready to print; returns the file, at its start.

    A 序号 column comes first. The header is bold, frozen and filtered; columns have widths and
    long texts wrap; a heading is centred across the table (Excel's "centre across selection":
    a merge is not possible in write-only mode, and reads the same); pages are landscape, one
    page wide, the header repeated on each. Every value passes ``safe_cell``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    names = ["序号", *names]
    wrapped = set()
    for number, name in enumerate(names, start=1):
        letter = get_column_letter(number)
        width = WIDTHS.get(name, 12)
        sheet.column_dimensions[letter].width = width
        if width >= WRAP_FROM:
            wrapped.add(number - 1)
    header_row = 2 if heading else 1
    sheet.freeze_panes = f"B{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if heading:
        first = safe_cell(sheet, heading)
        if not isinstance(first, Cell):
            first = WriteOnlyCell(sheet, value=first)
        first.font = TITLE_FONT
        first.alignment = Alignment(horizontal="centerContinuous", vertical="center")
        rest = []
        for _ in names[1:]:
            cell = WriteOnlyCell(sheet, value=None)
            cell.alignment = Alignment(horizontal="centerContinuous")
            rest.append(cell)
        sheet.append([first, *rest])
    bold = Font(bold=True)
    header = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, row in enumerate(rows, start=1):
        values = [count, *[safe_cell(sheet, value) for value in row]]
        for index in wrapped:
            value = values[index]
            if isinstance(value, str) and value:
                cell = WriteOnlyCell(sheet, value=value)
                cell.alignment = WRAPPED
                values[index] = cell
            elif isinstance(value, Cell):
                value.alignment = WRAPPED
        sheet.append(values)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(names))}{header_row + count}"
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    book.save(output)
    output.seek(0)
    return output
