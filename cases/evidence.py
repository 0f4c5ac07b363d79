"""The evidence file (一案一档): adding material, checked from its bytes (never its name or
declared type), and the whole file as one zip with an index sheet."""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from PIL import Image, UnidentifiedImageError

from cases.actions import action_check
from cases.models import Action, Attachment, Case, EvidenceKind
from cases.services.kernel import case_bump, case_lock, event_record
from casework.errors import InvalidInput
from casework.models import User
from casework.spreadsheets import safe_cell

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 80_000_000
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
OFFICE_FORMATS = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}
ACCEPTED = "PDF、JPEG、PNG、WebP、Word（.docx）、Excel（.xlsx）"


@dataclass(frozen=True)
class Inspected:
    data: bytes
    content_type: str
    extension: str
    sha256: str


def file_inspect(upload: UploadedFile) -> Inspected:
    """What the file is, from its bytes; refuse what is too big or of another kind."""
    too_big = _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    if upload.size is not None and upload.size > MAX_BYTES:
        raise InvalidInput({"file": too_big})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": too_big})
    if not data:
        raise InvalidInput({"file": _("The file is empty.")})
    kind = _sniff(data)
    if kind is None:
        raise InvalidInput(
            {"file": _("Only these kinds of file are accepted: %(kinds)s.") % {"kinds": ACCEPTED}}
        )
    return Inspected(data, kind[0], kind[1], hashlib.sha256(data).hexdigest())


def _sniff(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            for marker, kind in OFFICE_FORMATS.items():
                if marker in names:
                    return kind
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                return None
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        return None
    return IMAGE_FORMATS.get(fmt or "")


def _display_name(name: str, extension: str) -> str:
    """The uploader's name for display and the zip, cleaned: no folders, no control characters."""
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "", (name or "").rsplit("/", 1)[-1]).strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{(stem or 'file')[:150]}.{extension}"


def attachment_add(
    *, case_id: int, user: User, kind: str, upload: UploadedFile, description: str = ""
) -> Attachment:
    """Put material into the case's evidence file."""
    with transaction.atomic():
        case = case_lock(case_id, user)
        action_check("evidence", user=user, case=case)
        errors: dict[str, list[str]] = {}
        if kind not in EvidenceKind.values:
            errors["kind"] = [_("Choose the kind of material.")]
        if len(description or "") > 200:
            errors["description"] = [_("At most 200 characters.")]
        if errors:
            raise InvalidInput(errors)
        inspected = file_inspect(upload)
        stored = f"{uuid.uuid4().hex}.{inspected.extension}"
        attachment = Attachment(
            case=case,
            kind=kind,
            description=(description or "").strip(),
            original_name=_display_name(getattr(upload, "name", ""), inspected.extension),
            stored_name=stored,
            content_type=inspected.content_type,
            size=len(inspected.data),
            sha256=inspected.sha256,
            uploaded_by=user,
        )
        # The stored file is not transactional: removed again if the rows are not written.
        attachment.file.save(stored, ContentFile(inspected.data), save=False)
        try:
            attachment.save()
            case_bump(case)
            event_record(
                case,
                user,
                Action.EVIDENCE_ADD,
                comment=attachment.original_name,
                data={"attachment_id": attachment.pk, "kind": kind, "sha256": inspected.sha256},
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def evidence_zip(case: Case) -> IO[bytes]:
    """The whole evidence file as one zip: an index sheet (00_目录.xlsx) and every item, named
    by its number and kind, in the file's order."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (returned open)
    items = list(case.attachments.select_related("uploaded_by").order_by("kind", "id"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("目录")
    for column, width in zip("ABCDEFGH", (6, 16, 44, 30, 12, 18, 10, 66), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    title = safe_cell(sheet, f"{case.acceptance_number} 一案一档材料目录")
    title = WriteOnlyCell(sheet, value=title) if isinstance(title, str) else title
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    header = ["序号", "材料类型", "文件名", "说明", "上传人", "上传时间", "大小（KB）", "SHA-256"]
    sheet.append([_bold(sheet, text) for text in header])
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            name = f"{number:02d}_{item.get_kind_display()}_{item.original_name}"
            with item.file.open("rb") as handle:
                archive.writestr(name, handle.read())
            person = item.uploaded_by
            row = [
                number,
                str(item.get_kind_display()),
                name,
                item.description,
                person.full_name or person.username,
                timezone.localtime(item.uploaded_at).strftime("%Y-%m-%d %H:%M"),
                round(item.size / 1024, 1),
                item.sha256,
            ]
            sheet.append([safe_cell(sheet, value) for value in row])
        index = io.BytesIO()
        book.save(index)
        archive.writestr("00_目录.xlsx", index.getvalue())
    spooled.seek(0)
    return spooled


def _bold(sheet: object, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell
