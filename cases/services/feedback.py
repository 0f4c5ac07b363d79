"""A petition's first step: the county's feedback (办理情况反馈) on what it found and did.

The outcome decides the second step. 办结 sends the petition to verification at once (a petition
found 不属实 needs no rectification: its investigation is the evidence). 阶段性办结 starts the
rectification step with its own measures and deadline (整改时限), which becomes the deadline the
reminders, overdue lists and circulars chase. 正在办理 (not yet concluded) keeps the feedback
step open to a date the unit names, by which it feeds back again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from cases.actions import action_check
from cases.models import Action, Case, FeedbackOutcome, State, TruthFinding
from cases.services.kernel import case_lock, event_record, field_set, is_blank
from cases.services.lifecycle import failed_condition
from casework import clock
from casework.errors import ConcurrentEdit, InvalidInput, TransitionNotAllowed
from casework.models import User


def case_feedback(
    *,
    case_id: int,
    user: User,
    outcome: str,
    truth_finding: str = "",
    investigation: str = "",
    rectification_account: str = "",
    accountability_account: str = "",
    rectification_measures: str = "",
    rectification_deadline: dt.date | str | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Case:
    """Record a petition's feedback and move it to the step its outcome calls for."""
    try:
        with transaction.atomic():
            case = case_lock(case_id, user, expected_version)
            action_check("feedback", user=user, case=case)
            values = {
                "truth_finding": truth_finding,
                "investigation": investigation,
                "rectification_account": rectification_account,
                "accountability_account": accountability_account,
                "rectification_measures": rectification_measures,
            }
            until = _validate(case, outcome, values, rectification_deadline)
            return _apply(case, user, outcome, until, comment)
    except ConcurrentTransition as exc:
        raise ConcurrentEdit(
            _("Someone else changed this case at the same time; reload it.")
        ) from exc


def _validate(
    case: Case, outcome: str, values: dict[str, Any], deadline: dt.date | str | None
) -> dt.date | None:
    errors: dict[str, list[str]] = {}
    if outcome not in FeedbackOutcome.values:
        errors["outcome"] = [
            _("Choose the outcome: concluded, concluded for this stage, or still in progress.")
        ]
    for name, value in values.items():
        field_set(case, name, (value or "").strip() if isinstance(value, str) else value, errors)
    if is_blank(case.truth_finding) and "truth_finding" not in errors:
        errors["truth_finding"] = [_("Say whether the petition was found true.")]
    if is_blank(case.investigation) and "investigation" not in errors:
        errors["investigation"] = [_("Describe what the investigation found.")]
    untrue = case.truth_finding == TruthFinding.FALSE
    until = None
    if outcome == FeedbackOutcome.CONCLUDED:
        if not untrue and is_blank(case.rectification_account):
            errors.setdefault("rectification_account", []).append(
                _("Describe how the petition was handled and rectified.")
            )
    elif outcome in (FeedbackOutcome.STAGE, FeedbackOutcome.IN_PROGRESS):
        if untrue and outcome == FeedbackOutcome.STAGE:
            errors.setdefault("outcome", []).append(
                _("A petition found untrue needs no rectification: feed it back as concluded.")
            )
        if outcome == FeedbackOutcome.STAGE and is_blank(case.rectification_measures):
            errors.setdefault("rectification_measures", []).append(
                _("A stage conclusion needs the rectification measures that continue.")
            )
        until = _date(deadline, errors, outcome)
    if errors:
        raise InvalidInput(errors)
    return until


def _date(value: dt.date | str | None, errors: dict[str, list[str]], outcome: str) -> Any:
    if value in (None, ""):
        errors["rectification_deadline"] = [
            _("Give the rectification deadline.")
            if outcome == FeedbackOutcome.STAGE
            else _("Give the date by which the petition will be concluded.")
        ]
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors["rectification_deadline"] = [_("Enter a valid date.")]
            return None
    if value < clock.today():
        errors["rectification_deadline"] = [_("The date cannot be in the past.")]
        return None
    return value


def _apply(case: Case, user: User, outcome: str, until: dt.date | None, comment: str) -> Case:
    now, today = clock.now(), clock.today()
    from_state, deadline_before = case.state, case.deadline
    late = case.feedback_deadline is not None and today > case.feedback_deadline
    case.feedback_outcome = outcome
    case.fed_back_at = now
    if outcome == FeedbackOutcome.CONCLUDED:
        # Concluded is an application for verification: the same evidence checklist applies.
        refusal = failed_condition(case, Case.conclude._django_fsm.get_transition(case.state))
        if refusal:
            raise TransitionNotAllowed(refusal)
        case.conclude()
    else:
        if from_state == State.ASSIGNED:
            case.start()
        case.deadline = until
        case.deadline_provisional = False
        case.step_deadline_sync()  # 阶段性办结: the 整改时限; 正在办理: only the promised date
        if outcome == FeedbackOutcome.STAGE:
            case.stage_concluded_at = now
    case.version += 1
    case.save()
    event_record(
        case,
        user,
        Action.FEEDBACK,
        comment=(comment or "").strip(),
        from_state=from_state,
        to_state=case.state,
        deadline_before=deadline_before,
        data={
            "outcome": outcome,
            "truth_finding": case.truth_finding,
            "late": late,
            **({"until": until.isoformat()} if until else {}),
        },
    )
    return case
