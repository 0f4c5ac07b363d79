"""The actions on a case other than its lifecycle transitions, declared once: who may run each
(``cases.rules``) and from which states, with what the user is told when refused.

The services enforce them (``action_check``); the admin's buttons and the API's
``allowed_actions`` list them (``case_available_actions``), so a button is shown exactly when
the service would accept the click. The transitions have the same pair on the model
(``permission=``, ``source=``) and in ``cases.services.case_available_transitions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models import FEEDBACK_PENDING, OPEN_STATES, Case, CaseKind, State
from casework.errors import PermissionDenied, TransitionNotAllowed

if TYPE_CHECKING:
    from casework.models import User


@dataclass(frozen=True)
class CaseActionRule:
    name: str
    label: Promise
    who: Callable[[User, Case], bool]
    who_refusal: Promise
    # What the case must be, each with what the user is told when it is not, checked in order.
    when: tuple[tuple[Callable[[Case], bool], Promise], ...]

    def refusal(self, case: Case) -> Promise | None:
        return next((message for holds, message in self.when if not holds(case)), None)


_MAY_NOT = _("You may not do this on this case.")
# A repeat (重复件) follows its original: the work is done, and asked for, on the original.
_NOT_A_REPEAT = (
    lambda case: case.duplicate_of_id is None,
    _("A repeat follows its original; work on the original instead."),
)

CASE_ACTION_RULES: dict[str, CaseActionRule] = {
    rule.name: rule
    for rule in (
        CaseActionRule(
            "progress",
            _("Report progress"),
            rules.may_report_progress,
            _MAY_NOT,
            (
                (
                    lambda case: case.state != State.CLOSED,
                    _("A closed case takes no more progress reports."),
                ),
            ),
        ),
        CaseActionRule(
            "extension",
            _("Request an extension"),
            rules.is_officer_of,
            _("Only an officer of the case's county may request an extension."),
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.state in OPEN_STATES,
                    _("Extensions are for cases still being worked on."),
                ),
            ),
        ),
        CaseActionRule(
            "feedback",
            _("Feed back the outcome"),
            rules.is_officer_of,
            _("Only an officer of the case's county may feed back its outcome."),
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.kind == CaseKind.PETITION,
                    _("Only petitions are fed back; a finding is rectified to its plan."),
                ),
                (
                    lambda case: case.state in OPEN_STATES,
                    _("Feedback is for petitions still being handled."),
                ),
                (
                    lambda case: case.feedback_outcome in FEEDBACK_PENDING,
                    _("This petition's outcome has been fed back; it is in rectification."),
                ),
            ),
        ),
        CaseActionRule(
            "evidence",
            _("Add to the evidence file"),
            rules.may_file_field_check,
            _("Only those who work or check this case may add to its evidence file."),
            (
                (
                    lambda case: case.state != State.CLOSED,
                    _("A closed case's evidence file is complete; reopen it to add more."),
                ),
            ),
        ),
        CaseActionRule(
            "followup",
            _("Record a follow-up"),
            rules.is_officer_or_supervisor_of,
            _MAY_NOT,
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.kind == CaseKind.PETITION,
                    _("Follow-ups are for petitions, with their complainants."),
                ),
                (
                    lambda case: (
                        case.feedback_outcome not in FEEDBACK_PENDING and case.state != State.CLOSED
                    ),
                    _("A petition is followed up once handled and before it is closed out."),
                ),
            ),
        ),
        CaseActionRule(
            "reassign",
            _("Reassign"),
            rules.is_supervisor_of,
            _("Only a city supervisor may reassign a case."),
            (
                (
                    lambda case: case.state != State.CLOSED,
                    _("A closed case cannot be reassigned; reopen it first."),
                ),
            ),
        ),
        CaseActionRule(
            "co_units",
            _("Set co-operating units"),
            rules.is_supervisor_of,
            _("Only a city supervisor may name co-operating units."),
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.state != State.CLOSED,
                    _("A closed case takes no more co-operating units; reopen it first."),
                ),
            ),
        ),
        CaseActionRule(
            "repeat",
            _("Link as a repeat"),
            rules.is_supervisor_of,
            _("Only a city supervisor may link repeats."),
            (
                (
                    lambda case: case.kind == CaseKind.PETITION,
                    _("Only petitions are linked as repeats."),
                ),
                _NOT_A_REPEAT,
                (
                    lambda case: not case.duplicates.exists(),
                    _("This case has repeats of its own; it cannot become a repeat."),
                ),
            ),
        ),
        CaseActionRule(
            "unrepeat",
            _("Unlink from the original"),
            rules.is_supervisor_of,
            _("Only a city supervisor may link repeats."),
            ((lambda case: case.duplicate_of_id is not None, _("This case is not a repeat.")),),
        ),
        CaseActionRule(
            "notice",
            _("Set the notice's publication day"),
            rules.is_supervisor_of,
            _("Only a city supervisor may set notice dates."),
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.state == State.VERIFIED and case.source.public_notice,
                    _("Only a verified case under public notice has notice dates."),
                ),
            ),
        ),
        CaseActionRule(
            "objection",
            _("Record an objection"),
            rules.is_supervisor_of,
            _("Only a city supervisor may record objections."),
            (
                _NOT_A_REPEAT,
                (
                    lambda case: case.state == State.VERIFIED,
                    _("Objections are recorded against verified cases under public notice."),
                ),
            ),
        ),
    )
}


@dataclass(frozen=True)
class RowRule:
    """Who may do something on a row of a case: decide a request or an objection, add or
    complete a milestone. The row's own state is the service's to check."""

    who: Callable[[User, Case], bool]
    who_refusal: Promise


# Things done on a row of a case (an extension request, an objection, a follow-up, a milestone):
# who may do them. The row's own state is its service's to check.
ROW_RULES: dict[str, RowRule] = {
    "extension_decide": RowRule(
        rules.is_supervisor_of, _("Only a city supervisor may decide an extension request.")
    ),
    "objection_decide": RowRule(
        rules.is_supervisor_of, _("Only a city supervisor may decide objections.")
    ),
    "followup_decide": RowRule(
        rules.is_supervisor_of, _("Only a city supervisor may decide a dissatisfied follow-up.")
    ),
    "milestone_add": RowRule(rules.is_officer_or_supervisor_of, _MAY_NOT),
    "milestone_done": RowRule(rules.is_officer_or_supervisor_of, _MAY_NOT),
}


def may_act(name: str, *, user: User, case: Case) -> bool:
    """The person half of an action's or a row's rule: whether this person may do ``name`` on
    this case at all (the admin opens the page or offers the row; the service still checks the
    case's half on the submitted form)."""
    rule = CASE_ACTION_RULES.get(name) or ROW_RULES.get(name)
    return rule is not None and rule.who(user, case)


def who_check(name: str, *, user: User, case: Case) -> None:
    """Refuse (403) what this person may not do on this case: a row's decision, or the person
    half of an action whose service reports the case's half as field errors (linking a repeat
    names what is wrong with the original)."""
    rule = CASE_ACTION_RULES.get(name) or ROW_RULES[name]
    if not rule.who(user, case):
        raise PermissionDenied(str(rule.who_refusal))


def action_allowed(name: str, *, user: User, case: Case) -> bool:
    rule = CASE_ACTION_RULES[name]
    return rule.who(user, case) and rule.refusal(case) is None


def action_check(name: str, *, user: User, case: Case) -> None:
    """Refuse the action as the service must: 403 for the person, 409 for the case's state."""
    who_check(name, user=user, case=case)
    refusal = CASE_ACTION_RULES[name].refusal(case)
    if refusal is not None:
        raise TransitionNotAllowed(str(refusal))


def case_available_actions(*, case: Case, user: User) -> list[CaseActionRule]:
    """The actions this user may run on this case now, in a stable order."""
    return [
        rule
        for rule in CASE_ACTION_RULES.values()
        if action_allowed(rule.name, user=user, case=case)
    ]
