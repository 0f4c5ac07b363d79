"""The kernel every service of the ledger is built on: lock the case within the user's scope,
refuse with a domain error, set a field with its model's validation, write the event row (and
send the signals), bump the version. Services elsewhere in ``cases`` (field checks, the calendar)
use these openly; nothing outside ``cases`` should need them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from cases.models import (
    Action,
    Case,
    CaseEvent,
    CaseKind,
    PollutionType,
    standings_rebuild,
)
from cases.signals import case_event_recorded
from casework.errors import (
    ConcurrentEdit,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from casework.models import Region, User


def require(allowed: bool, message: str | Promise | None = None) -> None:
    """Refuse (403) unless ``allowed``: the answer of a rule in ``cases.rules``."""
    if not allowed:
        raise PermissionDenied(str(message or _("You may not do this on this case.")))


def case_lock(case_id: int, user: User, expected_version: int | None = None) -> Case:
    """The case, locked for this transaction, if the user may see it; else NotFound."""
    try:
        case = (
            Case.objects.visible_to(user)
            # The case's row only (not its source's and region's, joined for reading), and
            # FOR NO KEY UPDATE: rows written meanwhile that merely refer to the case (a
            # reminder's messages, an event) are not blocked, so no lock cycle with the scan.
            .select_for_update(of=("self",), no_key=True)
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


def visible_child(model: type[models.Model], pk: int, user: User, missing: str) -> Any:
    """A row that belongs to a case (a milestone, a request, an objection), if the user may see
    the case; else NotFound, which says nothing about other counties' rows."""
    row = model.objects.filter(pk=pk, case__in=Case.objects.visible_to(user)).first()
    if row is None:
        raise NotFound(missing)
    return row


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def field_set(case: Case, name: str, value: Any, errors: dict[str, list[str]]) -> None:
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


def json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def event_record(
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
    """Write the event row for a change (and the case's standings derived from its trail), and
    send the commit signal once the change is durable.

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
    standings_rebuild([case.pk])
    case_event_recorded.send(sender=CaseEvent, event=event)
    if action in FOLLOWED_ACTIONS and case.kind == CaseKind.PETITION:
        repeats_follow(case, event)
    return event


# --- repeats (重复件): they follow their original ------------------------------------------------

# What a repeat takes over from its original, whenever the original's lifecycle moves.
MIRRORED_FIELDS = (
    "state",
    "feedback_outcome",
    "fed_back_at",
    "feedback_deadline",
    "rectification_deadline",
    "deadline",
    "deadline_provisional",
    "started_at",
    "submitted_at",
    "verified_at",
    "notice_starts_on",
    "notice_ends_on",
    "notice_ends_provisional",
    "closed_at",
    "stage_concluded_at",
    "truth_finding",
    "investigation",
    "rectification_measures",
    "rectification_account",
    "accountability_account",
    "verification_conclusion",
)
FOLLOWED_ACTIONS = {
    Action.START,
    Action.SUBMIT,
    Action.VERIFY,
    Action.REJECT,
    Action.CLOSE,
    Action.REOPEN,
    Action.FEEDBACK,
    Action.UPDATE,
    Action.EXTENSION_APPROVE,
    Action.NOTICE_PUBLISH,
    Action.RECOMPUTE,
}


def repeat_mirror(
    repeat: Case, original: Case, user: User | None, action: str, comment: str
) -> None:
    """Make ``repeat`` what its original is now (state, outcome, dates, findings) and write the
    repeat's event. The state is written by UPDATE: a repeat's lifecycle is its original's."""
    values: dict[str, Any] = {name: getattr(original, name) for name in MIRRORED_FIELDS}
    # A repeat handed down after its original's deadline keeps its own date as the floor.
    values["deadline"] = max(original.deadline, repeat.assigned_on)
    from_state, deadline_before = repeat.state, repeat.deadline
    Case.objects.filter(pk=repeat.pk).update(
        **values, version=models.F("version") + 1, updated_at=timezone.now()
    )
    repeat.refresh_from_db()
    moved = repeat.state != from_state
    event_record(
        repeat,
        user,
        action,
        comment=comment,
        from_state=from_state if moved or action == Action.REPEAT_LINK else "",
        to_state=repeat.state if moved or action == Action.REPEAT_LINK else "",
        deadline_before=deadline_before,
        data={"original": original.pk, "original_number": original.acceptance_number},
    )


def repeats_follow(original: Case, event: CaseEvent) -> None:
    """After a change to an original, its repeats follow it (each with its own event)."""
    for repeat in (
        Case.objects.select_for_update(no_key=True).filter(duplicate_of=original).order_by("pk")
    ):
        repeat_mirror(
            repeat,
            original,
            event.actor,
            Action.REPEAT_FOLLOW,
            _("Followed the original %(number)s: %(action)s")
            % {"number": original.acceptance_number, "action": event.get_action_display()},
        )


def case_bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


# full_clean() would assign every field, and a protected FSM field refuses assignment.
PROTECTED_FIELDS = ["state"]


def visible_region_ids(user: User) -> set[int]:
    return set(Region.objects.visible_to(user).values_list("pk", flat=True))


def pollution_types_resolve(values: Iterable[PollutionType | str]) -> list[PollutionType]:
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


def full_clean_or_invalid(obj: models.Model, *, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput({n: list(m) for n, m in exc.message_dict.items()}) from None
