"""The ledger (台账): source streams, sources, batches and cases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
