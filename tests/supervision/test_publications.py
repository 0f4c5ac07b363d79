"""Publishing a batch's 一览表 keeps it as it was: the file and its rows, with the file's
SHA-256; later changes to the cases change later exports, never the published copy."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from cases.models import Batch
from cases.services import case_update
from casework.errors import InvalidInput, PermissionDenied
from casework.models import Region, User
from supervision.models import Publication
from supervision.publications import publication_create, publication_open
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(supervisor: User, jizhou: Region) -> Batch:
    src = source()
    batch = Batch.objects.create(source=src, number=4, handed_down_on="2026-11-01")
    for n in range(3):
        new_case(supervisor, jizhou, acceptance_number=f"PUB-{n}", batch=batch, source=src)
    return batch


def test_a_published_table_stays_as_it_was(
    batch: Batch, supervisor: User, jizhou_officer: User, client: Client
) -> None:
    publication = publication_create(batch_id=batch.pk, user=supervisor)
    published = Path(publication.file.path).read_bytes()
    assert hashlib.sha256(published).hexdigest() == publication.sha256
    assert publication.case_count == 3
    assert [r[0] for r in publication.rows["rows"]] == ["PUB-0", "PUB-1", "PUB-2"]
    # The county writes its findings afterwards: a new export shows them, the publication not.
    case = batch.cases.get(acceptance_number="PUB-0")
    case_update(
        case_id=case.pk, user=jizhou_officer, changes={"investigation": "经查，反映问题属实。"}
    )
    client.force_login(supervisor)
    fresh = b"".join(
        client.get(f"/api/v1/exports/batches/{batch.pk}/disclosure.xlsx").streaming_content
    )
    assert hashlib.sha256(fresh).hexdigest() != publication.sha256
    served = client.get(f"/admin/cases/batch/{batch.pk}/publications/{publication.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == published
    sheet = load_workbook(io.BytesIO(published)).worksheets[0]
    assert sheet["G3"].value in (None, "")  # 调查核实情况 as it was: empty
    page = client.get(f"/admin/cases/batch/{batch.pk}/change/").content.decode()
    assert publication.sha256[:14] in page and 'id="publish-form"' in page
    # An officer reads the publications of their county's batch, but does not publish.
    client.force_login(jizhou_officer)
    page = client.get(f"/admin/cases/batch/{batch.pk}/change/").content.decode()
    assert "下载发布原件" in page and 'id="publish-form"' not in page
    with pytest.raises(PermissionDenied):
        publication_create(batch_id=batch.pk, user=jizhou_officer)
    response = client.post(f"/admin/cases/batch/{batch.pk}/publish/", follow=True)
    assert Publication.objects.count() == 1
    assert "只有市督察整改办可以发布" in response.content.decode()


def test_a_copy_changed_on_disk_is_refused_and_bad_dates_are_said(
    batch: Batch, supervisor: User, client: Client
) -> None:
    publication = publication_create(batch_id=batch.pk, user=supervisor)
    Path(publication.file.path).write_bytes(b"tampered")
    with pytest.raises(InvalidInput, match="不一致"):
        publication_open(publication)
    client.force_login(supervisor)
    response = client.get(
        f"/admin/cases/batch/{batch.pk}/publications/{publication.pk}/", follow=True
    )
    assert "不一致" in response.content.decode()
    response = client.post(
        f"/admin/cases/batch/{batch.pk}/publish/", {"published_on": "2026-02-30"}, follow=True
    )
    assert "请以日期格式填写发布日期" in response.content.decode()
    with pytest.raises(InvalidInput):
        publication_create(batch_id=batch.pk, user=supervisor, published_on=dt.date(2099, 1, 1))
    assert Publication.objects.count() == 1
