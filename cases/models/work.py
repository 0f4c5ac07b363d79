"""The work reported on a case: a finding's milestones (for 序时进度) and progress reports."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from casework import clock


class Milestone(models.Model):
    """A task of a finding's rectification plan with its target date (for 序时进度)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="milestones"
    )
    sequence = models.PositiveIntegerField(_("sequence"), default=1)
    description = models.TextField(_("description"))
    target_date = models.DateField(_("target date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["case", "sequence", "target_date"]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.description[:30]}"


class ProgressReport(models.Model):
    """A dated progress report (调度) on a case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=clock.now)
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["case", "-reported_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.percent}%"
