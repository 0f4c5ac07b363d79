"""One import of a spreadsheet: who brought which file in, what it held, what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework import clock


class ImportKind(models.TextChoices):
    BATCH = "batch", _("Batch handed down (交办)")
    HISTORY = "history", _("History ledger")


class ImportState(models.TextChoices):
    INVALID = "invalid", _("Problems found: nothing written")
    PREVIEWED = "previewed", _("Checked: awaiting confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing written")


class ImportRun(models.Model):
    """An uploaded file and its report. The file is kept so that a confirmation writes exactly
    what was previewed (checked again at that moment), and so the import can be audited."""

    kind = models.CharField(_("kind of file"), max_length=10, choices=ImportKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    source = models.ForeignKey(
        "cases.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    batch_number = models.PositiveIntegerField(_("batch number"), null=True, blank=True)
    handed_down_on = models.DateField(_("handed down on"), null=True, blank=True)
    update_existing = models.BooleanField(
        _("update cases already on the ledger"),
        default=False,
        help_text=_("A row whose acceptance number is already in the source updates that case."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("cases created"), default=0)
    updated = models.PositiveIntegerField(_("cases updated"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"
