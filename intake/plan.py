"""What checking a file produces and writing it consumes: each row as the case it will become
(with its events at their dates, for a history ledger), and every problem by row and column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cases.models import (
    Case,
    PollutionType,
    Source,
    State,
)
from casework.models import ResponsibleUnit
from intake.columns import BY_KEY, Header

PREVIEW_ROWS = 20  # rows shown as they will go on the ledger
# How far through a lifecycle each state is.
ORDER = {s: i for i, s in enumerate(State.values)}


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Step:
    """One event of an imported case's history, at its historical moment."""

    action: str
    at: dt.datetime
    from_state: str = ""
    to_state: str = ""
    deadline_before: dt.date | None = None
    deadline_after: dt.date | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    number: int  # the sheet's row number
    values: dict[str, Any]  # Case fields
    pollution_types: list[PollutionType]
    steps: list[Step] = field(default_factory=list)
    co_units: list[ResponsibleUnit] = field(default_factory=list)  # 配合单位
    existing: Case | None = None  # a case this row updates
    duplicate_of: str = ""  # the acceptance number of its original (a repeat)
    suspected: list[dict[str, Any]] = field(default_factory=list)  # 疑似重复件
    batch_number: int | None = None


@dataclass
class Plan:
    kind: str
    source: Source | None
    header: Header | None = None
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    batch_number: int | None = None
    handed_down_on: dt.date | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def report(self) -> dict[str, Any]:
        suspected = [
            {"row": r.number, "acceptance_number": r.values["acceptance_number"], **s}
            for r in self.rows
            for s in r.suspected
        ]
        return {
            "kind": self.kind,
            "header_row": self.header.row if self.header else None,
            "columns": (
                [
                    BY_KEY[k].name
                    for k in sorted(self.header.positions, key=self.header.positions.get)
                ]
                if self.header
                else []
            ),
            "ignored_columns": self.header.ignored if self.header else [],
            "rows": len(self.rows),
            "to_create": sum(1 for r in self.rows if r.existing is None),
            "to_update": sum(1 for r in self.rows if r.existing is not None),
            "problems": [p.as_dict() for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
            "suspected_repeats": suspected,
            "preview": [self._preview(r) for r in self.rows[:PREVIEW_ROWS]],
        }

    @staticmethod
    def _preview(row: Row) -> dict[str, Any]:
        """A row as it will go on the ledger, for the person confirming."""
        values = row.values
        state = values.get("state") or State.ASSIGNED
        return {
            "row": row.number,
            "acceptance_number": values["acceptance_number"],
            "summary": values["summary"][:60],
            "region": getattr(values.get("region"), "name", ""),
            "unit": getattr(values.get("unit"), "name", ""),
            "pollution_types": "、".join(p.name for p in row.pollution_types),
            "co_units": "、".join(u.name for u in row.co_units),
            "state": str(State(state).label),
            "deadline": values["deadline"].isoformat() if values.get("deadline") else "",
            "update": row.existing is not None,
        }


def moment(day: dt.date, order: int = 0) -> dt.datetime:
    """A historical date as a moment: 09:00 Asia/Shanghai, a second later per step that day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0, order)))
