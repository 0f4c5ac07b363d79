"""The case's evidence file (一案一档): typed attachments, checked from their bytes, kept for the
look-back inspections that audit exactly this file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from cases.models.choices import EvidenceKind
from casework import clock


def attachment_path(attachment: Attachment, filename: str) -> str:
    # Never the uploader's file name: a server-made name under the case's folder.
    return f"evidence/{attachment.case_id}/{attachment.stored_name}"


class Attachment(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind of material"), max_length=30, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(_("stored name"), max_length=80, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)

    class Meta:
        verbose_name = _("evidence file item")
        verbose_name_plural = _("evidence file")
        ordering = ["case", "kind", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="attachment_case_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"
