"""The lifecycle's transitions as the services run them: what each asks of the user, which
are available to a user now, and the one function that runs one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from cases.models import (
    OPEN_STATES,
    Action,
    Case,
    CaseEvent,
    CaseKind,
    TruthFinding,
)
from cases.services.kernel import (
    case_lock,
    event_record,
    field_set,
    is_blank,
    require,
)
from casework import clock
from casework.errors import (
    ConcurrentEdit,
    InvalidInput,
    TransitionNotAllowed,
)
from casework.models import User

# --- the transitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionSpec:
    """What a transition asks of the user beyond the click."""

    name: str
    action: str
    label: Promise
    comment_label: Promise
    comment_required: bool = False
    # Case fields the transition accepts with it, and those that must be filled afterwards.
    fields: tuple[str, ...] = ()
    required: Callable[[Case], tuple[str, ...]] = field(default=lambda case: ())
    # Fields the user must give with the click (read before the change), e.g. a new deadline.
    given: Callable[[Case], tuple[str, ...]] = field(default=lambda case: ())


def _submit_requires(case: Case) -> tuple[str, ...]:
    if case.kind == CaseKind.PETITION:
        if case.truth_finding == TruthFinding.FALSE:
            # Found untrue: nothing to rectify; the investigation is the evidence.
            return ("truth_finding", "investigation")
        return ("rectification_account", "truth_finding")
    return ("rectification_account",)


def _deadline_if_passed(case: Case) -> tuple[str, ...]:
    """Sent back after its deadline passed, a case needs a new one (else it is at once late)."""
    return ("deadline",) if case.deadline < clock.today() else ()


TRANSITIONS: dict[str, TransitionSpec] = {
    spec.name: spec
    for spec in (
        TransitionSpec(
            "start", Action.START, gettext_lazy("Accept and start"), gettext_lazy("Comment")
        ),
        TransitionSpec(
            "submit",
            Action.SUBMIT,
            gettext_lazy("Submit for verification"),
            gettext_lazy("Comment"),
            fields=("rectification_account", "truth_finding", "investigation"),
            required=_submit_requires,
        ),
        TransitionSpec(
            "verify",
            Action.VERIFY,
            gettext_lazy("Pass verification"),
            gettext_lazy("Comment"),
            fields=("verification_conclusion",),
            required=lambda case: ("verification_conclusion",),
        ),
        TransitionSpec(
            "reject",
            Action.REJECT,
            gettext_lazy("Fail verification"),
            gettext_lazy("Reason for failing verification"),
            comment_required=True,
            fields=("deadline",),
            given=_deadline_if_passed,
        ),
        TransitionSpec("close", Action.CLOSE, gettext_lazy("Close out"), gettext_lazy("Comment")),
        TransitionSpec(
            "reopen",
            Action.REOPEN,
            gettext_lazy("Reopen for rectification"),
            gettext_lazy("Reason for reopening"),
            comment_required=True,
            fields=("deadline",),
            given=lambda case: ("deadline",),
        ),
    )
}


@dataclass(frozen=True)
class AvailableTransition:
    spec: TransitionSpec
    refusal: str | None  # why it cannot run now, when the state and role allow it but a rule not

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def case_available_transitions(*, case: Case, user: User) -> list[AvailableTransition]:
    """The transitions this user may run on this case from its current state, in lifecycle order.

    A transition whose condition fails (e.g. the notice window still open) is listed with the
    reason, so that the user learns why the button is not there rather than guessing.
    """
    available = []
    for spec in TRANSITIONS.values():
        transition = getattr(Case, spec.name)._django_fsm.get_transition(case.state)
        if transition is None or not transition.has_perm(case, user):
            continue
        available.append(AvailableTransition(spec, failed_condition(case, transition)))
    return available


def failed_condition(case: Case, transition: Any) -> str | None:
    for condition in transition.conditions or ():
        if not condition(case):
            refusal = getattr(condition, "refusal", _("A rule of the lifecycle forbids this now."))
            return str(refusal(case) if callable(refusal) else refusal)
    return None


def case_transition(
    *,
    case_id: int,
    user: User,
    transition: str,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Run one lifecycle transition on a case, as ``user``."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise InvalidInput(
            {"transition": _("Unknown transition “%(name)s”.") % {"name": transition}}
        )
    try:
        with transaction.atomic():
            case = case_lock(case_id, user, expected_version)
            transition_run(case, user, spec, comment=comment, data=data or {})
    except ConcurrentTransition as exc:
        raise ConcurrentEdit(
            _("Someone else changed this case at the same time; reload it.")
        ) from exc
    return case


def transition_run(
    case: Case,
    user: User,
    spec: TransitionSpec,
    *,
    comment: str,
    data: Mapping[str, Any],
    event_data: dict[str, Any] | None = None,
) -> CaseEvent:
    method = getattr(case, spec.name)
    transition = method._django_fsm.get_transition(case.state)
    if transition is None:
        raise TransitionNotAllowed(
            _("A case that is “%(state)s” cannot be “%(action)s”.")
            % {"state": case.get_state_display(), "action": spec.label}
        )
    require(
        transition.has_perm(case, user),
        _("You may not “%(action)s” this case.") % {"action": spec.label},
    )
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if spec.comment_required and not comment:
        errors["comment"] = [_("Please give the %(what)s.") % {"what": spec.comment_label}]
    unknown = set(data) - set(spec.fields)
    for name in sorted(unknown):
        errors[name] = [_("This field cannot be set by this action.")]
    for name in spec.given(case):
        if is_blank(data.get(name)):
            errors[name] = [
                _("Give the “%(field)s” to “%(action)s”.")
                % {"field": Case._meta.get_field(name).verbose_name, "action": spec.label}
            ]
    deadline_before = case.deadline
    for name in spec.fields:
        if name in data and name not in errors and not is_blank(data[name]):
            field_set(case, name, data[name], errors)
    for name in spec.required(case):
        if name not in errors and is_blank(getattr(case, name)):
            errors[name] = [
                _("“%(field)s” is required to “%(action)s”.")
                % {"field": Case._meta.get_field(name).verbose_name, "action": spec.label}
            ]
    deadline_moved = case.deadline != deadline_before
    if deadline_moved and "deadline" not in errors and case.deadline < clock.today():
        errors["deadline"] = [_("The new deadline cannot be in the past.")]
    if errors:
        raise InvalidInput(errors)
    refusal = failed_condition(case, transition)
    if refusal:
        raise TransitionNotAllowed(refusal)

    from_state = case.state
    method()
    if deadline_moved:
        case.deadline_provisional = False  # a date given, not counted
    if case.state in OPEN_STATES:
        # Sent back (or started): the deadline chased is the step's own from now on.
        case.step_deadline_sync()
    case.version += 1
    case.save()
    return event_record(
        case,
        user,
        spec.action,
        comment=comment,
        from_state=from_state,
        to_state=case.state,
        deadline_before=deadline_before,
        data=event_data,
    )
