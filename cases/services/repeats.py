"""Repeats (重复件): a petition that reports what an earlier one did is linked to it and follows
it — its outcome, its deadlines, its closure — instead of running a lifecycle of its own. Reports
count it once and say how many repeats there are."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases.actions import action_check, who_check
from cases.models import Action, Case, CaseKind
from cases.services.kernel import case_lock, event_record, repeat_mirror
from casework.errors import InvalidInput
from casework.models import User


def repeat_link_check(repeat: Case, original: Case) -> dict[str, list[str]]:
    """Why ``repeat`` cannot be linked to ``original``, by field (empty: it can)."""
    errors: dict[str, list[str]] = {}
    if original.pk == repeat.pk:
        errors["original"] = [_("A case cannot be a repeat of itself.")]
    elif repeat.kind != CaseKind.PETITION or original.kind != CaseKind.PETITION:
        errors["original"] = [_("Only petitions are linked as repeats.")]
    elif original.duplicate_of_id is not None:
        errors["original"] = [
            _("%(number)s is itself a repeat; link to its original %(original)s.")
            % {"number": original.acceptance_number, "original": original.duplicate_of}
        ]
    elif repeat.duplicates.exists():
        errors["original"] = [_("This case has repeats of its own; it cannot become a repeat.")]
    return errors


def case_mark_repeat(*, case_id: int, user: User, original_number: str, comment: str) -> Case:
    """Link a petition to its original (by the original's acceptance number): from now on it
    follows the original."""
    with transaction.atomic():
        repeat = case_lock(case_id, user)
        who_check("repeat", user=user, case=repeat)
        original = (
            Case.objects.visible_to(user)
            .select_for_update(of=("self",), no_key=True)
            .filter(acceptance_number=(original_number or "").strip())
            .exclude(pk=repeat.pk)
            .order_by("pk")
            .first()
        )
        errors: dict[str, list[str]] = {}
        if original is None:
            errors["original_number"] = [_("No case with this acceptance number.")]
        elif repeat.duplicate_of_id == original.pk:
            errors["original_number"] = [_("The case is already a repeat of this one.")]
        else:
            errors = {
                "original_number" if name == "original" else name: messages
                for name, messages in repeat_link_check(repeat, original).items()
            }
        if not (comment or "").strip():
            errors["comment"] = [_("Say why this is a repeat.")]
        if errors:
            raise InvalidInput(errors)
        Case.objects.filter(pk=repeat.pk).update(duplicate_of=original)
        repeat.duplicate_of = original
        repeat_mirror(repeat, original, user, Action.REPEAT_LINK, comment.strip())
    return repeat


def case_unmark_repeat(*, case_id: int, user: User, comment: str) -> Case:
    """Unlink a repeat: it runs its own lifecycle again, from where its original had taken it."""
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("unrepeat", user=user, case=case)
        if not (comment or "").strip():
            raise InvalidInput({"comment": [_("Say why this is not a repeat after all.")]})
        original = case.duplicate_of
        case.duplicate_of = None
        case.version += 1
        case.save(update_fields=["duplicate_of", "version", "updated_at"])
        event_record(
            case,
            user,
            Action.REPEAT_UNLINK,
            comment=comment.strip(),
            data={"original": original.pk, "original_number": original.acceptance_number},
        )
    return case
