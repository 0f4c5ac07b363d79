"""The reminder and escalation engine and message delivery.

- ``reminder_reschedule``: a case's schedule, remade when its deadline or state changes.
- ``reminders_scan``: what is due now, each claimed by a conditional UPDATE so that any number of
  scanners send each reminder once; catches up after an outage by sending the highest rung due.
- ``notify``: inbox rows (exactly once, by dedupe key) and a pending delivery per extra channel.
- ``delivery_attempt``/``deliveries_sweep``: each attempt recorded; transient failures back off,
  permanent ones disable the channel and tell the supervisors.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import OPEN_STATES, Action, Case, CaseEvent, ExtensionRequest, ProgressReport
from cases.selectors import case_today_summary
from casework import clock, workdays
from casework.bulk import bulk_insert
from casework.errors import NotFound
from casework.models import Membership, Region, Role, User
from notifications.models import (
    Audience,
    CaseReminder,
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Heartbeat,
    Kind,
    Level,
    Notification,
    ReminderRule,
)
from notifications.signals import delivery_created
from notifications.transports import PermanentError, TransientError, transport_for

logger = logging.getLogger(__name__)

REMINDER_TIME = dt.time(9, 0)  # reminders go out at 09:00 Asia/Shanghai
MAX_ATTEMPTS = 6
DELIVERY_LEASE = dt.timedelta(minutes=5)  # a claimed attempt not finished by then is retried


# --- schedules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    rule: ReminderRule
    due_at: dt.datetime


def _schedule(deadline: dt.date) -> list[Rung]:
    """The ladder's rungs for ``deadline``, rung by rung: a rung whose day cannot be counted (a
    year beyond the calendar's range) is left out, and the others still go out. Raises
    ``CalendarOutOfRange`` only when no rung can be counted at all."""
    rungs, failure = [], None
    for rule in ReminderRule.objects.filter(is_active=True).order_by("offset_working_days"):
        try:
            day = workdays.shift_working_days(deadline, rule.offset_working_days)
        except workdays.CalendarOutOfRange as exc:
            failure = exc
            continue
        rungs.append(Rung(rule, timezone.make_aware(dt.datetime.combine(day, REMINDER_TIME))))
    if failure is not None and not rungs:
        raise failure
    return sorted(rungs, key=lambda r: r.due_at)


def reminders_recalculate() -> int:
    """After the calendar changed: count the rungs still ahead of each open case again, without
    resending what was sent (its level stays). Returns how many schedules moved."""
    now, moved = clock.now(), 0
    reminders = CaseReminder.objects.filter(
        case__state__in=OPEN_STATES, next_reminder_at__gt=now
    ).select_related("next_rule")
    for reminder in reminders.iterator(chunk_size=500):
        try:
            rungs = _schedule(reminder.deadline)
        except workdays.CalendarOutOfRange:
            continue
        ahead = next((r for r in rungs if r.due_at > now and r.rule.level >= reminder.level), None)
        due_at, rule = (ahead.due_at, ahead.rule) if ahead else (None, None)
        if (due_at, rule) != (reminder.next_reminder_at, reminder.next_rule):
            # Claimed like a scan claims a row, so a scanner that fired meanwhile wins.
            moved += CaseReminder.objects.filter(
                pk=reminder.pk, next_reminder_at=reminder.next_reminder_at
            ).update(next_reminder_at=due_at, next_rule=rule)
    return moved


def _next_rung(rungs: list[Rung], now: dt.datetime, today: dt.date) -> tuple[Rung | None, bool]:
    """The rung to send next, and whether it is already due (catch-up).

    Of the rungs already past, the highest escalation still counts (an overdue case is chased
    at once), and a "before" reminder only on its own day; older reminders are not sent late.
    """
    past = [
        r
        for r in rungs
        if r.due_at <= now
        and (r.rule.offset_working_days > 0 or timezone.localdate(r.due_at) == today)
    ]
    if past:
        return past[-1], True
    future = [r for r in rungs if r.due_at > now]
    return (future[0] if future else None), False


def reminder_reschedule(*, case: Case, force: bool = False) -> CaseReminder:
    """Make the case's schedule anew if its deadline or state changed (or ``force``)."""
    now = clock.now()
    reminder, created = CaseReminder.objects.select_for_update().get_or_create(
        case=case, defaults={"deadline": case.deadline, "state": case.state}
    )
    if not (created or force or reminder.deadline != case.deadline or reminder.state != case.state):
        return reminder
    reminder.deadline, reminder.state = case.deadline, case.state
    if not created:
        reminder.epoch += 1  # a new schedule: its messages get new dedupe keys
    reminder.level = Level.NONE
    reminder.next_rule, reminder.next_reminder_at = None, None
    # A repeat (重复件) is chased through its original, never on its own.
    if case.state in OPEN_STATES and case.duplicate_of_id is None:
        reminder.next_rule, reminder.next_reminder_at = _first_rung(case.deadline, now)
    reminder.save()
    return reminder


