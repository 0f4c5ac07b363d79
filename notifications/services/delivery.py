"""Messages: inbox rows (exactly once, by dedupe key) and a pending delivery per extra channel;
each delivery attempt recorded, transient failures backing off, permanent ones disabling the
channel and telling the supervisors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string

from cases.models import Case
from casework import clock
from casework.bulk import bulk_insert
from casework.models import Region, Role, User
from notifications.models import (
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    Kind,
    Level,
    Notification,
)
from notifications.signals import delivery_created
from notifications.transports import PermanentError, TransientError, transport_for

MAX_ATTEMPTS = 6


def delivery_lease() -> dt.timedelta:
    """How long a worker's claim on a delivery holds: an attempt not finished by then is made
    again by the sweep (the worker died mid-delivery)."""
    return dt.timedelta(seconds=settings.CASEWORK_DELIVERY_LEASE_SECONDS)


# --- messages ------------------------------------------------------------------------------------


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(template, context).strip()
    title, _, body = text.partition("\n")
    return title.strip()[:200], body.strip()


def dedupe_key(dedupe: str, user: User) -> str:
    """A message's key for one recipient: the inbox holds each key once."""
    return f"{dedupe}:{user.pk}"[:200]


@dataclass(frozen=True)
class Message:
    recipients: list[User]
    kind: str
    title: str
    body: str
    dedupe: str
    case: Case | None = None
    level: int = Level.NONE


def notify_many(messages: list[Message]) -> int:
    """``notify`` for many messages at once, in a few queries whatever their number: for a
    caller that holds the rows the messages come from locked (the reminder scan), so no one
    else writes the same keys meanwhile; a key already in the inbox is left out. Returns how
    many inbox rows were written."""
    now = clock.now()
    rows = [
        {
            "recipient_id": user.pk,
            "case_id": message.case.pk if message.case else None,
            "kind": message.kind,
            "level": message.level,
            "title": message.title,
            "body": message.body,
            "dedupe_key": dedupe_key(message.dedupe, user),
            "created_at": now,
        }
        for message in messages
        for user in message.recipients
    ]
    there = set(
        Notification.objects.filter(dedupe_key__in=[r["dedupe_key"] for r in rows]).values_list(
            "dedupe_key", flat=True
        )
    )
    rows = list({r["dedupe_key"]: r for r in rows if r["dedupe_key"] not in there}.values())
    bulk_insert(Notification, rows)
    channels: dict[int, list[ChannelPreference]] = defaultdict(list)
    for preference in ChannelPreference.objects.filter(
        user_id__in={r["recipient_id"] for r in rows}, enabled=True
    ):
        channels[preference.user_id].append(preference)
    deliveries = [
        {"notification_id": r["id"], "channel": p.channel, "address": p.address}
        for r in rows
        for p in channels[r["recipient_id"]]
    ]
    bulk_insert(Delivery, deliveries)
    for delivery in deliveries:
        transaction.on_commit(
            lambda pk=delivery["id"]: delivery_created.send(sender=Delivery, delivery_id=pk)
        )
    return len(rows)


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
                    dedupe_key=dedupe_key(dedupe, user),
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
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + delivery_lease())
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
