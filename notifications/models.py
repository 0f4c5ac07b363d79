"""Reminders, escalation and notifications.

The database is the source of truth: each open case has a ``CaseReminder`` row holding when its
next reminder is due (indexed), claimed by the scanner with a conditional UPDATE; every message is
a ``Notification`` row (the in-app inbox) written before any delivery, and every external delivery
a ``Delivery`` row that records each attempt. The broker only carries wake-ups.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework import clock


class Level(models.IntegerChoices):
    """The rungs of Jiangxi's ladder (提醒 → 催办 → 督办函告 → 通报 → 约谈 → 挂牌督办), each higher
    than the one before; a case stands on the highest sent for its current deadline."""

    NONE = 0, _("None")
    REMINDER = 1, _("Reminder")
    CHASE = 2, _("Chase")
    SUPERVISE = 3, _("Supervision")
    CIRCULAR = 4, _("Circular")
    INTERVIEW = 5, _("Interview")
    LISTED = 6, _("Listed supervision")


class Audience(models.TextChoices):
    OFFICERS = "officers", _("The unit's officers")
    OFFICERS_AND_LEADERS = "officers_leaders", _("The unit's officers and its leader")
    SUPERVISORS = "supervisors", _("City supervisors")


class ReminderRule(models.Model):
    """One rung of the ladder: N working days before (negative) or after (positive) the deadline."""

    name = models.CharField(_("name"), max_length=50)
    offset_working_days = models.IntegerField(
        _("working days from the deadline"),
        help_text=_("Negative: before the deadline; 0: on the day; positive: after it."),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    message = models.TextField(
        _("what the unit is asked to do"),
        blank=True,
        help_text=_(
            "The message's instruction, as the city office words this rung (blank: the "
            "standard wording)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["offset_working_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["offset_working_days"], name="reminder_rule_unique_offset"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CaseReminder(models.Model):
    """Where a case stands on the ladder, and when its next rung is due."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="reminder"
    )
    # The schedule was made for this deadline and state; when either changes it is made anew
    # (a new epoch), so an extension or a state change resets what is due.
    deadline = models.DateField(_("deadline the schedule was made for"))
    state = models.CharField(_("state the schedule was made for"), max_length=20)
    epoch = models.PositiveIntegerField(_("schedule number"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True)
    next_rule = models.ForeignKey(
        ReminderRule,
        verbose_name=_("next rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=Level.choices, default=Level.NONE
    )
    last_sent_at = models.DateTimeField(_("last reminder sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case reminder")
        verbose_name_plural = _("case reminders")
        indexes = [
            # The scanner: WHERE next_reminder_at <= now, only rows that have something due.
            models.Index(
                fields=["next_reminder_at"],
                condition=models.Q(next_reminder_at__isnull=False),
                name="reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"


class Kind(models.TextChoices):
    REMINDER = "reminder", _("Deadline reminder")
    CIRCULAR = "circular", _("Weekly circular")
    DIGEST = "digest", _("Daily digest")
    DISPATCH = "dispatch", _("Monthly dispatch")
    EVENT = "event", _("Case event")
    SYSTEM = "system", _("System")


class Notification(models.Model):
    """One message to one person: their in-app inbox row, written before any delivery."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.NONE)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    # Makes a message exactly-once: a retry or a racing scanner cannot write it twice.
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox and its unread count.
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Chat group robot (webhook)")
    SMS = "sms", _("SMS")


MOBILE = re.compile(r"1[3-9]\d{9}")


class ChannelPreference(models.Model):
    """A person's wish to also receive notifications on a channel, at an address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="channel_preferences",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(
        _("address"),
        max_length=500,
        help_text=_("Email address, robot webhook URL, or mobile number."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channel_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_channel_display()}"

    def clean(self) -> None:
        """The address must suit its channel; a webhook only to an allowed robot host."""
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        from notifications.outbound import Refused, webhook_destination

        address = (self.address or "").strip()
        try:
            if self.channel == Channel.WEBHOOK:
                webhook_destination(address)
            elif self.channel == Channel.EMAIL:
                validate_email(address)
            elif self.channel == Channel.SMS and not MOBILE.fullmatch(address):
                raise ValidationError(_("Enter a mainland mobile number (11 digits)."))
        except Refused as exc:
            raise ValidationError({"address": str(exc)}) from exc
        except ValidationError as exc:
            raise ValidationError({"address": exc.messages}) from exc
        self.address = address


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One notification on one external channel, with its attempts."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=clock.now)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            # The delivery sweep: pending rows whose next attempt has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel} {self.status}"


class Heartbeat(models.Model):
    """When a periodic job last ran and last succeeded, so a silent scheduler is visible."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


class SentRung(Notification):
    """The ladder's messages sent to units in the city office's name (催办 and above): what the
    office has said to whom, and whether it was read."""

    class Meta:
        proxy = True
        verbose_name = _("message sent in the office's name")
        verbose_name_plural = _("messages sent in the office's name")
