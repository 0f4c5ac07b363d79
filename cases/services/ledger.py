"""Putting cases on the ledger and changing them: creation, corrections, reassignment (转办)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.actions import action_check
from cases.models import (
    HANDLING_FIELDS,
    Action,
    Case,
    CaseKind,
    Milestone,
    PollutionType,
    State,
)
from cases.rules import is_officer_of, is_supervisor_of, mask_name, mask_phone
from cases.services.kernel import (
    PROTECTED_FIELDS,
    case_bump,
    case_lock,
    event_record,
    field_set,
    json_value,
    pollution_types_resolve,
    repeat_mirror,
    require,
    visible_region_ids,
)
from cases.services.repeats import repeat_link_check
from casework import clock, workdays
from casework.errors import InvalidInput
from casework.models import Region, ResponsibleUnit, User

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
    co_units: Iterable[ResponsibleUnit] = (),
    comment: str = "",
    **fields: Any,
) -> Case:
    """Put a case on the ledger, assigned to ``unit``. Supervisors only.

    A petition's deadline follows its source's policy when not given; a finding's comes from the
    rectification plan and must be given.
    """
    require(
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
    if deadline is not None:
        case.step_deadline_sync()
    co_units, co_errors = co_units_check(case, co_units, user)
    if co_errors:
        errors["co_units"] = co_errors
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
            case.pollution_types.set(pollution_types_resolve(pollution_types))
        for index, milestone in enumerate(milestones, start=1):
            Milestone.objects.create(
                case=case,
                sequence=milestone.get("sequence", index),
                description=milestone["description"],
                target_date=milestone["target_date"],
            )
        data: dict[str, Any] = {"deadline": case.deadline.isoformat()}
        if co_units:
            # Named with the assignment: part of its event, and its officers told with it.
            case.co_units.set(co_units)
            data["co_units"] = [u.name for u in co_units]
            data["co_unit_ids"] = [u.pk for u in co_units]
        event_record(case, user, Action.CREATE, comment=comment, to_state=case.state, data=data)
        if case.duplicate_of_id is not None:
            # Put on the ledger as a repeat: it follows its original from the start.
            original = Case.objects.select_for_update(no_key=True).get(pk=case.duplicate_of_id)
            errors = repeat_link_check(case, original)
            if errors:
                raise InvalidInput({"duplicate_of": errors["original"]})
            repeat_mirror(case, original, user, Action.REPEAT_LINK, comment)
    return case


# --- updates and corrections -------------------------------------------------------------------

# What a county officer may fill in on their own county's case, while the work is theirs.
OFFICER_FIELDS = (
    "responsible_leader",
    "contact_person",
    "contact_phone",
    "complainant_name",
    "complainant_phone",
    "address",
    "latitude",
    "longitude",
    "truth_finding",
    "investigation",
    "rectification_goal",
    "rectification_measures",
    "rectification_account",
    "accountability_account",
    *HANDLING_FIELDS,
    "pollution_types",
)
# What a supervisor may correct besides; the unit changes by reassignment, the state by transitions.
SUPERVISOR_FIELDS = (
    *OFFICER_FIELDS,
    "co_units",
    "kind",
    "source",
    "batch",
    "acceptance_number",
    "summary",
    "region",
    "is_priority",
    "channel",
    "assigned_on",
    "deadline",
    "verification_conclusion",
)
OFFICER_EDITABLE_STATES = (State.ASSIGNED, State.RECTIFYING)
MASKED_IN_TRAIL = {"complainant_name": mask_name, "complainant_phone": mask_phone}


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
        case = case_lock(case_id, user, expected_version)
        editable = case_editable_fields(case=case, user=user)
        require(bool(editable), _("You may not change this case now."))
        errors: dict[str, list[str]] = {}
        for name in changes:
            if name not in editable:
                errors[name] = [_("You may not change this field.")]
        if errors:
            raise InvalidInput(errors)
        deadline_before = case.deadline
        diff: dict[str, list[Any]] = {}
        new_types = None
        new_co_units = None
        for name, value in changes.items():
            if name == "co_units":
                new_co_units, co_errors = co_units_check(case, value, user)
                if co_errors:
                    errors["co_units"] = co_errors
                continue
            if name == "pollution_types":
                new_types = pollution_types_resolve(value)
                old = sorted(pt.name for pt in case.pollution_types.all())
                new = sorted(pt.name for pt in new_types)
                if old != new:
                    diff[name] = [old, new]
                continue
            old = getattr(case, name)
            field_set(case, name, value, errors)
            new = getattr(case, name)
            if old != new:
                diff[name] = [json_value(old), json_value(new)]
                if name in MASKED_IN_TRAIL:
                    # The trail is read more widely than the case: who complained stays masked.
                    diff[name] = [MASKED_IN_TRAIL[name](v or "") for v in (old, new)]
        if "region" in diff:
            region_ok = case.region_id in visible_region_ids(user)
            if not region_ok:
                errors["region"] = [_("You may not move a case outside your jurisdiction.")]
        if "deadline" in diff and not comment.strip():
            errors["comment"] = [_("Please say why the deadline is corrected.")]
        if not errors:
            try:
                case.full_clean(
                    exclude=[*PROTECTED_FIELDS, "pollution_types", "co_units"],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                errors.update({n: list(m) for n, m in exc.message_dict.items()})
        if errors:
            raise InvalidInput(errors)
        co_changed = new_co_units is not None and _co_units_apply(
            case, user, new_co_units, comment.strip()
        )
        if not diff:
            if co_changed:
                case_bump(case)
            return case
        if "deadline" in diff:
            case.deadline_provisional = False  # a date typed by a person, not counted
            case.step_deadline_sync()
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
        event_record(
            case,
            user,
            Action.UPDATE,
            comment=comment.strip(),
            deadline_before=deadline_before,
            data={"changes": diff},
        )
    return case


# --- co-operating units (配合单位) --------------------------------------------------------------


def co_units_check(
    case: Case, units: Iterable[ResponsibleUnit | int] | None, user: User
) -> tuple[list[ResponsibleUnit], list[str]]:
    """The co-operating units asked for, and what is wrong with them (nothing: an empty list).
    Any active unit within the supervisor's jurisdiction, other than the lead unit."""
    wanted = [u.pk if isinstance(u, ResponsibleUnit) else u for u in (units or ())]
    try:
        ids = sorted({int(pk) for pk in wanted})
    except (TypeError, ValueError):
        return [], [_("Choose units from the list.")]
    found = list(
        ResponsibleUnit.objects.filter(pk__in=ids, region_id__in=visible_region_ids(user)).order_by(
            "name"
        )
    )
    errors = []
    if len(found) != len(ids):
        errors.append(_("Choose units from the list within your jurisdiction."))
    inactive = [u.name for u in found if not u.is_active]
    if inactive:
        errors.append(_("No longer active: %(units)s.") % {"units": "、".join(inactive)})
    if case.unit_id is not None and case.unit_id in ids:
        errors.append(
            _("%(unit)s leads the case; it is not also a co-operating unit.")
            % {"unit": case.unit.name}
        )
    return found, errors


