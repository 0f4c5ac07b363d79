"""The ledger and a batch's public disclosure table as Excel workbooks (``casework.xlsx``: rows
streamed from the database in chunks into the sheet, the file spooled to disk past a few
megabytes)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery

from cases.handling import handling_text
from cases.models import OPEN_STATES, Batch, Case, FeedbackOutcome, ProgressReport, State
from cases.rows import case_rows
from cases.selectors import joined
from casework import clock, workdays
from casework.choices import choice_labels, label_in
from casework.xlsx import table_write

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


class Label:
    """A column of a choice field's label (``casework.choices``), as ``get_<field>_display()``
    says it: ``table_rows`` binds it to the active language's labels once per export."""

    def __init__(self, field: str) -> None:
        self.field = field

    def bound(self) -> Callable[[Any], str]:
        labels, field = choice_labels(Case, self.field), self.field
        return lambda case: label_in(labels, getattr(case, field))


Column = tuple[str, Callable[[Any], Any] | Label]  # reads a ``cases.rows.CaseRow``

# The ledger's columns in the order of the real ledger (see the domain brief).
LEDGER_COLUMNS: list[Column] = [
    ("受理编号", lambda c: c.acceptance_number),
    ("交办问题基本情况", lambda c: c.summary),
    ("行政区域", lambda c: c.region.name),
    ("污染类型", lambda c: c.pollution_names or ""),
    ("调查核实情况", lambda c: c.investigation),
    ("是否属实", Label("truth_finding")),
    (
        "整改目标及措施",
        lambda c: "\n".join(x for x in (c.rectification_goal, c.rectification_measures) if x),
    ),
    ("处理情况", lambda c: "\n".join(x for x in (c.rectification_account, handling_text(c)) if x)),
    ("办结状态", status_text),
    ("是否重点件", lambda c: "是" if c.is_priority else "否"),
    ("牵头责任单位", lambda c: c.unit.name),
    ("配合单位", lambda c: c.co_unit_names or ""),
    ("挂钩领导", lambda c: c.responsible_leader),
    ("联络人", lambda c: c.contact_person),
    ("联系电话", lambda c: c.contact_phone),
    ("是否重复", lambda c: "是" if c.duplicate_of_id else "否"),
    ("重复关联件编号", lambda c: c.duplicate_of.acceptance_number if c.duplicate_of_id else ""),
    ("轮次", lambda c: c.source.name),
    ("批次", lambda c: f"第{c.batch.number}批" if c.batch_id else ""),
    ("经度", lambda c: float(c.longitude) if c.longitude is not None else None),
    ("纬度", lambda c: float(c.latitude) if c.latitude is not None else None),
    ("问题类别", Label("kind")),
    ("交办日期", lambda c: c.assigned_on),
    # A date counted on a provisional year is written as text with its mark: "2027-01-29（暂定）".
    (
        "办理时限",
        lambda c: workdays.date_label(c.deadline, True) if c.deadline_provisional else c.deadline,
    ),
    ("反馈时限", lambda c: c.feedback_deadline),
    ("办理结果", Label("feedback_outcome")),
    ("整改时限", lambda c: c.rectification_deadline),
    ("办理状态", Label("state")),
    ("责令改正（家）", lambda c: c.ordered_to_correct),
    ("立案处罚（家）", lambda c: c.penalty_cases),
    ("罚款金额（万元）", lambda c: float(c.fines_10k_yuan)),
    ("约谈（人次）", lambda c: c.people_summoned),
    ("问责（人次）", lambda c: c.people_held_accountable),
    # When each step was taken, so that the ledger re-imports as a history ledger (intake).
    ("反馈日期", lambda c: c.fed_back_on),
    ("办结日期", lambda c: c.submitted_on),
    ("验收日期", lambda c: c.verified_on),
    ("销号日期", lambda c: c.closed_on),
    ("责任人被处理情况", lambda c: c.accountability_account),
    ("来电/来信", Label("channel")),
    ("地址", lambda c: c.address),
]

# 群众信访举报转办和边督边改公开情况一览表
DISCLOSURE_COLUMNS: list[Column] = [
    ("受理编号", lambda c: c.acceptance_number),
    ("交办问题基本情况", lambda c: c.summary),
    ("行政区域", lambda c: c.region.name),
    ("污染类型", lambda c: c.pollution_names or ""),
    ("调查核实情况", lambda c: c.investigation),
    ("是否属实", Label("truth_finding")),
    (
        "处理和整改情况",
        lambda c: "\n".join(x for x in (c.rectification_account, handling_text(c)) if x),
    ),
    ("责任人被处理情况", accountability_text),
    ("办结状态", status_text),
]


# The columns read the cases as rows (``cases.rows``: values, not model instances, with
# ``row.region.name`` and the like), their pollution types and co-operating units joined in
# the same query as one text each ("废水、废气"): building Case instances was a third of an
# export's time, and fetching the names per chunk another fifth.
RELATED = (
    "region__name",
    "unit__name",
    "source__name",
    "batch__number",
    "duplicate_of__acceptance_number",
)


# The days the steps were taken, in the city's calendar (``clock.city_date``'s rule), read as
# dates in SQL: a moment costs ~3 µs to load (Django's loader is psycopg's Python one), a date
# a tenth of that; four moments a row were a sixth of an export's time.
STEP_DAYS = {
    "fed_back_on": "fed_back_at",
    "submitted_on": "submitted_at",
    "verified_on": "verified_at",
    "closed_on": "closed_at",
}


# What no column reads, left unread (a moment costs more to read than a date); the
# complainant's name and phone are never exported.
NOT_READ = {
    "complainant_name",
    "complainant_phone",
    "verification_conclusion",
    "started_at",
    "notice_starts_on",
    "notice_ends_on",
    "notice_ends_provisional",
    "reopen_count",
    "version",
    "created_at",
    "updated_at",
    *STEP_DAYS.values(),
}


def _rows(cases: QuerySet[Case]) -> Iterator[Any]:
    """The cases as rows (above), read in chunks."""
    cases = cases.annotate(
        pollution_names=joined("pollution_names", "、"),
        co_unit_names=joined("co_unit_names", "、"),
        **{day: clock.city_date_of(moment) for day, moment in STEP_DAYS.items()},
    )
    fields = [f.attname for f in Case._meta.concrete_fields if f.attname not in NOT_READ]
    rows = case_rows(cases, *fields, *RELATED, *cases.query.annotation_select)
    return rows.iterator(chunk_size=CHUNK)


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


def _days_overdue(case: Any) -> int | None:
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
    getters = [getter.bound() if isinstance(getter, Label) else getter for _, getter in columns]
    return ([getter(case) for getter in getters] for case in _rows(cases))


def disclosure_heading(batch: Batch) -> str:
    return f"{batch.source.name}第{batch.number}批群众信访举报转办和边督边改公开情况一览表"


def table_workbook(
    names: list[str], rows: Iterable[list[Any]], title: str, heading: str | None = None
) -> IO[bytes]:
    """Write the rows into a workbook ready to print (``casework.xlsx``); returns the file, at
    its start. A 序号 column comes first; columns have widths and the long ones wrap."""
    names = ["序号", *names]
    widths = [WIDTHS.get(name, 12) for name in names]
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    table_write(
        output,
        title=title,
        names=names,
        rows=([number, *row] for number, row in enumerate(rows, start=1)),
        widths=widths,
        wrapped={n for n, width in enumerate(widths) if width >= WRAP_FROM},
        heading=heading,
    )
    output.seek(0)
    return output
