"""Password guessing is limited per account and per address, for the API and the admin; forged
X-Forwarded-For headers change nothing; a new password logs every phone out; at most ten devices."""

from __future__ import annotations

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from casework.models import Region, Role, User
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db


def api_login(username: str, password: str, *, address: str = "10.1.1.1", forged: str = ""):  # type: ignore[no-untyped-def]
    headers = {"REMOTE_ADDR": address}
    if forged:
        headers["HTTP_X_FORWARDED_FOR"] = forged
    return APIClient().post(
        "/api/v1/auth/login/",
        {"username": username, "password": password},
        format="json",
        **headers,
    )


def test_forged_forwarding_headers_do_not_reset_the_count(jizhou_officer: User) -> None:
    codes = [
        api_login("jizhou_officer", "wrong", forged=f"203.0.113.{i}").status_code for i in range(8)
    ]
    assert codes[:5] == [400] * 5 and codes[5:] == [429] * 3
    locked = api_login("jizhou_officer", "pw-for-tests")  # even the right password waits
    assert locked.status_code == 429
    assert "密码错误次数过多" in locked.json()["errors"][0]["detail"]


def test_an_office_behind_one_address_keeps_working_while_one_account_is_locked(
    jizhou: Region,
) -> None:
    colleagues = [
        membership(UserFactory(username=f"officer{i}"), jizhou, Role.COUNTY_OFFICER)
        for i in range(3)
    ]
    for _ in range(6):
        api_login("officer0", "wrong")
    assert api_login("officer0", "pw-for-tests").status_code == 429
    for person in colleagues[1:]:
        assert api_login(person.username, "pw-for-tests").status_code == 200


def test_one_address_guessing_many_accounts_is_stopped(jizhou_officer: User) -> None:
    codes = [api_login(f"nobody{i}", "guess", address="10.9.9.9").status_code for i in range(31)]
    assert codes[:30] == [400] * 30 and codes[30] == 429
    assert api_login("jizhou_officer", "pw-for-tests", address="10.9.9.9").status_code == 429
    assert api_login("jizhou_officer", "pw-for-tests", address="10.1.1.2").status_code == 200


def test_the_admin_login_has_the_same_limits(jizhou_officer: User) -> None:
    client = Client(REMOTE_ADDR="10.2.2.2")
    for _ in range(5):
        page = client.post(
            "/admin/login/?next=/admin/", {"username": "jizhou_officer", "password": "wrong"}
        )
        assert page.status_code == 200 and "请输入一个正确的" in page.content.decode()
    page = client.post(
        "/admin/login/?next=/admin/", {"username": "jizhou_officer", "password": "pw-for-tests"}
    )
    assert page.status_code == 200 and "密码错误次数过多" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_new_password_logs_every_phone_out(jizhou_officer: User) -> None:
    token = api_login("jizhou_officer", "pw-for-tests").json()["token"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert phone.get("/api/v1/auth/me/").status_code == 200
    jizhou_officer.set_password("a-new-password-2026")
    jizhou_officer.save()
    assert phone.get("/api/v1/auth/me/").status_code == 401
    assert not AuthToken.objects.filter(user=jizhou_officer).exists()


def test_at_most_ten_devices_the_oldest_logged_out(jizhou_officer: User) -> None:
    tokens = [
        api_login("jizhou_officer", "pw-for-tests", address=f"10.3.3.{i}").json()["token"]
        for i in range(12)
    ]
    assert AuthToken.objects.filter(user=jizhou_officer).count() == 10
    oldest, newest = APIClient(), APIClient()
    oldest.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    newest.credentials(HTTP_AUTHORIZATION=f"Token {tokens[-1]}")
    assert oldest.get("/api/v1/auth/me/").status_code == 401
    assert newest.get("/api/v1/auth/me/").status_code == 200