def _first_rung(
    deadline: dt.date, now: dt.datetime
) -> tuple[ReminderRule | None, dt.datetime | None]:
    """The rule and moment a new schedule for ``deadline`` starts with. When the official
    calendar of the deadline's year is not known yet: no rule, and a look again three weeks
    before the deadline (or tomorrow), when it may be; the scan then remakes the schedule
    instead of sending anything."""
    try:
        rung, due = _next_rung(_schedule(deadline), now, timezone.localdate(now))
    except workdays.CalendarOutOfRange:
        logger.info("reminders due %s wait for the %s calendar", deadline, deadline.year)
        retry = timezone.make_aware(
            dt.datetime.combine(deadline - dt.timedelta(days=21), REMINDER_TIME)
        )
        return None, max(retry, now + dt.timedelta(days=1))
    if rung is None:
        return None, None
    return rung.rule, now if due else rung.due_at


def reminders_schedule_new(cases: Iterable[Any]) -> int:
    """The first schedule of many cases just put on the ledger at once (an import; each with
    ``id``, ``state``, ``deadline`` and ``duplicate_of_id``), in bulk:
    what ``reminder_reschedule`` makes for one case, counted once per distinct deadline.
    Returns how many schedules were written."""
    now = clock.now()
    ladders: dict[dt.date, tuple[ReminderRule | None, dt.datetime | None]] = {}
    rows = []
    for case in cases:
        if case.state not in OPEN_STATES or case.duplicate_of_id is not None:
            continue
        if case.deadline not in ladders:
            ladders[case.deadline] = _first_rung(case.deadline, now)
        rule, at = ladders[case.deadline]
        rows.append(
            {
                "case_id": case.id,
                "deadline": case.deadline,
                "state": case.state,
                "next_rule_id": rule.pk if rule else None,
                "next_reminder_at": at,
            }
        )
    bulk_insert(CaseReminder, rows)
    return len(rows)


# --- the scan ------------------------------------------------------------------------------------


def reminders_scan(*, limit: int = 1000) -> int:
    """Send every reminder that is due; returns how many rungs were sent."""
    now = clock.now()
    due = list(
        CaseReminder.objects.filter(next_reminder_at__lte=now)
        .order_by("next_reminder_at")
        .values_list("pk", "next_reminder_at")[:limit]
    )
    return sum(_fire(pk, due_at, now) for pk, due_at in due)


def _fire(pk: int, due_at: dt.datetime, now: dt.datetime) -> int:
    with transaction.atomic():
        reminder = CaseReminder.objects.select_related(
            "case__region", "case__unit", "case__source"
        ).get(pk=pk)
        case = reminder.case
        if reminder.next_reminder_at != due_at:
            return 0  # another scanner has it
        if (reminder.deadline, reminder.state) != (case.deadline, case.state) or (
            reminder.next_rule is None
        ):
            # The case changed without its schedule being remade, or the schedule waited for
            # a calendar: remake it, send nothing yet.
            reminder_reschedule(case=case, force=True)
            return 0
        rungs = _schedule(case.deadline)
        start = next((i for i, r in enumerate(rungs) if r.rule == reminder.next_rule), len(rungs))
        # Catching up (the scanner was down, or the case came in late): of the rungs due by now,
        # send only the highest; the lower ones are stale news.
        rung = next((r for r in reversed(rungs[start:]) if r.due_at <= now), None)
        following = next((r for r in rungs[start:] if r.due_at > now), None)
        claimed = CaseReminder.objects.filter(pk=pk, next_reminder_at=due_at).update(
            next_reminder_at=following.due_at if following else None,
            next_rule=following.rule if following else None,
            level=max(reminder.level, rung.rule.level if rung else 0),
            last_sent_at=now,
        )
        if claimed != 1 or rung is None:
            return 0
        _send_rung(case, reminder, rung)
    return 1


def _send_rung(case: Case, reminder: CaseReminder, rung: Rung) -> None:
    today = clock.today()
    context = {
        "case": case,
        "rule": rung.rule,
        "working_days_left": max(-case.working_days_overdue(today), 0),
        "working_days_overdue": max(case.working_days_overdue(today), 0),
        "office": settings.CASEWORK_OFFICE_NAME,
    }
    title, body = _render("notifications/reminder.txt", context)
    notify(
        recipients=audience(case, rung.rule.audience),
        case=case,
        kind=Kind.REMINDER,
        level=rung.rule.level,
        title=title,
        body=body,
        dedupe=f"reminder:{case.pk}:{reminder.epoch}:{rung.rule.pk}:{rung.due_at:%Y%m%d}",
    )


