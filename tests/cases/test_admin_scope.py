"""Every admin changelist, for each role, shows only what the role's jurisdiction allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cases.services import extension_request_create, progress_report_add
from casework.models import Region, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_counties(
    supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region, qingyuan: Region
) -> None:
    for officer, region, number in (
        (jizhou_officer, jizhou, "JZ-S"),
        (qingyuan_officer, qingyuan, "QY-S"),
    ):
        case = new_case(supervisor, region, acceptance_number=number)
        progress_report_add(case_id=case.pk, user=officer, text="进展", percent=10)
        extension_request_create(
            case_id=case.pk,
            user=officer,
            reason="延期理由",
            requested_deadline=case.deadline + dt.timedelta(days=9),
        )


def shown(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("url", "jizhou_sees", "supervisor_sees"),
    [
        ("/admin/cases/case/", {"JZ-S"}, {"JZ-S", "QY-S"}),
        ("/admin/cases/extensionrequest/", 1, 2),
        ("/admin/casework/region/", {"吉州区"}, 17),
        ("/admin/casework/responsibleunit/", {"吉州区人民政府"}, 23),
    ],
)
def test_changelists_are_scoped_for_each_role(
    url: str,
    jizhou_sees: object,
    supervisor_sees: object,
    both_counties: None,
    client: Client,
    jizhou_officer: User,
    supervisor: User,
) -> None:
    for user, expected in ((jizhou_officer, jizhou_sees), (supervisor, supervisor_sees)):
        client.force_login(user)
        rows = shown(client, url)
        if isinstance(expected, int):
            assert len(rows) == expected, (user, url, rows)
        else:
            assert rows == expected, (user, url, rows)
    client.force_login(jizhou_officer)
    assert not any("QY" in row or "青原" in row for row in shown(client, url))


def test_officers_cannot_reach_people_and_memberships(client: Client, jizhou_officer: User) -> None:
    client.force_login(jizhou_officer)
    assert client.get("/admin/casework/user/").status_code == 403
    assert client.get("/admin/casework/membership/").status_code == 403


def test_an_extension_request_opens_for_everyone_who_sees_its_case(
    supervisor: User, jizhou_officer: User, leader: User, qingyuan_officer: User, jizhou: Region
) -> None:
    case = new_case(supervisor, jizhou, acceptance_number="EXT-PAGE")
    request = extension_request_create(
        case_id=case.pk,
        user=jizhou_officer,
        requested_deadline=case.deadline + dt.timedelta(days=5),
        reason="雨季施工受阻",
    )
    url = f"/admin/cases/extensionrequest/{request.pk}/change/"
    for person, status in (
        (supervisor, 200),
        (jizhou_officer, 200),
        (leader, 200),
        (qingyuan_officer, 404),
    ):
        client = Client()
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == status, person.username
        if status == 200:
            assert "EXT-PAGE" in response.content.decode()
