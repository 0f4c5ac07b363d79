"""Site checks filed from phones, with their photos."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case
from casework import clock


class FieldCheckResult(models.TextChoices):
    RECTIFIED = "rectified", _("Rectified")
    PARTLY = "partly", _("Partly rectified")
    NOT_RECTIFIED = "not_rectified", _("Not rectified")
    NOT_FOUND = "not_found", _("Problem not found on site")


def field_check_photo_path(photo: FieldCheckPhoto, filename: str) -> str:
    # Never the client's file name: a server-made name under the case's folder.
    return f"field_checks/{photo.field_check.case_id}/{photo.stored_name}"


class FieldCheck(models.Model):
    """A site check (现场核查) with GPS and photos, filed from a phone, often after the fact."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="field_checks"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Chosen by the client once per check; a retry with the same UUID returns the same record.
    # The phone's own id for the check, unique per inspector: a retry finds its own record, and
    # someone else's key reveals nothing.
    client_uuid = models.UUIDField(_("client UUID"))
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    checked_at = models.DateTimeField(_("checked at"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accuracy_m = models.DecimalField(
        _("GPS accuracy (m)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    far_from_region = models.BooleanField(
        _("far from the case's region"),
        default=False,
        help_text=_("The position lies well outside the case's county: worth a second look."),
    )
    result = models.CharField(_("result"), max_length=20, choices=FieldCheckResult.choices)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("received at"), default=clock.now)

    class Meta:
        verbose_name = _("field check")
        verbose_name_plural = _("field checks")
        ordering = ["case", "-checked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "client_uuid"], name="fieldcheck_client_uuid_per_inspector"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.checked_at:%Y-%m-%d}"


class FieldCheckPhoto(models.Model):
    field_check = models.ForeignKey(
        FieldCheck, verbose_name=_("field check"), on_delete=models.CASCADE, related_name="photos"
    )
    stored_name = models.CharField(_("stored name"), max_length=80, editable=False)
    image = models.FileField(_("photo"), upload_to=field_check_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=30)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("field check photo")
        verbose_name_plural = _("field check photos")
        ordering = ["field_check", "id"]

    def __str__(self) -> str:
        return self.stored_name
