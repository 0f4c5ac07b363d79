"""A history ledger's row (earlier rounds): the case as it stands, and the events that brought it
there, rebuilt the way the services would have written them, at their real dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from cases.handling import handling_parse
from cases.models import (
    CaseKind,
    FeedbackOutcome,
    Source,
    State,
)
from casework import workdays
from intake import values as read
from intake.columns import BY_KEY
from intake.plan import ORDER, Plan, Problem, Row, Step, moment


class HistoryRows:
    """The part of the checker (``intake.checking.Checker``) that reads a history ledger's
    lifecycle columns; the checker supplies the plan, today and a petition's feedback deadline."""

    plan: Plan
    today: dt.date
    _petition_deadline: Callable[..., dt.date | None]

    # --- a history ledger's row: the case as it stands, and the events that brought it there ---
    def _history(
        self,
        row: Row,
        cell: Callable[[str], Any],
        get: Callable[..., Any],
        errors: list[Problem],
    ) -> None:
        values, number = row.values, row.number
        kind = CaseKind.PETITION
        if read.text(cell("kind")):
            kind = get("kind", read.choice, read.KINDS, "督察反馈问题、交办信访件") or kind
        values["kind"] = kind
        state = None
        if not read.text(cell("state")):
            errors.append(Problem(number, BY_KEY["state"].name, _("This column is required.")))
        else:
            state = get("state", read.choice, read.STATES, "已交办、整改中、待验收、已验收、已销号")
        dates = {
            key: get(key, read.date)
            for key in (
                "assigned_on",
                "fed_back_on",
                "concluded_on",
                "verified_on",
                "closed_on",
                "deadline",
                "feedback_deadline",
                "rectification_deadline",
            )
        }
        if dates["assigned_on"] is None and not read.text(cell("assigned_on")):
            errors.append(
                Problem(number, BY_KEY["assigned_on"].name, _("This column is required."))
            )
        values["investigation"] = read.text(cell("investigation"))
        if read.text(cell("truth_finding")):
            values["truth_finding"] = get(
                "truth_finding", read.choice, read.TRUTH, "属实、基本属实、部分属实、不属实"
            )
        values["rectification_measures"] = read.text(cell("measures"))
        self._account(values, read.text(cell("account")))
        values["accountability_account"] = read.text(cell("accountability"))
        for key in (
            "ordered_to_correct",
            "penalty_cases",
            "people_summoned",
            "people_held_accountable",
        ):
            if read.text(cell(key)):
                count = get(key, read.count)
                if count is not None:
                    values[key] = count
        if read.text(cell("fines_10k_yuan")):
            fines = get("fines_10k_yuan", read.amount)
            if fines is not None:
                values["fines_10k_yuan"] = fines
        outcome = ""
        if read.text(cell("outcome")):
            outcome = get("outcome", read.choice, read.OUTCOMES, "办结、阶段性办结、正在办理") or ""
        elif read.text(cell("status_words")) and kind == CaseKind.PETITION:
            outcome = (
                get(
                    "status_words",
                    read.choice,
                    read.STATUS_WORDS,
                    "已销号、已办结、阶段性办结、正在办理",
                )
                or ""
            )
        batch = read.text(cell("batch"))
        if batch:
            digits = "".join(ch for ch in read.key(batch) if ch.isdigit())
            if digits and 0 < int(digits) < 100000:
                row.batch_number = int(digits)
            else:
                errors.append(
                    Problem(number, BY_KEY["batch"].name, _("Write the batch as 第3批 or 3."))
                )
        row.duplicate_of = read.text(cell("duplicate_of"))
        date_columns = {BY_KEY[k].name for k in dates}
        if (
            any(p.column in date_columns for p in errors)
            or state is None
            or dates["assigned_on"] is None
            or values["source"] is None
        ):
            return
        self._lifecycle(row, state, outcome, dates, errors)

    @staticmethod
    def _account(values: dict[str, Any], account: str) -> None:
        """处理和整改情况 as the ledger export writes it: the unit's account, then a line of
        the handling counts (责令改正3家，罚款12.5万元); the counts go back to their fields."""
        text, counts = handling_parse(account)
        values["rectification_account"] = text
        values.update(counts)

    def _lifecycle(
        self,
        row: Row,
        state: str,
        outcome: str,
        dates: dict[str, dt.date | None],
        errors: list[Problem],
    ) -> None:
        values, number = row.values, row.number
        source: Source = values["source"]
        petition = values["kind"] == CaseKind.PETITION
        assigned: dt.date = dates["assigned_on"]  # type: ignore[assignment]
        reached = ORDER[state]
        # Which dates this state needs, and which it cannot have.
        needs = [
            ("concluded_on", ORDER[State.SUBMITTED]),
            ("verified_on", ORDER[State.VERIFIED]),
            ("closed_on", ORDER[State.CLOSED]),
        ]
        later: dt.date | None = None
        for key, from_order in reversed(needs):
            if reached < from_order and dates[key] is not None:
                errors.append(
                    Problem(
                        number,
                        BY_KEY[key].name,
                        _("The state is %(state)s: a case in it has no %(column)s.")
                        % {"state": State(state).label, "column": BY_KEY[key].name},
                    )
                )
            elif reached >= from_order and dates[key] is None:
                if later is None:
                    errors.append(
                        Problem(
                            number,
                            BY_KEY[key].name,
                            _("A case %(state)s needs this date.") % {"state": State(state).label},
                        )
                    )
                else:
                    dates[key] = later
                    self.plan.warnings.append(
                        Problem(
                            number,
                            BY_KEY[key].name,
                            _("Missing: the later date %(date)s is taken.") % {"date": later},
                        )
                    )
            later = dates[key] or later
        if petition and outcome == "" and reached >= ORDER[State.SUBMITTED]:
            outcome = FeedbackOutcome.CONCLUDED
        if not petition and outcome:
            errors.append(
                Problem(number, BY_KEY["outcome"].name, _("A finding has no feedback outcome."))
            )
            return
        if (
            outcome in (FeedbackOutcome.STAGE, FeedbackOutcome.IN_PROGRESS)
            and state == State.ASSIGNED
        ):
            errors.append(
                Problem(
                    number,
                    BY_KEY["state"].name,
                    _("A petition fed back as %(outcome)s is rectifying or beyond, not assigned.")
                    % {"outcome": FeedbackOutcome(outcome).label},
                )
            )
        if outcome == FeedbackOutcome.CONCLUDED and reached < ORDER[State.SUBMITTED]:
            errors.append(
                Problem(
                    number,
                    BY_KEY["state"].name,
                    _("A petition concluded (办结) is awaiting verification or beyond."),
                )
            )
        # The deadlines: the feedback's from the source's rule unless the file gives it.
        feedback_deadline = None
        if petition:
            feedback_deadline = dates["feedback_deadline"] or self._petition_deadline(
                values, source, assigned, number, errors
            )
        rectification = dates["rectification_deadline"]
        if not petition and rectification is None:
            rectification = dates["deadline"]
            if rectification is None:
                errors.append(
                    Problem(
                        number,
                        BY_KEY["rectification_deadline"].name,
                        _("A finding needs the deadline of its rectification plan."),
                    )
                )
        if outcome == FeedbackOutcome.STAGE and rectification is None:
            errors.append(
                Problem(
                    number,
                    BY_KEY["rectification_deadline"].name,
                    _("A stage conclusion needs its rectification deadline (整改时限)."),
                )
            )
        # The dates in the order things happen, none in the future.
        fed_back = dates["fed_back_on"]
        if outcome in (FeedbackOutcome.STAGE, FeedbackOutcome.IN_PROGRESS) and fed_back is None:
            fed_back = min(d for d in (feedback_deadline, dates["concluded_on"], self.today) if d)
            fed_back = max(fed_back, assigned)
            self.plan.warnings.append(
                Problem(
                    number,
                    BY_KEY["fed_back_on"].name,
                    _("Missing: the feedback deadline %(date)s is taken.") % {"date": fed_back},
                )
            )
        if outcome == FeedbackOutcome.CONCLUDED:
            fed_back = fed_back or dates["concluded_on"]
        sequence = [
            ("assigned_on", assigned),
            ("fed_back_on", dates["fed_back_on"]),  # checked when given, not when derived
            ("concluded_on", dates["concluded_on"]),
            ("verified_on", dates["verified_on"]),
            ("closed_on", dates["closed_on"]),
        ]
        previous = None
        for key, day in sequence:
            if day is None:
                continue
            if day > self.today:
                errors.append(
                    Problem(number, BY_KEY[key].name, _("The date cannot be in the future."))
                )
            if previous is not None and day < previous[1]:
                errors.append(
                    Problem(
                        number,
                        BY_KEY[key].name,
                        _("%(date)s is earlier than %(column)s (%(earlier)s).")
                        % {"date": day, "column": BY_KEY[previous[0]].name, "earlier": previous[1]},
                    )
                )
            previous = (key, day)
        if errors:
            return
        self._steps(
            row, state, outcome, assigned, fed_back, feedback_deadline, rectification, dates
        )

    def _steps(
        self,
        row: Row,
        state: str,
        outcome: str,
        assigned: dt.date,
        fed_back: dt.date | None,
        feedback_deadline: dt.date | None,
        rectification: dt.date | None,
        dates: dict[str, dt.date | None],
    ) -> None:
        """The case's fields as it stands and its events at their dates, written the way the
        services write them (the same actions, states and deadline moves)."""
        values = row.values
        source: Source = values["source"]
        petition = values["kind"] == CaseKind.PETITION
        reached = ORDER[state]
        values["feedback_outcome"] = outcome
        values["feedback_deadline"] = feedback_deadline
        values["rectification_deadline"] = rectification
        first = feedback_deadline if petition else rectification
        values["assigned_on"] = assigned
        steps = row.steps
        steps.append(
            Step(
                "create",
                moment(assigned),
                to_state=State.ASSIGNED,
                deadline_after=first,
                data={"deadline": first.isoformat() if first else None},
            )
        )
        current_state, deadline = State.ASSIGNED, first
        if petition and outcome in (FeedbackOutcome.STAGE, FeedbackOutcome.IN_PROGRESS):
            until = (
                rectification if outcome == FeedbackOutcome.STAGE else (dates["deadline"] or first)
            )
            at = moment(fed_back, 1)  # type: ignore[arg-type]
            steps.append(
                Step(
                    "feedback",
                    at,
                    current_state,
                    State.RECTIFYING,
                    deadline,
                    until,
                    {"outcome": outcome, "late": bool(first and fed_back > first)},  # type: ignore[operator]
                )
            )
            values["fed_back_at"] = values["started_at"] = at
            if outcome == FeedbackOutcome.STAGE:
                values["stage_concluded_at"] = at
            current_state, deadline = State.RECTIFYING, until
        elif reached >= ORDER[State.RECTIFYING] and not (
            petition
            and outcome == FeedbackOutcome.CONCLUDED
            and current_state == State.ASSIGNED
            and reached >= ORDER[State.SUBMITTED]
        ):
            at = moment(assigned, 1)
            steps.append(Step("start", at, current_state, State.RECTIFYING))
            values["started_at"] = at
            current_state = State.RECTIFYING
        if reached >= ORDER[State.SUBMITTED]:
            at = moment(dates["concluded_on"], 2)  # type: ignore[arg-type]
            if petition and current_state == State.ASSIGNED:
                steps.append(
                    Step(
                        "feedback",
                        at,
                        current_state,
                        State.SUBMITTED,
                        data={"outcome": outcome, "late": bool(first and at.date() > first)},
                    )
                )
                values["fed_back_at"] = at
            else:
                steps.append(Step("submit", at, current_state, State.SUBMITTED))
            values["submitted_at"] = at
            current_state = State.SUBMITTED
        if reached >= ORDER[State.VERIFIED]:
            day: dt.date = dates["verified_on"]  # type: ignore[assignment]
            at = moment(day, 3)
            steps.append(Step("verify", at, current_state, State.VERIFIED))
            values["verified_at"] = at
            values["notice_starts_on"] = day if source.public_notice else None
            try:
                values["notice_ends_on"] = source.notice_end(day)
            except workdays.CalendarOutOfRange:
                values["notice_ends_on"] = None
            current_state = State.VERIFIED
        if reached >= ORDER[State.CLOSED]:
            at = moment(dates["closed_on"], 4)  # type: ignore[arg-type]
            steps.append(Step("close", at, current_state, State.CLOSED))
            values["closed_at"] = at
            current_state = State.CLOSED
        values["state"] = current_state
        values["deadline"] = dates["deadline"] or deadline or first
        values["deadline_provisional"] = values.get("deadline_provisional", False) and (
            values["deadline"] == feedback_deadline
        )
        if values["deadline"] < assigned:
            values["deadline"] = assigned
