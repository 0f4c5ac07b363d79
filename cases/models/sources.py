"""Where cases come from: the source streams of the "1+4" mechanism, inspection rounds and
warning films with their deadline policy, numbered batches, pollution types."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.choices import EvidenceKind
from casework import workdays


class SourceStream(models.Model):
    """One of the source streams of the "1+4" mechanism. Data, so a city can define its own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("source stream")
        verbose_name_plural = _("source streams")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class SourceKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection round")
    LOOKBACK = "lookback", _("Look-back inspection")
    WARNING_FILM = "warning_film", _("Warning film")
    OTHER = "other", _("Other")


def evidence_for_submit_default() -> list[str]:
    return ["rectification_report", "photo_after"]


def evidence_for_close_default() -> list[str]:
    return ["verification_opinion", "notice_capture"]


class Source(models.Model):
    """An inspection round, a look-back or a year's warning film, with its deadline policy."""

    stream = models.ForeignKey(
        SourceStream,
        verbose_name=_("source stream"),
        on_delete=models.PROTECT,
        related_name="sources",
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    report_days = models.PositiveIntegerField(
        _("days to report back"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How many days after assignment a petition's results are due."),
    )
    report_in_working_days = models.BooleanField(
        _("count working days"),
        default=False,
        help_text=_(
            "Count the days to report back in working days (otherwise calendar days, as "
            "while an inspection team is on site)."
        ),
    )
    public_notice = models.BooleanField(
        _("public notice"),
        default=True,
        help_text=_("Verified cases are publicly noticed before closure."),
    )
    notice_working_days = models.PositiveIntegerField(
        _("notice window (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # The evidence file's checklist (一案一档): kinds of material (cases.models.EvidenceKind)
    # that must be on file before a case goes to verification, and before it is closed out.
    evidence_for_submit = models.JSONField(
        _("evidence required to apply for verification"),
        default=evidence_for_submit_default,
        blank=True,
    )
    evidence_for_close = models.JSONField(
        _("evidence required to close out"), default=evidence_for_close_default, blank=True
    )
    followup_required = models.BooleanField(
        _("follow-up required"),
        default=True,
        help_text=_("Petitions are followed up with the complainant (回访) before close-out."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["stream__sort_order", "-year", "name"]

    def __str__(self) -> str:
        return self.name

    def report_deadline(self, assigned_on: dt.date) -> dt.date:
        """When results are due for a petition assigned on ``assigned_on``."""
        return workdays.add_days(assigned_on, self.report_days, working=self.report_in_working_days)

    def evidence_required(self, stage: str) -> list[str]:
        """The kinds of material required before ``stage`` ("submit" or "close")."""
        kinds = list(self.evidence_for_submit if stage == "submit" else self.evidence_for_close)
        if not self.public_notice:
            kinds = [k for k in kinds if k != "notice_capture"]
        return kinds

    def clean(self) -> None:
        errors = {}
        for name in ("evidence_for_submit", "evidence_for_close"):
            value = getattr(self, name)
            if not isinstance(value, list) or any(k not in EvidenceKind.values for k in value):
                errors[name] = _("List kinds of material from: %(kinds)s.") % {
                    "kinds": ", ".join(EvidenceKind.values)
                }
        if errors:
            raise ValidationError(errors)

    def notice_end(self, verified_on: dt.date) -> dt.date | None:
        """The last day of the public-notice window opened on ``verified_on``, if any."""
        if not self.public_notice:
            return None
        return workdays.add_working_days(verified_on, self.notice_working_days)


class Batch(models.Model):
    """A numbered batch of petitions handed down on one day (交办批次, "第N批")."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="batches"
    )
    number = models.PositiveIntegerField(_("batch number"), validators=[MinValueValidator(1)])
    handed_down_on = models.DateField(_("handed down on"))

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["source", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "number"], name="batch_unique_number"),
        ]

    def __str__(self) -> str:
        return _("%(source)s, batch %(number)s") % {"source": self.source, "number": self.number}


class PollutionType(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("pollution type")
        verbose_name_plural = _("pollution types")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name
