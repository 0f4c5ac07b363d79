"""What the system tells people besides reminders: a case's events to those concerned, the weekly
circular, the monthly dispatch (调度) chase, the daily digest, the beat's heartbeat and the
inbox's read marks."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef

from cases.models import Action, Case, CaseEvent, ExtensionRequest, ProgressReport
from cases.selectors import case_today_summary
from casework import clock
from casework.errors import NotFound
from casework.models import Membership, Region, Role, User
from notifications.models import (
    Audience,
    Heartbeat,
    Kind,
    Level,
    Notification,
)
from notifications.services.delivery import (
    _render,
    city_people,
    notify,
)
from notifications.services.reminders import (
    audience,
    reminder_reschedule,
)

# --- events, digests and circulars ---------------------------------------------------------------

EVENT_AUDIENCE = {
    Action.CREATE: Audience.OFFICERS,
    Action.REJECT: Audience.OFFICERS,
    Action.REOPEN: Audience.OFFICERS,
    Action.REASSIGN: Audience.OFFICERS,
    Action.RECOMPUTE: Audience.OFFICERS,
}


def on_case_event(event: CaseEvent) -> None:
    """Inside the change's transaction: remake the reminder schedule and tell who should know."""
    case = event.case
    # Linked as a repeat or unlinked: chased through the original, or on its own again.
    relinked = event.action in (Action.REPEAT_LINK, Action.REPEAT_UNLINK)
    reminder_reschedule(case=case, force=relinked)
    recipients: list[User] = []
    if event.action in EVENT_AUDIENCE:
        recipients = audience(case, EVENT_AUDIENCE[event.action])
    elif event.action in (Action.EXTENSION_APPROVE, Action.EXTENSION_REJECT):
        request = (
            ExtensionRequest.objects.filter(pk=event.data.get("extension_request_id"))
            .select_related("requested_by")
            .first()
        )
        recipients = [request.requested_by] if request else []
    # Named as a co-operating unit (配合单位), at assignment or later: its officers are told.
    named_key = {Action.CREATE: "co_unit_ids", Action.CO_UNITS: "added"}.get(event.action)
    named = event.data.get(named_key) if named_key else None
    if named:
        regions = Region.objects.filter(units__pk__in=named)
        ancestors = {pk for region in regions for pk in region.ancestor_ids}
        ids = Membership.objects.filter(role=Role.COUNTY_OFFICER, region_id__in=ancestors)
        known = {u.pk for u in recipients}
        recipients += [
            u
            for u in User.objects.filter(pk__in=ids.values("user_id"), is_active=True)
            if u.pk not in known
        ]
    recipients = [u for u in recipients if u.pk != event.actor_id]
    if not recipients:
        return
    title, body = _render("notifications/event.txt", {"event": event, "case": case})
    notify(
        recipients=recipients,
        case=case,
        kind=Kind.EVENT,
        title=title,
        body=body,
        dedupe=f"event:{event.pk}",
    )


def circular_send() -> int:
    """The weekly circular (通报): everything overdue, to the city's supervisors and leaders."""
    today = clock.today()
    sent = 0
    for user in city_people(Role.CITY_SUPERVISOR, Role.LEADER):
        cases = list(
            Case.objects.visible_to(user)
            .overdue(today)
            .select_related("region", "unit")
            .order_by("deadline")[:200]
        )
        for case in cases:
            case.days_overdue = case.calendar_days_overdue(today)
        title, body = _render("notifications/circular.txt", {"cases": cases, "today": today})
        year, week, _ = today.isocalendar()
        sent += len(
            notify(
                recipients=[user],
                kind=Kind.CIRCULAR,
                level=Level.CIRCULAR,
                title=title,
                body=body,
                dedupe=f"circular:{year}-W{week:02d}",
            )
        )
    return sent


def dispatch_period(today: dt.date, day: int | None = None) -> tuple[dt.date, dt.date]:
    """The monthly dispatch's current period: from the dispatch day before the last one to the
    last one on or before ``today`` (the day clamped to short months)."""
    day = day or settings.CASEWORK_DISPATCH_DAY

    def on(year: int, month: int) -> dt.date:
        return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def before(year: int, month: int) -> tuple[int, int]:
        return (year - 1, 12) if month == 1 else (year, month - 1)

    end = on(today.year, today.month)
    if end > today:
        end = on(*before(today.year, today.month))
    start = on(*before(end.year, end.month))
    return start, end


def dispatch_chase() -> int:
    """月度调度: each case that owed a progress report for the period just ended and has filed
    none since the period began is chased once, its county's officers told; returns how many
    cases were chased (a second run in the same period chases none). Cases assigned during the
    period owe from the next one."""
    today = clock.today()
    start, end = dispatch_period(today)
    reported = ProgressReport.objects.filter(case=OuterRef("pk"), reported_at__date__gt=start)
    missing = (
        Case.objects.owing_progress()
        .filter(assigned_on__lte=start)
        .exclude(Exists(reported))
        .select_related("region", "unit")
        .order_by("pk")
    )
    chased = 0
    officers: dict[int, list[User]] = {}  # by region: one lookup per county, not per case
    for case in missing.iterator(chunk_size=500):
        if case.region_id not in officers:
            officers[case.region_id] = audience(case, Audience.OFFICERS)
        title, body = _render(
            "notifications/dispatch.txt",
            {
                "case": case,
                "start": start,
                "end": end,
                "office": settings.CASEWORK_OFFICE_NAME,
            },
        )
        written = notify(
            recipients=officers[case.region_id],
            case=case,
            kind=Kind.DISPATCH,
            level=Level.REMINDER,
            title=title,
            body=body,
            dedupe=f"dispatch:{case.pk}:{end:%Y%m}",
        )
        chased += bool(written)
    return chased


def digest_send() -> int:
    """The supervisors' daily digest."""
    today = clock.today()
    sent = 0
    for user in city_people(Role.CITY_SUPERVISOR):
        title, body = _render(
            "notifications/digest.txt", {"summary": case_today_summary(user=user), "today": today}
        )
        sent += len(
            notify(
                recipients=[user],
                kind=Kind.DIGEST,
                title=title,
                body=body,
                dedupe=f"digest:{today:%Y%m%d}",
            )
        )
    return sent


def heartbeat(name: str, *, started: dt.datetime, error: str = "") -> None:
    values = {"last_started_at": started, "last_error": error[:2000]}
    if not error:
        values["last_success_at"] = clock.now()
    Heartbeat.objects.update_or_create(name=name, defaults=values)


def notification_mark_read(*, notification_id: int, user: User) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification
