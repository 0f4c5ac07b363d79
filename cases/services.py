"""Every change to a case goes through a function here: lock the row, check the user may, change,
save, write the event row, and queue side effects for after the commit.

Admin, API, import and tasks all call these; nothing else assigns ``Case.state``. Functions raise
``casework.errors`` exceptions, which callers turn into messages or HTTP codes in one place each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from cases.actions import action_check
from cases.models import (
    HANDLING_FIELDS,
    Action,
    Case,
    CaseEvent,
    CaseKind,
    ExtensionRequest,
    ExtensionStatus,
    Milestone,
    Objection,
    ObjectionStatus,
    PollutionType,
    ProgressReport,
    State,
)
from cases.rules import is_officer_of, is_officer_or_supervisor_of, is_supervisor_of
from cases.signals import case_event_committed, case_event_recorded
from casework import clock, workdays
from casework.errors import (
    ConcurrentEdit,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from casework.models import Region, ResponsibleUnit, User

# --- who may do what, beyond the transitions (which declare their own permissions) ---------------


def _require(allowed: bool, message: str | Promise | None = None) -> None:
    if not allowed:
        raise PermissionDenied(str(message or _("You may not do this on this case.")))


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


def _submit_requires(case: Case) -> tuple[str, ...]:
    if case.kind == CaseKind.PETITION:
        return ("rectification_account", "truth_finding")
    return ("rectification_account",)


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
        ),
        TransitionSpec("close", Action.CLOSE, gettext_lazy("Close out"), gettext_lazy("Comment")),
        TransitionSpec(
            "reopen",
            Action.REOPEN,
            gettext_lazy("Reopen for rectification"),
            gettext_lazy("Reason for reopening"),
            comment_required=True,
            fields=("deadline",),
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
        available.append(AvailableTransition(spec, _failed_condition(case, transition)))
    return available


def _failed_condition(case: Case, transition: Any) -> str | None:
    for condition in transition.conditions or ():
        if not condition(case):
            return str(
                getattr(condition, "refusal", _("A rule of the lifecycle forbids this now."))
            )
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
            case = _lock_case(case_id, user, expected_version)
            _run_transition(case, user, spec, comment=comment, data=data or {})
    except ConcurrentTransition as exc:
        raise ConcurrentEdit(
            _("Someone else changed this case at the same time; reload it.")
        ) from exc
    return case


def _run_transition(
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
    _require(
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
    deadline_before = case.deadline
    for name in spec.fields:
        if name in data:
            _set_field(case, name, data[name], errors)
    for name in spec.required(case):
        if name not in errors and _is_blank(getattr(case, name)):
            errors[name] = [
                _("“%(field)s” is required to “%(action)s”.")
                % {"field": Case._meta.get_field(name).verbose_name, "action": spec.label}
            ]
    if "deadline" in data and "deadline" not in errors and case.deadline < clock.today():
        errors["deadline"] = [_("The new deadline cannot be in the past.")]
    if errors:
        raise InvalidInput(errors)
    refusal = _failed_condition(case, transition)
    if refusal:
        raise TransitionNotAllowed(refusal)

    from_state = case.state
    method()
    case.version += 1
    case.save()
    return _record(
        case,
        user,
        spec.action,
        comment=comment,
        from_state=from_state,
        to_state=case.state,
        deadline_before=deadline_before,
        data=event_data,
    )


# --- helpers shared by the services -------------------------------------------------------------


def _lock_case(case_id: int, user: User, expected_version: int | None = None) -> Case:
    """The case, locked for this transaction, if the user may see it; else NotFound."""
    try:
        case = (
            Case.objects.visible_to(user)
            .select_for_update()
            .select_related("source", "region")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such case.")) from None
    if expected_version is not None and case.version != expected_version:
        raise ConcurrentEdit(
            _("This case was changed by someone else since you opened it; reload it and retry.")
        )
    return case


def _visible_child(model: type[models.Model], pk: int, user: User, missing: str) -> Any:
    """A row that belongs to a case (a milestone, a request, an objection), if the user may see
    the case; else NotFound, which says nothing about other counties' rows."""
    row = model.objects.filter(pk=pk, case__in=Case.objects.visible_to(user)).first()
    if row is None:
        raise NotFound(missing)
    return row


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _set_field(case: Case, name: str, value: Any, errors: dict[str, list[str]]) -> None:
    """Validate one value the user gave for a case field and set it; collect errors by field."""
    model_field = Case._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        if value in (None, ""):
            value = None
        elif not isinstance(value, models.Model):
            value = model_field.related_model.objects.filter(pk=value).first()
            if value is None:
                errors[name] = [_("No such choice.")]
                return
        if value is None and not model_field.null:
            errors[name] = [_("This field is required.")]
            return
        setattr(case, name, value)
        return
    try:
        setattr(case, name, model_field.clean(value, case))
    except ValidationError as exc:
        errors[name] = [str(message) for message in exc.messages]


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record(
    case: Case,
    user: User | None,
    action: str,
    *,
    comment: str = "",
    from_state: str = "",
    to_state: str = "",
    deadline_before: dt.date | None = None,
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Write the event row for a change, and send the commit signal once the change is durable.

    ``deadline_before`` is the deadline before the change; the event keeps it, with the new one,
    only when the change moved the deadline.
    """
    moved = deadline_before is not None and deadline_before != case.deadline
    event = CaseEvent.objects.create(
        case=case,
        actor=user,
        action=action,
        comment=comment,
        from_state=from_state,
        to_state=to_state,
        deadline_before=deadline_before if moved else None,
        deadline_after=case.deadline if moved or action == Action.CREATE else None,
        data=data or {},
    )
    case_event_recorded.send(sender=CaseEvent, event=event)
    transaction.on_commit(lambda: case_event_committed.send_robust(sender=CaseEvent, event=event))
    return event


def _bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


# full_clean() would assign every field, and a protected FSM field refuses assignment.
PROTECTED_FIELDS = ["state"]


# --- creation ----------------------------------------------------------------------------------


def case_create(
    *,
    user: User,
    kind: str,
    source: Any,
    acceptance_number: str,
    summary: str,
    region: Region,
    unit: ResponsibleUnit,
    assigned_on: dt.date | None = None,
    deadline: dt.date | None = None,
    pollution_types: Iterable[PollutionType | str] = (),
    milestones: Iterable[Mapping[str, Any]] = (),
    comment: str = "",
    **fields: Any,
) -> Case:
    """Put a case on the ledger, assigned to ``unit``. Supervisors only.

    A petition's deadline follows its source's policy when not given; a finding's comes from the
    rectification plan and must be given.
    """
    _require(
        is_supervisor_of(user, Case(region=region)),
        _("Only a city supervisor may put cases on the ledger."),
    )
    assigned_on = assigned_on or clock.today()
    errors: dict[str, list[str]] = {}
    if deadline is None:
        if kind == CaseKind.PETITION:
            deadline = source.report_deadline(assigned_on)
            fields["deadline_provisional"] = source.report_in_working_days and (
                workdays.span_is_provisional(assigned_on, deadline)
            )
        else:
            errors["deadline"] = [_("A finding needs the deadline of its rectification plan.")]
    case = Case(
        kind=kind,
        source=source,
        acceptance_number=(acceptance_number or "").strip(),
        summary=summary,
        region=region,
        unit=unit,
        assigned_on=assigned_on,
        deadline=deadline,
        **fields,
    )
    if not errors:
        # Uniqueness is left to the database (see the IntegrityError below): no race between
        # the check and the insert.
        try:
            case.full_clean(
                exclude=PROTECTED_FIELDS, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors.update({name: list(msgs) for name, msgs in exc.message_dict.items()})
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            raise InvalidInput(
                {"acceptance_number": _("This source already has a case with this number.")}
            ) from None
        if pollution_types:
            case.pollution_types.set(_pollution_types(pollution_types))
        for index, milestone in enumerate(milestones, start=1):
            Milestone.objects.create(
                case=case,
                sequence=milestone.get("sequence", index),
                description=milestone["description"],
                target_date=milestone["target_date"],
            )
        _record(
            case,
            user,
            Action.CREATE,
            comment=comment,
            to_state=case.state,
            data={"deadline": case.deadline.isoformat()},
        )
    return case


def _visible_region_ids(user: User) -> set[int]:
    return set(Region.objects.visible_to(user).values_list("pk", flat=True))


def _pollution_types(values: Iterable[PollutionType | str]) -> list[PollutionType]:
    values = list(values)
    codes = [v for v in values if isinstance(v, str)]
    found = {pt.code: pt for pt in PollutionType.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            {
                "pollution_types": _("Unknown pollution type: %(codes)s")
                % {"codes": ", ".join(missing)}
            }
        )
    return [v if isinstance(v, PollutionType) else found[v] for v in values]


# --- updates and corrections -------------------------------------------------------------------

# What a county officer may fill in on their own county's case, while the work is theirs.
OFFICER_FIELDS = (
    "responsible_leader",
    "contact_person",
    "contact_phone",
    "address",
    "latitude",
    "longitude",
    "truth_finding",
    "investigation",
    "rectification_goal",
    "rectification_measures",
    "rectification_account",
    *HANDLING_FIELDS,
    "pollution_types",
)
# What a supervisor may correct besides; the unit changes by reassignment, the state by transitions.
SUPERVISOR_FIELDS = (
    *OFFICER_FIELDS,
    "kind",
    "source",
    "batch",
    "acceptance_number",
    "summary",
    "region",
    "is_priority",
    "assigned_on",
    "deadline",
    "duplicate_of",
    "verification_conclusion",
)
OFFICER_EDITABLE_STATES = (State.ASSIGNED, State.RECTIFYING)


def case_editable_fields(*, case: Case, user: User) -> tuple[str, ...]:
    if is_supervisor_of(user, case):
        return SUPERVISOR_FIELDS
    if is_officer_of(user, case) and case.state in OFFICER_EDITABLE_STATES:
        return OFFICER_FIELDS
    return ()


def case_update(
    *,
    case_id: int,
    user: User,
    changes: Mapping[str, Any],
    comment: str = "",
    expected_version: int | None = None,
) -> Case:
    """Change a case's data fields; every change is recorded with its old and new value."""
    with transaction.atomic():
        case = _lock_case(case_id, user, expected_version)
        editable = case_editable_fields(case=case, user=user)
        _require(bool(editable), _("You may not change this case now."))
        errors: dict[str, list[str]] = {}
        for name in changes:
            if name not in editable:
                errors[name] = [_("You may not change this field.")]
        if errors:
            raise InvalidInput(errors)
        deadline_before = case.deadline
        diff: dict[str, list[Any]] = {}
        new_types = None
        for name, value in changes.items():
            if name == "pollution_types":
                new_types = _pollution_types(value)
                old = sorted(pt.name for pt in case.pollution_types.all())
                new = sorted(pt.name for pt in new_types)
                if old != new:
                    diff[name] = [old, new]
                continue
            old = getattr(case, name)
            _set_field(case, name, value, errors)
            new = getattr(case, name)
            if old != new:
                diff[name] = [_json_value(old), _json_value(new)]
        if "region" in diff:
            region_ok = case.region_id in _visible_region_ids(user)
            if not region_ok:
                errors["region"] = [_("You may not move a case outside your jurisdiction.")]
        if "deadline" in diff and not comment.strip():
            errors["comment"] = [_("Please say why the deadline is corrected.")]
        if not errors:
            try:
                case.full_clean(
                    exclude=[*PROTECTED_FIELDS, "pollution_types"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                errors.update({n: list(m) for n, m in exc.message_dict.items()})
        if errors:
            raise InvalidInput(errors)
        if not diff:
            return case
        if "deadline" in diff:
            case.deadline_provisional = False  # a date typed by a person, not counted
        case.version += 1
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            raise InvalidInput(
                {"acceptance_number": _("This source already has a case with this number.")}
            ) from None
        if new_types is not None and "pollution_types" in diff:
            case.pollution_types.set(new_types)
        _record(
            case,
            user,
            Action.UPDATE,
            comment=comment.strip(),
            deadline_before=deadline_before,
            data={"changes": diff},
        )
    return case


def case_reassign(
    *,
    case_id: int,
    user: User,
    unit: ResponsibleUnit,
    comment: str,
    region: Region | None = None,
    expected_version: int | None = None,
) -> Case:
    """Hand a case to another responsible unit (转办), optionally in another region."""
    with transaction.atomic():
        case = _lock_case(case_id, user, expected_version)
        action_check("reassign", user=user, case=case)
        errors: dict[str, list[str]] = {}
        if not (comment or "").strip():
            errors["comment"] = [_("Please give the reason for reassigning.")]
        visible = _visible_region_ids(user)
        if unit.region_id not in visible or not unit.is_active:
            errors["unit"] = [_("Choose an active unit within your jurisdiction.")]
        if region is not None and region.pk not in visible:
            errors["region"] = [_("You may not move a case outside your jurisdiction.")]
        if unit.pk == case.unit_id and (region is None or region.pk == case.region_id):
            errors["unit"] = [_("The case is already with this unit.")]
        if errors:
            raise InvalidInput(errors)
        data = {"unit": [case.unit.name, unit.name], "unit_id": [case.unit_id, unit.pk]}
        case.unit = unit
        fields = ["unit"]
        if region is not None and region.pk != case.region_id:
            data["region"] = [case.region.name, region.name]
            case.region = region
            fields.append("region")
        _bump(case, *fields)
        _record(case, user, Action.REASSIGN, comment=comment.strip(), data=data)
    return case


def case_stage_conclude(*, case_id: int, user: User, comment: str) -> Case:
    """Record that the case is concluded for this stage (阶段性办结): investigated, first measures
    taken, longer rectification continuing."""
    with transaction.atomic():
        case = _lock_case(case_id, user)
        action_check("stage", user=user, case=case)
        if not (comment or "").strip():
            raise InvalidInput({"comment": _("Please describe what has been concluded.")})
        case.stage_concluded_at = clock.now()
        _bump(case, "stage_concluded_at")
        _record(case, user, Action.STAGE_CONCLUDE, comment=comment.strip())
    return case


# --- progress reports and milestones -------------------------------------------------------------


def progress_report_add(*, case_id: int, user: User, text: str, percent: int) -> ProgressReport:
    with transaction.atomic():
        case = _lock_case(case_id, user)
        action_check("progress", user=user, case=case)
        report = ProgressReport(
            case=case, reported_by=user, text=(text or "").strip(), percent=percent
        )
        _full_clean(report, exclude=["case", "reported_by"])
        report.save()
        _bump(case)
        _record(
            case,
            user,
            Action.PROGRESS,
            comment=report.text,
            data={"progress_report_id": report.pk, "percent": report.percent},
        )
    return report


def milestone_add(
    *, case_id: int, user: User, description: str, target_date: dt.date, sequence: int | None = None
) -> Milestone:
    with transaction.atomic():
        case = _lock_case(case_id, user)
        _require(is_officer_or_supervisor_of(user, case))
        if case.kind != CaseKind.FINDING:
            raise InvalidInput({"case": _("Only findings have rectification milestones.")})
        if sequence is None:
            sequence = (case.milestones.aggregate(m=models.Max("sequence"))["m"] or 0) + 1
        milestone = Milestone(
            case=case,
            description=(description or "").strip(),
            target_date=target_date,
            sequence=sequence,
        )
        _full_clean(milestone, exclude=["case"])
        milestone.save()
        _bump(case)
        _record(
            case,
            user,
            Action.MILESTONE_ADD,
            comment=milestone.description,
            data={"milestone_id": milestone.pk, "target_date": target_date.isoformat()},
        )
    return milestone


def milestone_complete(
    *, milestone_id: int, user: User, done_on: dt.date | None = None
) -> Milestone:
    milestone = _visible_child(Milestone, milestone_id, user, _("No such milestone."))
    with transaction.atomic():
        case = _lock_case(milestone.case_id, user)
        _require(is_officer_or_supervisor_of(user, case))
        milestone.refresh_from_db()
        if milestone.done_on is not None:
            raise TransitionNotAllowed(_("This milestone is already completed."))
        done_on = done_on or clock.today()
        if done_on > clock.today():
            raise InvalidInput({"done_on": _("A milestone cannot be completed in the future.")})
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        _bump(case)
        _record(
            case,
            user,
            Action.MILESTONE_DONE,
            comment=milestone.description,
            data={"milestone_id": milestone.pk, "done_on": done_on.isoformat()},
        )
    return milestone


def _full_clean(obj: models.Model, *, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput({n: list(m) for n, m in exc.message_dict.items()}) from None


# --- deadline extensions -------------------------------------------------------------------------


def extension_request_create(
    *, case_id: int, user: User, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """An officer asks, before the deadline passes, to move it."""
    with transaction.atomic():
        case = _lock_case(case_id, user)
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
        _bump(case)
        _record(
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
    request = _visible_child(ExtensionRequest, request_id, user, _("No such extension request."))
    with transaction.atomic():
        case = _lock_case(request.case_id, user)
        _require(
            is_supervisor_of(user, case),
            _("Only a city supervisor may decide an extension request."),
        )
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
            _bump(case, "deadline", "deadline_provisional")
        else:
            _bump(case)
        _record(
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
        case = _lock_case(case_id, user)
        action_check("objection", user=user, case=case)
        if not (content or "").strip():
            raise InvalidInput({"content": _("Please record what the objection says.")})
        objection = Objection.objects.create(
            case=case,
            content=content.strip(),
            recorded_by=user,
            received_on=received_on or clock.today(),
        )
        _bump(case)
        _record(
            case,
            user,
            Action.OBJECTION_RECORD,
            comment=objection.content,
            data={"objection_id": objection.pk},
        )
    return objection


def objection_decide(*, objection_id: int, user: User, upheld: bool, comment: str) -> Objection:
    """Dismiss an objection, or uphold it, which reopens the case for rectification."""
    objection = _visible_child(Objection, objection_id, user, _("No such objection."))
    with transaction.atomic():
        case = _lock_case(objection.case_id, user)
        _require(is_supervisor_of(user, case), _("Only a city supervisor may decide objections."))
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise TransitionNotAllowed(_("This objection has already been decided."))
        comment = (comment or "").strip()
        if not comment:
            raise InvalidInput({"comment": _("Please give the reason for the decision.")})
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.decided_by = user
        objection.decided_at = clock.now()
        objection.decision_comment = comment
        objection.save()
        if upheld:
            _run_transition(
                case,
                user,
                TRANSITIONS["reopen"],
                comment=comment,
                data={},
                event_data={"objection_id": objection.pk},
            )
        else:
            _bump(case)
            _record(
                case,
                user,
                Action.OBJECTION_DISMISS,
                comment=comment,
                data={"objection_id": objection.pk},
            )
    return objection
