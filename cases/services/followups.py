"""Following up with the complainant before close-out (回访) and deciding a dissatisfied one."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from cases.actions import action_check, who_check
from cases.models import (
    Action,
    FollowUp,
    FollowUpDecision,
    FollowUpMethod,
    Satisfaction,
    State,
)
from cases.services.kernel import case_bump, case_lock, event_record, visible_child
from cases.services.lifecycle import TRANSITIONS, transition_run
from casework import clock
from casework.errors import InvalidInput, TransitionNotAllowed
from casework.models import User


def followup_record(
    *,
    case_id: int,
    user: User,
    visited_on: dt.date,
    method: str,
    result: str,
    note: str = "",
) -> FollowUp:
    """Record a follow-up and the complainant's satisfaction."""
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("followup", user=user, case=case)
        errors: dict[str, list[str]] = {}
        if method not in FollowUpMethod.values:
            errors["method"] = [_("Choose how the complainant was followed up.")]
        if result not in Satisfaction.values:
            errors["result"] = [_("Choose the complainant's satisfaction.")]
        if visited_on > clock.today():
            errors["visited_on"] = [_("A follow-up cannot be dated in the future.")]
        elif visited_on < case.assigned_on:
            errors["visited_on"] = [_("A follow-up cannot be dated before the assignment.")]
        note = (note or "").strip()
        if result == Satisfaction.UNSATISFIED and not note:
            errors["note"] = [_("Say what the complainant is not satisfied with.")]
        if errors:
            raise InvalidInput(errors)
        follow_up = FollowUp.objects.create(
            case=case,
            visited_on=visited_on,
            method=method,
            result=result,
            note=note,
            recorded_by=user,
        )
        case_bump(case)
        event_record(
            case,
            user,
            Action.FOLLOW_UP,
            comment=note,
            data={"follow_up_id": follow_up.pk, "result": result, "method": method},
        )
    return follow_up


def followup_decide(
    *,
    follow_up_id: int,
    user: User,
    send_back: bool,
    comment: str,
    deadline: dt.date | str | None = None,
) -> FollowUp:
    """Decide a dissatisfied follow-up: send the case back for rectification to a new deadline,
    or allow closure with the reason recorded."""
    follow_up = visible_child(FollowUp, follow_up_id, user, _("No such follow-up."))
    with transaction.atomic():
        case = case_lock(follow_up.case_id, user)
        who_check("followup_decide", user=user, case=case)
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if not follow_up.awaits_decision:
            raise TransitionNotAllowed(_("This follow-up needs no decision (or has one)."))
        comment = (comment or "").strip()
        errors: dict[str, list[str]] = {}
        if not comment:
            errors["comment"] = [_("Please give the reason for the decision.")]
        if send_back and deadline in (None, ""):
            errors["deadline"] = [_("Sending the case back needs a new deadline.")]
        if errors:
            raise InvalidInput(errors)
        follow_up.decision = FollowUpDecision.REOPENED if send_back else FollowUpDecision.ACCEPTED
        follow_up.decided_by = user
        follow_up.decided_at = clock.now()
        follow_up.decision_comment = comment
        follow_up.save()
        data = {"follow_up_id": follow_up.pk, "decision": follow_up.decision}
        if send_back:
            name = {State.SUBMITTED: "reject", State.VERIFIED: "reopen"}.get(case.state)
            if name is None:
                raise TransitionNotAllowed(
                    _("Only a case awaiting verification or under public notice is sent back.")
                )
            transition_run(
                case,
                user,
                TRANSITIONS[name],
                comment=comment,
                data={"deadline": deadline},
                event_data=data,
            )
        else:
            case_bump(case)
            event_record(case, user, Action.FOLLOW_UP_DECIDE, comment=comment, data=data)
    return follow_up
