"""Requests that a supervisor decides: deadline extensions (延期) and objections during the
public notice (公示异议)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from cases.actions import action_check, who_check
from cases.models import (
    Action,
    ExtensionRequest,
    ExtensionStatus,
    Objection,
    ObjectionStatus,
)
from cases.services.kernel import (
    case_bump,
    case_lock,
    event_record,
    visible_child,
)
from cases.services.lifecycle import TRANSITIONS, transition_run
from casework import clock
from casework.errors import (
    InvalidInput,
    TransitionNotAllowed,
)
from casework.models import User

# --- deadline extensions -------------------------------------------------------------------------


def extension_request_create(
    *, case_id: int, user: User, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """An officer asks, before the deadline passes, to move it."""
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("extension", user=user, case=case)
        today = clock.today()
        if today > case.deadline:
            raise TransitionNotAllowed(
                _(
                    "The deadline (%(deadline)s) has passed: an extension must be requested "
                    "before it."
                )
                % {"deadline": case.deadline.isoformat()}
            )
        errors: dict[str, list[str]] = {}
        if not (reason or "").strip():
            errors["reason"] = [_("Please give the reason for the extension.")]
        if requested_deadline <= case.deadline:
            errors["requested_deadline"] = [
                _("The requested deadline must be later than the current one (%(deadline)s).")
                % {"deadline": case.deadline.isoformat()}
            ]
        if errors:
            raise InvalidInput(errors)
        if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise TransitionNotAllowed(_("An extension request for this case is already pending."))
        request = ExtensionRequest.objects.create(
            case=case,
            requested_by=user,
            reason=reason.strip(),
            current_deadline=case.deadline,
            requested_deadline=requested_deadline,
        )
        case_bump(case)
        event_record(
            case,
            user,
            Action.EXTENSION_REQUEST,
            comment=request.reason,
            data={
                "extension_request_id": request.pk,
                "requested_deadline": requested_deadline.isoformat(),
            },
        )
    return request


def extension_request_decide(
    *, request_id: int, user: User, approve: bool, comment: str = ""
) -> ExtensionRequest:
    """A supervisor approves (the deadline moves) or rejects (with a reason) a pending request."""
    request = visible_child(ExtensionRequest, request_id, user, _("No such extension request."))
    with transaction.atomic():
        case = case_lock(request.case_id, user)
        who_check("extension_decide", user=user, case=case)
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionStatus.PENDING:
            raise TransitionNotAllowed(_("This extension request has already been decided."))
        comment = (comment or "").strip()
        if not approve and not comment:
            raise InvalidInput({"comment": _("Please give the reason for rejecting the request.")})
        request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        request.decided_by = user
        request.decided_at = clock.now()
        request.decision_comment = comment
        request.save()
        deadline_before = case.deadline
        if approve:
            case.deadline = request.requested_deadline
            case.deadline_provisional = False  # a date given, not counted
            case.step_deadline_sync()
            case_bump(
                case,
                "deadline",
                "deadline_provisional",
                "feedback_deadline",
                "rectification_deadline",
            )
        else:
            case_bump(case)
        event_record(
            case,
            user,
            Action.EXTENSION_APPROVE if approve else Action.EXTENSION_REJECT,
            comment=comment,
            deadline_before=deadline_before,
            data={"extension_request_id": request.pk},
        )
    return request


# --- objections during public notice -------------------------------------------------------------


def objection_record(
    *, case_id: int, user: User, content: str, received_on: dt.date | None = None
) -> Objection:
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("objection", user=user, case=case)
        if not (content or "").strip():
            raise InvalidInput({"content": _("Please record what the objection says.")})
        objection = Objection.objects.create(
            case=case,
            content=content.strip(),
            recorded_by=user,
            received_on=received_on or clock.today(),
        )
        case_bump(case)
        event_record(
            case,
            user,
            Action.OBJECTION_RECORD,
            comment=objection.content,
            data={"objection_id": objection.pk},
        )
    return objection


def objection_decide(
    *,
    objection_id: int,
    user: User,
    upheld: bool,
    comment: str,
    deadline: dt.date | str | None = None,
) -> Objection:
    """Dismiss an objection, or uphold it, which reopens the case for rectification to a new
    deadline (required then)."""
    objection = visible_child(Objection, objection_id, user, _("No such objection."))
    with transaction.atomic():
        case = case_lock(objection.case_id, user)
        who_check("objection_decide", user=user, case=case)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise TransitionNotAllowed(_("This objection has already been decided."))
        comment = (comment or "").strip()
        errors = {}
        if not comment:
            errors["comment"] = [_("Please give the reason for the decision.")]
        if upheld and deadline in (None, ""):
            errors["deadline"] = [
                _("An upheld objection sends the case back: give a new deadline.")
            ]
        if errors:
            raise InvalidInput(errors)
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.decided_by = user
        objection.decided_at = clock.now()
        objection.decision_comment = comment
        objection.save()
        if upheld:
            transition_run(
                case,
                user,
                TRANSITIONS["reopen"],
                comment=comment,
                data={"deadline": deadline},
                event_data={"objection_id": objection.pk},
            )
        else:
            case_bump(case)
            event_record(
                case,
                user,
                Action.OBJECTION_DISMISS,
                comment=comment,
                data={"objection_id": objection.pk},
            )
    return objection
