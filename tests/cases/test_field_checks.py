"""Field checks from phones: photos, GPS, and offline retries."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from cases.models import Action, Case, CaseEvent, FieldCheck, FieldCheckPhoto
from casework.models import Region, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def image(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), name: str = "IMG_0001.jpg"):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case(supervisor: User, jizhou: Region) -> Case:
    return new_case(supervisor, jizhou, acceptance_number="FC-1")


def payload(check_id: uuid.UUID | None = None, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "client_uuid": str(check_id or uuid.uuid4()),
        "checked_at": timezone.now().isoformat(),
        "latitude": 27.1412345,
        "longitude": 114.9876543,
        "accuracy_m": 8.5,
        "result": "rectified",
        "notes": "现场已无污水外排",
        "photos": [image()],
    }
    data.update(overrides)
    return data


def post(client: APIClient, case: Case, data):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/cases/{case.pk}/field-checks/", data, format="multipart")


def test_an_inspector_files_a_check_with_a_photo(case: Case, inspector: User) -> None:
    response = post(client_for(inspector), case, payload())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["far_from_region"] is False
    assert body["latitude"] == "27.141235"  # rounded to six places
    photo = FieldCheckPhoto.objects.get()
    assert photo.content_type == "image/jpeg" and (photo.width, photo.height) == (64, 48)
    assert "IMG_0001" not in photo.image.name  # a server-made name, not the client's
    assert photo.image.name.startswith(f"field_checks/{case.pk}/")
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == Action.FIELD_CHECK and event.data["photos"] == 1
    detail = client_for(inspector).get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["field_checks"][0]["photos"][0]["url"] == body["photos"][0]["url"]


def test_offline_retries_create_nothing_new(
    case: Case, inspector: User, qingyuan_officer: User
) -> None:
    check_id = uuid.uuid4()
    checked_at = (timezone.now() - dt.timedelta(hours=2)).isoformat()  # filed offline, sent later
    first = post(client_for(inspector), case, payload(check_id, checked_at=checked_at))
    assert first.status_code == 201
    for _ in range(3):
        again = post(client_for(inspector), case, payload(check_id, checked_at=checked_at))
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
    assert FieldCheck.objects.count() == 1 and FieldCheckPhoto.objects.count() == 1
    # A "retry" from outside the county learns nothing.
    stranger = post(
        client_for(qingyuan_officer),
        case,
        payload(check_id, checked_at=checked_at),
    )
    assert stranger.status_code == 404
    assert CaseEvent.objects.filter(case=case, action=Action.FIELD_CHECK).count() == 1
    different = post(
        client_for(inspector),
        case,
        payload(check_id, checked_at=checked_at, result="partly"),
    )
    assert different.status_code == 409


def test_a_text_file_renamed_jpg_is_refused(case: Case, inspector: User) -> None:
    fake = io.BytesIO("这不是图片".encode())
    fake.name = "photo.jpg"
    response = post(client_for(inspector), case, payload(photos=[fake]))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == "photos" and "不是 JPEG、PNG 或 WebP 图片" in error["detail"]
    assert not FieldCheck.objects.exists()


def test_oversized_photos_are_refused(case: Case, inspector: User) -> None:
    huge = post(
        client_for(inspector), case, payload(photos=[image("PNG", (8000, 8000), "big.png")])
    )
    assert huge.status_code == 400 and "像素" in huge.json()["errors"][0]["detail"]
    heavy = io.BytesIO(b"\xff\xd8\xff" + b"\0" * (11 * 1024 * 1024))
    heavy.name = "heavy.jpg"
    response = post(client_for(inspector), case, payload(photos=[heavy]))
    assert response.status_code == 400
    assert "超过 10 MB" in response.json()["errors"][0]["detail"]
    assert not FieldCheck.objects.exists()


def test_bad_coordinates_are_field_errors_and_far_positions_are_flagged(
    case: Case, inspector: User
) -> None:
    bad = post(client_for(inspector), case, payload(latitude=95, longitude=200))
    assert bad.status_code == 400
    assert {e["attr"] for e in bad.json()["errors"]} == {"latitude", "longitude"}
    far = post(client_for(inspector), case, payload(latitude=39.9042, longitude=116.4074))
    assert far.status_code == 201 and far.json()["far_from_region"] is True


def test_photos_are_served_only_to_those_who_see_the_case(
    case: Case, inspector: User, qingyuan_officer: User, leader: User
) -> None:
    url = post(client_for(inspector), case, payload()).json()["photos"][0]["url"]
    response = client_for(leader).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client_for(qingyuan_officer).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    photo = FieldCheckPhoto.objects.get()
    assert APIClient().get(f"/media/{photo.image.name}").status_code == 404


def test_who_may_file_checks(
    case: Case, leader: User, qingyuan_officer: User, jizhou_officer: User
) -> None:
    assert post(client_for(leader), case, payload()).status_code == 403
    assert post(client_for(qingyuan_officer), case, payload()).status_code == 404
    assert post(client_for(jizhou_officer), case, payload()).status_code == 201


def test_a_check_dated_before_the_case_was_assigned_is_refused(case: Case, inspector: User) -> None:
    for moment in ("0007-01-01T01:00:01Z", (timezone.now() - dt.timedelta(days=3)).isoformat()):
        response = post(client_for(inspector), case, payload(checked_at=moment))
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "checked_at"
    assert FieldCheck.objects.count() == 0


def test_a_client_uuid_belongs_to_its_inspector(
    case: Case, inspector: User, supervisor: User, jizhou: Region
) -> None:
    from casework.models import Role
    from tests.factories import UserFactory, membership

    colleague = membership(
        UserFactory(username="inspector2", is_staff=False), jizhou, Role.FIELD_INSPECTOR
    )
    check_id = uuid.uuid4()
    mine = post(client_for(inspector), case, payload(check_id, notes="我的核查"))
    theirs = post(client_for(colleague), case, payload(check_id, notes="同事的核查"))
    # The colleague's phone happened on the same key: a record of their own, not a view of mine.
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != mine.json()["id"] and theirs.json()["notes"] == "同事的核查"
    assert FieldCheck.objects.filter(client_uuid=check_id).count() == 2


def test_case_ids_are_ascii_digits(case: Case, inspector: User) -> None:
    fullwidth = "".join(chr(ord("０") + int(d)) for d in str(case.pk))
    assert client_for(inspector).get(f"/api/v1/cases/{fullwidth}/").status_code == 404
    assert client_for(inspector).get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_check_filed_from_a_phone_shows_on_the_case_page(
    case: Case, inspector: User, jizhou_officer: User, supervisor: User, leader: User
) -> None:
    from django.test import Client

    filed = post(client_for(inspector), case, payload(notes="排污口已封堵"))
    assert filed.status_code == 201
    photo_url = filed.json()["photos"][0]["url"]
    for person in (jizhou_officer, supervisor, leader):
        web = Client()
        web.force_login(person)
        page = web.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
        assert "排污口已封堵" in page and "27.141235, 114.987654 ±8.5 m" in page, person.username
        assert photo_url in page