def _co_units_apply(case: Case, user: User, units: list[ResponsibleUnit], comment: str) -> bool:
    """Set the co-operating units with an event naming those added and removed; False when
    nothing changes. Officers of an added unit's region are told (notifications)."""
    before = {u.pk: u for u in case.co_units.all()}
    after = {u.pk: u for u in units}
    added = [after[pk] for pk in after if pk not in before]
    removed = [before[pk] for pk in before if pk not in after]
    if not added and not removed:
        return False
    case.co_units.set(units)
    names = sorted(u.name for u in units)
    event_record(
        case,
        user,
        Action.CO_UNITS,
        comment=comment
        or _("Co-operating units: %(units)s") % {"units": "、".join(names) or _("none")},
        data={
            "co_units": [sorted(u.name for u in before.values()), names],
            "added": [u.pk for u in added],
            "removed": [u.pk for u in removed],
        },
    )
    return True


def case_co_units_set(
    *,
    case_id: int,
    user: User,
    units: Iterable[ResponsibleUnit | int],
    comment: str = "",
    expected_version: int | None = None,
) -> Case:
    """Name the units that work on the case beside its lead unit (配合单位). Supervisors only;
    their officers then see the case and may report progress on it."""
    with transaction.atomic():
        case = case_lock(case_id, user, expected_version)
        action_check("co_units", user=user, case=case)
        found, errors = co_units_check(case, units, user)
        if errors:
            raise InvalidInput({"units": errors})
        if _co_units_apply(case, user, found, (comment or "").strip()):
            case_bump(case)
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
        case = case_lock(case_id, user, expected_version)
        action_check("reassign", user=user, case=case)
        errors: dict[str, list[str]] = {}
        if not (comment or "").strip():
            errors["comment"] = [_("Please give the reason for reassigning.")]
        visible = visible_region_ids(user)
        if unit.region_id not in visible or not unit.is_active:
            errors["unit"] = [_("Choose an active unit within your jurisdiction.")]
        if region is not None and region.pk not in visible:
            errors["region"] = [_("You may not move a case outside your jurisdiction.")]
        if unit.pk == case.unit_id and (region is None or region.pk == case.region_id):
            errors["unit"] = [_("The case is already with this unit.")]
        elif not unit.may_lead_in(region or case.region):
            errors["unit"] = [
                _("The lead unit must belong to the case's region or the city above it.")
            ]
        if errors:
            raise InvalidInput(errors)
        data = {"unit": [case.unit.name, unit.name], "unit_id": [case.unit_id, unit.pk]}
        if case.co_units.filter(pk=unit.pk).exists():
            # The new lead unit no longer co-operates: it answers for the case.
            case.co_units.remove(unit)
            data["co_unit_now_lead"] = unit.name
        case.unit = unit
        fields = ["unit"]
        if region is not None and region.pk != case.region_id:
            data["region"] = [case.region.name, region.name]
            case.region = region
            fields.append("region")
        case_bump(case, *fields)
        event_record(case, user, Action.REASSIGN, comment=comment.strip(), data=data)
    return case
