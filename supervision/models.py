"""What supervision keeps: a batch's 一览表 as it was published, frozen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