def audience(case: Case, who: str) -> list[User]:
    """The people a rung goes to: officers of the case's county (over its region or above), the
    unit's leaders (leaders of the case's region or of its unit), or the city supervisors."""
    ancestors = case.region.ancestor_ids
    roles = {
        Audience.OFFICERS: Q(role=Role.COUNTY_OFFICER, region_id__in=ancestors),
        Audience.OFFICERS_AND_LEADERS: Q(role=Role.COUNTY_OFFICER, region_id__in=ancestors)
        | Q(role=Role.LEADER, region_id=case.region_id)
        | Q(role=Role.LEADER, unit_id=case.unit_id),
        Audience.SUPERVISORS: Q(role=Role.CITY_SUPERVISOR, region_id__in=ancestors),
    }[who]
    ids = Membership.objects.filter(roles).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


# --- messages ------------------------------------------------------------------------------------


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(template, context).strip()
    title, _, body = text.partition("\n")
    return title.strip()[:200], body.strip()


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str,
    dedupe: str,
    case: Case | None = None,
    level: int = Level.NONE,
) -> list[Notification]:
    """Write each recipient's inbox row (once per dedupe key) and a pending delivery for each
    extra channel they chose; queue the deliveries after the commit."""
    created = []
    for user in recipients:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user,
                    case=case,
                    kind=kind,
                    level=level,
                    title=title,
                    body=body,
                    dedupe_key=f"{dedupe}:{user.pk}"[:200],
                )
        except IntegrityError:
            continue  # already written: a retry or a racing scanner
        created.append(notification)
        for preference in ChannelPreference.objects.filter(user=user, enabled=True):
            delivery = Delivery.objects.create(
                notification=notification,
                channel=preference.channel,
                address=preference.address,
            )
            transaction.on_commit(
                lambda pk=delivery.pk: delivery_created.send(sender=Delivery, delivery_id=pk)
            )
    return created


def delivery_attempt(delivery_id: int) -> str | None:
    """Try one delivery if it is due; returns its new status, or None if it was not due."""
    now = clock.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + DELIVERY_LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    notification = delivery.notification
    try:
        transport_for(delivery.channel).send(
            delivery.address, notification.title, notification.body
        )
    except PermanentError as exc:
        _fail(delivery, str(exc))
        _disable_channel(delivery, str(exc))
    except TransientError as exc:
        if delivery.attempts >= MAX_ATTEMPTS:
            _fail(delivery, f"{exc} (gave up after {delivery.attempts} attempts)")
        else:
            backoff = dt.timedelta(minutes=2 ** (delivery.attempts - 1))
            Delivery.objects.filter(pk=delivery.pk).update(
                last_error=str(exc)[:2000], next_attempt_at=now + backoff
            )
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=clock.now(), last_error=""
        )
    return Delivery.objects.values_list("status", flat=True).get(pk=delivery.pk)


def _fail(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, last_error=error[:2000]
    )


def _disable_channel(delivery: Delivery, reason: str) -> None:
    with transaction.atomic():
        preference = ChannelPreference.objects.filter(
            user=delivery.notification.recipient, channel=delivery.channel, enabled=True
        ).first()
        if preference is None:
            return
        preference.enabled = False
        preference.disabled_reason = reason[:2000]
        preference.save(update_fields=["enabled", "disabled_reason"])
        title, body = _render(
            "notifications/channel_disabled.txt", {"preference": preference, "reason": reason}
        )
        notify(
            recipients=city_people(Role.CITY_SUPERVISOR),
            kind=Kind.SYSTEM,
            title=title,
            body=body,
            dedupe=f"channel-disabled:{preference.pk}:{delivery.pk}",
        )


def deliveries_sweep(*, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come (after a broker outage, a crash, or a
    back-off); returns how many were attempted."""
    now = clock.now()
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(delivery_attempt(pk) is not None for pk in ids)


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


def city_people(*roles: str) -> list[User]:
    """The people holding ``roles`` over the city itself (its office, its leaders)."""
    city = Region.objects.filter(gb_code=settings.CASEWORK_CITY_CODE).first()
    if city is None:
        return []
    return list(
        User.objects.filter(memberships__role__in=roles, memberships__region=city, is_active=True)
        .distinct()
        .order_by("pk")
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
