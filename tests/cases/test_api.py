"""The REST API as a phone uses it: tokens, scoped cases, transitions, errors in one shape."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import URGENT_FIRST, Case, CaseEvent, State
from casework.models import Region, User
from notifications.models import Kind
from notifications.services import notify
from tests.cases.conftest import SUBMISSION, advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


def token_client(username: str, password: str = "pw-for-tests") -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


@pytest.fixture
def ledger(supervisor: User, jizhou: Region, qingyuan: Region) -> dict[str, Case]:
    today = timezone.localdate()
    return {
        "jz_open": new_case(supervisor, jizhou, acceptance_number="JZ-1"),
        "jz_late": new_case(
            supervisor,
            jizhou,
            acceptance_number="JZ-2",
            assigned_on=today - dt.timedelta(days=20),
            deadline=today - dt.timedelta(days=2),
        ),
        "qy": new_case(supervisor, qingyuan, acceptance_number="QY-1"),
    }


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["acceptance_number"] for c in response.json()["results"]]


# --- tokens --------------------------------------------------------------------------------------


def test_login_gives_a_hashed_expiring_token_and_logout_kills_it(jizhou_officer: User) -> None:
    from knox.models import AuthToken

    client = token_client("jizhou_officer")
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    stored = AuthToken.objects.get(user=jizhou_officer)
    assert token not in (stored.digest, stored.token_key) and stored.expiry > timezone.now()
    assert client.get("/api/v1/auth/me/").json()["username"] == "jizhou_officer"
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_wrong_password_is_refused_in_chinese_and_logins_are_throttled(
    jizhou_officer: User,
) -> None:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login/", {"username": "jizhou_officer", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["detail"] == "用户名或密码错误。"
    codes = [
        client.post(
            "/api/v1/auth/login/", {"username": "x", "password": "y"}, format="json"
        ).status_code
        for _ in range(12)
    ]
    assert 429 in codes


def test_an_expired_token_and_a_deactivated_users_token_are_dead(
    jizhou_officer: User, qingyuan_officer: User
) -> None:
    client = token_client("jizhou_officer")
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert client.get("/api/v1/cases/").status_code == 401
    other = token_client("qingyuan_officer")
    qingyuan_officer.is_active = False
    qingyuan_officer.save()
    assert other.get("/api/v1/cases/").status_code == 401


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("jizhou_officer", {"JZ-1", "JZ-2"}),
        ("qingyuan_officer", {"QY-1"}),
        ("supervisor", {"JZ-1", "JZ-2", "QY-1"}),
        ("inspector", {"JZ-1", "JZ-2"}),
        ("leader", {"JZ-1", "JZ-2", "QY-1"}),
        ("outsider", set()),
    ],
)
def test_each_role_lists_only_its_cases(
    persona: str, expected: set[str], ledger: dict[str, Case], request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(persona)
    client = token_client(persona)
    assert set(numbers(client.get("/api/v1/cases/"))) == expected


def test_filters_ordering_and_a_capped_page(ledger: dict[str, Case], supervisor: User) -> None:
    client = token_client("supervisor")
    assert numbers(client.get("/api/v1/cases/", {"overdue": "true"})) == ["JZ-2"]
    assert set(numbers(client.get("/api/v1/cases/", {"region": "360803"}))) == {"QY-1"}
    assert numbers(client.get("/api/v1/cases/", {"q": "QY"})) == ["QY-1"]
    assert (
        numbers(client.get("/api/v1/cases/", {"state": "assigned", "ordering": "deadline"}))[0]
        == "JZ-2"
    )
    since = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert numbers(client.get("/api/v1/cases/", {"updated_since": since})) == []
    # Offsets ISO 8601 allows but PostgreSQL does not (found by schemathesis): all cases, no 500.
    far = client.get("/api/v1/cases/", {"updated_since": "1518-06-04T02:43:57.8-16:33"})
    assert far.status_code == 200 and len(far.json()["results"]) == len(ledger)
    earliest = client.get("/api/v1/cases/", {"updated_since": "0001-01-01T00:00:00+10:00"})
    assert earliest.status_code == 200 and len(earliest.json()["results"]) == len(ledger)
    from casework.drf import Pagination

    Pagination.max_page_size, cap = 2, Pagination.max_page_size
    try:
        response = client.get("/api/v1/cases/", {"page_size": 100000})
        numbered = client.get("/api/v1/cases/", {"page_size": 100000, "page": 1})
    finally:
        Pagination.max_page_size = cap
    assert len(response.json()["results"]) == 2 and response.json()["next"]
    assert numbered.json()["count"] == 3 and len(numbered.json()["results"]) == 2
    assert cap == 200
    bad = client.get("/api/v1/cases/", {"due_before": "not-a-date"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "due_before"


def test_the_list_pages_by_cursor_in_its_one_order_and_by_number_when_asked(
    supervisor: User, jizhou: Region
) -> None:
    """Most urgent first, page after page, each case once; a page number still answers with a
    count; a tampered cursor is a 400 on the cursor, not a 500."""
    today = timezone.localdate()
    for n in range(7):
        new_case(
            supervisor,
            jizhou,
            acceptance_number=f"C-{n}",
            deadline=today + dt.timedelta(days=n % 3),
        )
    done = new_case(supervisor, jizhou, acceptance_number="C-closed")
    Case.objects.filter(pk=done.pk).update(state="closed")  # last in the order, whatever its date
    client = token_client("supervisor")
    seen, url, pages = [], "/api/v1/cases/?page_size=3", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [(row["acceptance_number"], row["deadline"]) for row in body["results"]]
        url, pages = body["next"], pages + 1
        assert (body["first"] is None) == (pages == 1)
    expected = [
        (c.acceptance_number, c.deadline.isoformat()) for c in Case.objects.order_by(*URGENT_FIRST)
    ]
    assert seen == expected and seen[-1][0] == "C-closed" and pages == 3
    numbered = client.get("/api/v1/cases/", {"page_size": 3, "page": 3}).json()
    assert numbered["count"] == 8 and [r["acceptance_number"] for r in numbered["results"]] == [
        n for n, _ in expected[6:]
    ]
    for bad in ("abc", "W10", "WzksIjIwMjYtMDEtMDEiLDFd", "%00"):
        refused = client.get("/api/v1/cases/", {"cursor": bad})
        assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "cursor"


def test_the_detail_has_the_trail_and_the_allowed_transitions(
    ledger: dict[str, Case], jizhou_officer: User
) -> None:
    client = token_client("jizhou_officer")
    body = client.get(f"/api/v1/cases/{ledger['jz_open'].pk}/").json()
    assert body["state"] == "assigned" and body["state_label"] == "已交办"
    assert [t["name"] for t in body["allowed_transitions"]] == ["start"]
    assert [e["action"] for e in body["events"]] == ["create"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/cases/{}/"),
        ("post", "/api/v1/cases/{}/transitions/"),
        ("post", "/api/v1/cases/{}/progress-reports/"),
        ("post", "/api/v1/cases/{}/extension-requests/"),
    ],
)
def test_another_countys_case_is_a_404_on_every_route(
    method: str, path: str, ledger: dict[str, Case], jizhou_officer: User
) -> None:
    client = token_client("jizhou_officer")
    response = getattr(client, method)(
        path.format(ledger["qy"].pk),
        {"transition": "start", "text": "x", "percent": 1},
        format="json",
    )
    assert response.status_code == 404
    assert CaseEvent.objects.filter(case=ledger["qy"]).count() == 1


# --- writing -------------------------------------------------------------------------------------


def test_transitions_answer_200_403_409_and_400(
    ledger: dict[str, Case], jizhou_officer: User, leader: User, supervisor: User
) -> None:
    case = ledger["jz_open"]
    url = f"/api/v1/cases/{case.pk}/transitions/"
    officer = token_client("jizhou_officer")
    assert (
        token_client("leader").post(url, {"transition": "start"}, format="json").status_code == 403
    )
    response = officer.post(url, {"transition": "start", "comment": "已签收"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "rectifying"
    conflict = officer.post(url, {"transition": "start"}, format="json")
    assert conflict.status_code == 409
    assert "不能执行" in conflict.json()["errors"][0]["detail"]
    missing = officer.post(url, {"transition": "submit"}, format="json")
    assert missing.status_code == 400
    assert {e["attr"] for e in missing.json()["errors"]} == {
        "rectification_account",
        "truth_finding",
    }
    stale = officer.post(
        url, {"transition": "submit", "expected_version": 1, **SUBMISSION}, format="json"
    )
    assert stale.status_code == 409
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING


def test_clients_cannot_set_what_the_lifecycle_owns(
    ledger: dict[str, Case], jizhou_officer: User
) -> None:
    case = ledger["jz_open"]
    officer = token_client("jizhou_officer")
    response = officer.post(
        f"/api/v1/cases/{case.pk}/transitions/",
        {
            "transition": "start",
            "state": "closed",
            "region": 1,
            "deadline_x": "2030-01-01",
            "events": [],
        },
        format="json",
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING
    assert (
        officer.patch(f"/api/v1/cases/{case.pk}/", {"state": "closed"}, format="json").status_code
        == 405
    )
    assert officer.put(f"/api/v1/cases/{case.pk}/", {}, format="json").status_code == 405
    assert officer.delete(f"/api/v1/cases/{case.pk}/").status_code == 405


def test_progress_and_extension_requests(ledger: dict[str, Case], jizhou_officer: User) -> None:
    case = ledger["jz_open"]
    officer = token_client("jizhou_officer")
    created = officer.post(
        f"/api/v1/cases/{case.pk}/progress-reports/",
        {"text": "已完成排查", "percent": 30},
        format="json",
    )
    assert created.status_code == 201 and created.json()["percent"] == 30
    bad = officer.post(
        f"/api/v1/cases/{case.pk}/progress-reports/", {"text": "", "percent": 101}, format="json"
    )
    assert bad.status_code == 400
    assert {e["attr"] for e in bad.json()["errors"]} == {"text", "percent"}
    later = (case.deadline + dt.timedelta(days=10)).isoformat()
    extension = officer.post(
        f"/api/v1/cases/{case.pk}/extension-requests/",
        {"requested_deadline": later, "reason": "设备采购周期长"},
        format="json",
    )
    assert extension.status_code == 201 and extension.json()["status"] == "pending"
    again = officer.post(
        f"/api/v1/cases/{case.pk}/extension-requests/",
        {"requested_deadline": later, "reason": "再次"},
        format="json",
    )
    assert again.status_code == 409


def test_english_errors_when_the_phone_asks_for_them(
    ledger: dict[str, Case], jizhou_officer: User
) -> None:
    officer = token_client("jizhou_officer")
    response = officer.post(
        f"/api/v1/cases/{ledger['jz_open'].pk}/transitions/",
        {"transition": "verify"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "cannot be" in response.json()["errors"][0]["detail"]


# --- notifications, schema and docs --------------------------------------------------------------


def test_my_notifications_and_marking_one_read(
    jizhou_officer: User, qingyuan_officer: User
) -> None:
    notify(recipients=[jizhou_officer], kind=Kind.SYSTEM, title="给吉州", body="x", dedupe="n1")
    notify(recipients=[qingyuan_officer], kind=Kind.SYSTEM, title="给青原", body="x", dedupe="n2")
    client = token_client("jizhou_officer")
    listing = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [n["title"] for n in listing] == ["给吉州"]
    read = client.post(f"/api/v1/notifications/{listing[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []
    theirs = qingyuan_officer.notifications.get()
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404


def test_the_schema_and_the_docs_are_served_locally(jizhou_officer: User) -> None:
    client = APIClient()
    client.force_authenticate(jizhou_officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/auth/login/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/transitions/",
        "/api/v1/notifications/{id}/read/",
    ):
        assert path in paths
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in docs and "cdn" not in docs.lower()


def test_the_schema_is_valid_openapi_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/cases/{id}/transitions/" in out.read_text(encoding="utf-8")


def test_an_oversized_body_is_refused_before_it_is_read(settings, jizhou_officer: User) -> None:
    settings.CASEWORK_MAX_REQUEST_BYTES = 1000
    client = token_client("jizhou_officer")
    response = client.post(
        "/api/v1/cases/1/progress-reports/", {"text": "长" * 2000, "percent": 1}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"


def test_the_list_is_most_urgent_first_as_in_the_admin(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    today = timezone.localdate()
    waiting = advance(
        new_case(supervisor, jizhou, acceptance_number="U-WAITS", deadline=today),
        jizhou_officer,
        supervisor,
        "submitted",
    )
    later = new_case(
        supervisor, jizhou, acceptance_number="U-LATER", deadline=today + dt.timedelta(days=9)
    )
    sooner = new_case(
        supervisor, jizhou, acceptance_number="U-SOONER", deadline=today + dt.timedelta(days=2)
    )
    expected = [sooner.acceptance_number, later.acceptance_number, waiting.acceptance_number]
    assert numbers(token_client("supervisor").get("/api/v1/cases/")) == expected
    web = Client()
    web.force_login(supervisor)
    page = web.get("/admin/cases/case/").content.decode()
    assert sorted(expected, key=page.index) == expected
