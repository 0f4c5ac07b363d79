"""What supervision keeps: a batch's 一览表 as it was published, frozen; ledger exports too large
for a request, written by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Batch
from casework import clock


def publication_path(publication: Publication, filename: str) -> str:
    return f"publications/{clock.now():%Y}/{filename}"


class Publication(models.Model):
    """A batch's public disclosure table (公开情况一览表) as published: the workbook and its rows,
    with the file's SHA-256. Never changed: later exports of the batch may differ, this does not."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="publications"
    )
    published_on = models.DateField(_("published on"))
    published_at = models.DateTimeField(_("recorded at"), default=clock.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=publication_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.JSONField(_("rows as published"))
    case_count = models.PositiveIntegerField(_("cases"))

    class Meta:
        verbose_name = _("published 一览表")
        verbose_name_plural = _("published 一览表")
        ordering = ["batch", "-published_at"]

    def __str__(self) -> str:
        return f"{self.batch} {self.published_on:%Y-%m-%d}"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired: export again")


def export_path(run: ExportRun, filename: str) -> str:
    return f"exports/{clock.now():%Y/%m}/{filename}"


class ExportRun(models.Model):
    """A ledger export written by a worker (a city's ledger runs to a million rows): what the
    person's case list found when they asked, the rows written so far, and the file."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The case list's query string (its filters and search), read again as the person.
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=clock.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"台账 {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
