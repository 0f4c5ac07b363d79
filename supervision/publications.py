"""Publishing a batch's 一览表: the table is written once, kept with its checksum, and served
only as it was (a copy whose bytes no longer match is refused, never silently replaced)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Batch, Case
from cases.rules import is_city_supervisor
from casework import clock
from casework.errors import InvalidInput, NotFound, PermissionDenied
from casework.models import User
from supervision.exports import (
    DISCLOSURE_COLUMNS,
    disclosure_heading,
    table_rows,
    table_workbook,
)
from supervision.models import Publication


def publication_create(
    *, batch_id: int, user: User, published_on: dt.date | None = None
) -> Publication:
    """Freeze the batch's 一览表 as published today (or on ``published_on``). Supervisors only."""
    if not is_city_supervisor(user):
        raise PermissionDenied(_("Only a city supervisor may publish a batch's table."))
    batch = Batch.objects.select_related("source").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No such batch."))
    published_on = published_on or clock.today()
    if published_on > clock.today():
        raise InvalidInput({"published_on": [_("A table is published today or was before.")]})
    cases = Case.objects.visible_to(user).filter(batch=batch).order_by("acceptance_number")
    if not cases.exists():
        raise InvalidInput({"batch": [_("The batch has no cases to publish.")]})
    names = [name for name, _getter in DISCLOSURE_COLUMNS]
    values = list(table_rows(cases, DISCLOSURE_COLUMNS))
    content = table_workbook(names, values, "公开情况一览表", disclosure_heading(batch))
    data = content.read()
    rows = [["" if v is None else str(v) for v in row] for row in values]
    name = f"{batch.source.name}-第{batch.number}批-公开情况一览表-{published_on:%Y%m%d}.xlsx"
    with transaction.atomic():
        publication = Publication(
            batch=batch,
            published_on=published_on,
            published_by=user,
            sha256=hashlib.sha256(data).hexdigest(),
            rows={"columns": names, "rows": rows},
            case_count=len(rows),
        )
        publication.file.save(name, ContentFile(data), save=False)
        try:
            publication.save()
        except Exception:
            publication.file.delete(save=False)  # no file without its row
            raise
    return publication


def publication_open(publication: Publication) -> IO[bytes]:
    """The published file, if its bytes are still those published; else an error."""
    with publication.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != publication.sha256:
        raise InvalidInput(
            {"file": [_("The stored file no longer matches what was published; it is not served.")]}
        )
    return io.BytesIO(data)
