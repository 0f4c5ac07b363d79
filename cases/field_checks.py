"""Site checks from phones: photos checked from their content, GPS checked for plausibility, and
offline retries answered with the same record (idempotent on the client's UUID)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from cases.models import Action, Case, FieldCheck, FieldCheckPhoto, FieldCheckResult
from cases.rules import may_file_field_check
from cases.services.kernel import case_bump, case_lock, event_record, require
from casework import clock
from casework.errors import Conflict, InvalidInput, NotFound
from casework.models import User

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CLOCK_SKEW = dt.timedelta(minutes=10)  # a phone's clock may run a little ahead


@dataclass(frozen=True)
class Photo:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def photo_inspect(upload: UploadedFile, index: int) -> Photo:
    """Check a photo from its bytes (never its name or declared type)."""
    label = _("Photo %(n)s") % {"n": index + 1}
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput(
            {
                "photos": _("%(photo)s is larger than %(mb)s MB.")
                % {"photo": label, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(
            {
                "photos": _("%(photo)s is larger than %(mb)s MB.")
                % {"photo": label, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            fmt, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(
                    {"photos": _("%(photo)s has too many pixels.") % {"photo": label}}
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise InvalidInput(
            {"photos": _("%(photo)s is not a JPEG, PNG or WebP image.") % {"photo": label}}
        ) from None
    if fmt not in FORMATS:
        raise InvalidInput(
            {"photos": _("%(photo)s is not a JPEG, PNG or WebP image.") % {"photo": label}}
        )
    content_type, extension = FORMATS[fmt]
    return Photo(data, content_type, extension, width, height, hashlib.sha256(data).hexdigest())


def _coordinate(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _fingerprint(values: dict[str, Any], photos: list[Photo]) -> str:
    canonical = json.dumps(
        {**{k: str(v) for k, v in values.items()}, "photos": [p.sha256 for p in photos]},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def field_check_record(
    *,
    case_id: int,
    user: User,
    client_uuid: uuid.UUID,
    checked_at: dt.datetime,
    latitude: float,
    longitude: float,
    result: str,
    photos: list[UploadedFile],
    accuracy_m: float | None = None,
    notes: str = "",
) -> tuple[FieldCheck, bool]:
    """Record a field check; returns it and whether it was created (False: a retry of it)."""
    if not photos:
        raise InvalidInput({"photos": _("Attach at least one photo.")})
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput({"photos": _("At most %(n)s photos.") % {"n": MAX_PHOTOS}})
    if result not in FieldCheckResult.values:
        raise InvalidInput({"result": _("No such choice.")})
    if checked_at > clock.now() + CLOCK_SKEW:
        raise InvalidInput({"checked_at": _("The check cannot be in the future.")})
    if checked_at.year < 2000:  # a phone's unset clock (schemathesis sent the year 7)
        raise InvalidInput({"checked_at": _("The check cannot be before the case was assigned.")})
    inspected = [photo_inspect(photo, i) for i, photo in enumerate(photos)]
    values = {
        "case": case_id,
        "checked_at": checked_at.isoformat(),
        "latitude": _coordinate(latitude),
        "longitude": _coordinate(longitude),
        "accuracy_m": ""
        if accuracy_m is None
        else Decimal(str(accuracy_m)).quantize(Decimal("0.1")),
        "result": result,
        "notes": (notes or "").strip(),
    }
    fingerprint = _fingerprint(values, inspected)

    def replay() -> tuple[FieldCheck, bool] | None:
        existing = FieldCheck.objects.filter(inspector=user, client_uuid=client_uuid).first()
        if existing is None:
            return None
        if existing.case_id != case_id or existing.fingerprint != fingerprint:
            raise Conflict(_("A different field check was already filed with this client_uuid."))
        return existing, False

    if (replayed := replay()) is not None:
        if not Case.objects.visible_to(user).filter(pk=case_id).exists():
            raise NotFound(_("No such case."))  # a retry is still a 404 outside jurisdiction
        return replayed
    try:
        with transaction.atomic():
            case = case_lock(case_id, user)
            require(
                may_file_field_check(user, case), _("You may not file field checks on this case.")
            )
            # A day's grace for phones whose clock or time zone is off.
            if timezone.localdate(checked_at) < case.assigned_on - dt.timedelta(days=1):
                raise InvalidInput(
                    {"checked_at": _("The check cannot be before the case was assigned.")}
                )
            distance = case.region.distance_km(
                float(values["latitude"]), float(values["longitude"])
            )
            far = (
                distance is not None
                and case.region.radius_km is not None
                and (distance > case.region.radius_km)
            )
            check = FieldCheck.objects.create(
                case=case,
                inspector=user,
                client_uuid=client_uuid,
                fingerprint=fingerprint,
                checked_at=checked_at,
                latitude=values["latitude"],
                longitude=values["longitude"],
                accuracy_m=values["accuracy_m"] or None,
                result=result,
                notes=values["notes"],
                far_from_region=far,
            )
            for photo in inspected:
                row = FieldCheckPhoto(
                    field_check=check,
                    stored_name=f"{uuid.uuid4().hex}.{photo.extension}",
                    content_type=photo.content_type,
                    width=photo.width,
                    height=photo.height,
                    size=len(photo.data),
                    sha256=photo.sha256,
                )
                row.image.save(row.stored_name, ContentFile(photo.data), save=False)
                row.save()
            case_bump(case)
            event_record(
                case,
                user,
                Action.FIELD_CHECK,
                comment=check.notes,
                data={
                    "field_check_id": check.pk,
                    "result": result,
                    "far_from_region": far,
                    "photos": len(inspected),
                },
            )
    except IntegrityError:
        # The same check raced in from a parallel retry: answer as a retry.
        if (replayed := replay()) is not None:
            return replayed
        raise
    return check, True
