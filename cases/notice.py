"""The public notice before close-out (整改销号公示): its dates, its text in the form Jiangxi's
counties publish, and the objections citizens file on the public page."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import action_check
from cases.models import Action, Case, Objection
from cases.services.kernel import case_bump, case_lock, event_record
from casework import clock, workdays
from casework.errors import InvalidInput, NotFound
from casework.models import User

MAX_OBJECTION_CHARS = 2000


def notice_publish(*, case_id: int, user: User, starts_on: dt.date) -> Case:
    """Set the day the notice was really published; its end (10 working days by default) is
    counted from it."""
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("notice", user=user, case=case)
        verified_on = timezone.localdate(case.verified_at) if case.verified_at else case.assigned_on
        if starts_on < verified_on:
            raise InvalidInput(
                {
                    "starts_on": _("The notice cannot start before the verification (%(day)s).")
                    % {"day": verified_on.isoformat()}
                }
            )
        if starts_on > clock.today() + dt.timedelta(days=30):
            raise InvalidInput({"starts_on": _("Set a publication day within the next 30 days.")})
        old = (case.notice_starts_on, case.notice_ends_on)
        case.notice_starts_on = starts_on
        case.notice_ends_on = case.source.notice_end(starts_on)
        case.notice_ends_provisional = workdays.span_is_provisional(starts_on, case.notice_ends_on)
        case_bump(case, "notice_starts_on", "notice_ends_on", "notice_ends_provisional")
        event_record(
            case,
            user,
            Action.NOTICE_PUBLISH,
            comment=_("Notice from %(start)s to %(end)s")
            % {"start": starts_on.isoformat(), "end": case.notice_ends_on.isoformat()},
            data={
                "old": [d.isoformat() if d else None for d in old],
                "new": [starts_on.isoformat(), case.notice_ends_on.isoformat()],
            },
        )
    return case


def chinese_date(day: dt.date) -> str:
    """2025-05-21 → 2025年5月21日, as notices and reports write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_text(case: Case) -> dict[str, str]:
    """The notice as counties publish it: a title, 一、二、三, the window and whom to contact."""
    unit = case.unit
    starts, ends = case.notice_starts_on, case.notice_ends_on
    # Counted as the window was: the working days after publication, up to its last day.
    days = workdays.working_days_between(starts, ends) if starts and ends else 0
    window = (
        f"{chinese_date(starts)}至{chinese_date(ends)}，共{days}个工作日"
        if starts and ends
        else "—"
    )
    handled = case.rectification_account or case.investigation or "—"
    if case.truth_finding == "false":
        handled = f"经调查核实，该信访件反映问题不属实。{case.investigation}".strip()
    return {
        "title": f"关于{case.acceptance_number}号{case.get_kind_display()}整改销号情况的公示",
        "problem": case.summary,
        "rectification": handled,
        "verification": case.verification_conclusion or "—",
        "window": window,
        "unit": unit.name,
        "phone": unit.contact_phone or "—",
        "address": unit.contact_address or "—",
        "closing": (
            f"公示期间，如对上述整改情况有异议，可通过本页面或以电话、信函等方式向{unit.name}反映。"
        ),
    }


def objection_file_public(*, case_id: int, content: str, contact: str = "") -> Objection:
    """A citizen's objection from the public notice page: it arrives on the case as pending and
    stops the close-out until a supervisor decides it."""
    content = (content or "").strip()
    errors: dict[str, list[str]] = {}
    if not content:
        errors["content"] = [_("Please write what you object to.")]
    elif len(content) > MAX_OBJECTION_CHARS:
        errors["content"] = [_("At most %(n)s characters, please.") % {"n": MAX_OBJECTION_CHARS}]
    if len(contact or "") > 100:
        errors["contact"] = [_("At most 100 characters.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        case = (
            Case.objects.in_public_notice(clock.today())
            .select_for_update(of=("self",), no_key=True)
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise NotFound(_("This case is not under public notice."))
        objection = Objection.objects.create(
            case=case,
            content=content,
            contact=(contact or "").strip(),
            received_on=clock.today(),
            recorded_by=None,
            from_public_page=True,
        )
        case_bump(case)
        event_record(
            case,
            None,
            Action.OBJECTION_RECORD,
            comment=content,
            data={"objection_id": objection.pk, "channel": "public"},
        )
    return objection
