"""What supervisors decide on a case: extension requests, objections during the public
notice, and dates the official calendar would move earlier."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.choices import ExtensionStatus, ObjectionStatus
from casework import clock


class Decision(models.Model):
    """Who decided a request or an objection, when, and why."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        abstract = True


class ExtensionRequest(Decision):
    """A request to move a case's deadline (延期), made before the deadline, decided by the city."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    reason = models.TextField(_("reason"))
    current_deadline = models.DateField(_("deadline when requested"))
    requested_deadline = models.DateField(_("requested deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )

    class Meta(Decision.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.requested_deadline}"


class Objection(Decision):
    """An objection raised during a verified case's public notice (公示异议)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("content"))
    # Recorded by a supervisor, or filed by a citizen on the public notice page (no one).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    from_public_page = models.BooleanField(_("filed on the public page"), default=False)
    contact = models.CharField(_("objector's contact"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.PENDING,
    )

    class Meta(Decision.Meta):
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"


class RecomputationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("New date applied")
    KEPT = "kept", _("Earlier date kept")


class DateRecomputation(models.Model):
    """A date computed on a provisional year that the official year would move *earlier*.

    Moving a deadline or a notice window earlier can make a case late or cut an objection window
    short, so it is never done silently: supervisors confirm each one (cases.calendar).
    """

    FIELDS = {"deadline": _("deadline"), "notice_ends_on": _("public notice ends on")}

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="recomputations"
    )
    field = models.CharField(_("date"), max_length=20, choices=[(k, v) for k, v in FIELDS.items()])
    current_date = models.DateField(_("current date"))
    official_date = models.DateField(_("date on the official calendar"))
    calendar_year = models.PositiveIntegerField(_("calendar year"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecomputationStatus.choices,
        default=RecomputationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("found at"), default=clock.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("date moved earlier by the official calendar")
        verbose_name_plural = _("dates moved earlier by the official calendar")
        ordering = ["status", "current_date", "pk"]
        constraints = [
            # One open question per date of a case: entering a year twice does not ask twice.
            models.UniqueConstraint(
                fields=["case", "field"],
                condition=models.Q(status="pending"),
                name="recomputation_one_pending_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.current_date} → {self.official_date}"


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    VISIT = "visit", _("In person")
    SMS = "sms", _("By text message")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class FollowUpDecision(models.TextChoices):
    REOPENED = "reopened", _("Sent back for rectification")
    ACCEPTED = "accepted", _("Closure allowed, with the reason recorded")


class FollowUp(Decision):
    """A follow-up with the complainant before close-out (回访) and their satisfaction. A
    dissatisfied one waits for a supervisor: send the case back, or allow closure with a reason."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    visited_on = models.DateField(_("followed up on"))
    method = models.CharField(_("method"), max_length=10, choices=FollowUpMethod.choices)
    result = models.CharField(_("satisfaction"), max_length=15, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=FollowUpDecision.choices, blank=True
    )

    class Meta(Decision.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["case", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.visited_on} {self.get_result_display()}"

    @property
    def awaits_decision(self) -> bool:
        return self.result == Satisfaction.UNSATISFIED and not self.decision
