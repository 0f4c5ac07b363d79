"""Who may reach what: every route outside the admin (API, reports, exports, evidence files,
health, schema) for every persona. A route with no entry here fails the suite, so a new route
cannot ship without saying who may use it. (The admin's pages: tests/cases/test_admin_scope.py.)"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from PIL import Image
from rest_framework.test import APIClient

from cases.models import Batch, Case
from casework.models import Region, User
from intake.services import import_check
from notifications.models import Kind
from notifications.services import notify
from tests.factories import new_case, source

ROLES = [
    "jizhou_officer",
    "qingyuan_officer",
    "inspector",
    "supervisor",
    "leader",
    "anonymous",
    "deactivated",
]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {case}, {photo}, {batch}, {notification}, {import} are filled in per test
    expect: dict[str, int]  # role -> status; roles not named get `others`
    others: int
    data: dict | None = None  # type: ignore[type-arg]


def everyone(status: int, **overrides: int) -> tuple[dict[str, int], int]:
    return {"anonymous": 401, "deactivated": 401, **overrides}, status


def _image() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "site.jpg"
    return buffer


SCOPED_READ = everyone(200, qingyuan_officer=404)
MATRIX: dict[str, Route] = {
    "healthz": Route("get", "/healthz", {}, 200),
    # The public notice page needs no login; a case not under notice is not there for anyone.
    "public-notice-list": Route("get", "/public/notices/", {}, 200),
    "public-notice-detail": Route("get", "/public/notices/{case}/", {}, 404),
    "set_language": Route("post", "/i18n/setlang/", {}, 302, {"language": "en"}),
    # The API's description is public (it holds no data); a dead token is still refused.
    "api-schema": Route("get", "/api/schema/", {"deactivated": 401}, 200),
    "api-docs": Route("get", "/api/docs/", {"deactivated": 401}, 200),
    "api-login": Route("post", "/api/v1/auth/login/", {}, 400, {"username": "x", "password": "y"}),
    "api-logout": Route("post", "/api/v1/auth/logout/", *everyone(204)),
    "api-me": Route("get", "/api/v1/auth/me/", *everyone(200)),
    "case-list": Route("get", "/api/v1/cases/", *everyone(200)),
    "case-detail": Route("get", "/api/v1/cases/{case}/", *SCOPED_READ),
    "field-check-photo": Route("get", "/api/v1/field-check-photos/{photo}/", *SCOPED_READ),
    "case-transitions": Route(
        "post",
        "/api/v1/cases/{case}/transitions/",
        *everyone(200, qingyuan_officer=404, inspector=403, leader=403),
        {"transition": "start"},
    ),
    "case-progress-reports": Route(
        "post",
        "/api/v1/cases/{case}/progress-reports/",
        *everyone(201, qingyuan_officer=404, inspector=403, leader=403),
        {"text": "已完成清淤", "percent": 40},
    ),
    "case-extension-requests": Route(
        "post",
        "/api/v1/cases/{case}/extension-requests/",
        *everyone(201, qingyuan_officer=404, inspector=403, leader=403, supervisor=403),
        {"requested_deadline": "2099-01-01", "reason": "汛期施工受阻"},
    ),
    "case-feedback": Route(
        "post",
        "/api/v1/cases/{case}/feedback/",
        *everyone(200, qingyuan_officer=404, inspector=403, leader=403, supervisor=403),
        {
            "outcome": "stage",
            "truth_finding": "true",
            "investigation": "经调查核实，反映问题属实。",
            "rectification_measures": "完善污水收集管网",
            "rectification_deadline": "2099-01-01",
        },
    ),
    # The matrix's case is not handled yet: those who may record a follow-up are told so (409).
    "case-co-units": Route(
        "post",
        "/api/v1/cases/{case}/co-units/",
        *everyone(403, qingyuan_officer=404, supervisor=200),
        {"units": []},
    ),
    "case-notice": Route(
        "post",
        "/api/v1/cases/{case}/notice/",
        *everyone(403, qingyuan_officer=404, supervisor=409),
        {"starts_on": "2026-11-01"},
    ),
    "case-repeat-link": Route(
        "post",
        "/api/v1/cases/{case}/repeat-link/",
        *everyone(403, qingyuan_officer=404, supervisor=400),
        {"original_number": "NO-SUCH-NUMBER", "comment": "同一问题"},
    ),
    "case-repeat-unlink": Route(
        "post",
        "/api/v1/cases/{case}/repeat-unlink/",
        *everyone(403, qingyuan_officer=404, supervisor=409),
        {"comment": "并非重复"},
    ),
    # No follow-up on the world's case: whoever sees the case is told there is none.
    "case-follow-up-decision": Route(
        "post",
        "/api/v1/cases/{case}/follow-ups/999999/decision/",
        *everyone(404),
        {"send_back": False, "comment": "同意销号"},
    ),
    "case-follow-ups": Route(
        "post",
        "/api/v1/cases/{case}/follow-ups/",
        *everyone(409, qingyuan_officer=404, inspector=403, leader=403),
        {"visited_on": "2026-11-01", "method": "phone", "result": "satisfied"},
    ),
    "case-attachments": Route(
        "post",
        "/api/v1/cases/{case}/attachments/",
        *everyone(201, qingyuan_officer=404, leader=403),
        {"kind": "photo_after"},
    ),
    "case-evidence-zip": Route("get", "/api/v1/cases/{case}/evidence-file/", *SCOPED_READ),
    "attachment-file": Route("get", "/api/v1/attachments/{attachment}/", *SCOPED_READ),
    "case-field-checks": Route(
        "post",
        "/api/v1/cases/{case}/field-checks/",
        *everyone(201, qingyuan_officer=404, leader=403),
        {"result": "rectified", "latitude": "27.14", "longitude": "114.98"},
    ),
    "notification-list": Route("get", "/api/v1/notifications/", *everyone(200)),
    "notification-read": Route(
        "post", "/api/v1/notifications/{notification}/read/", *everyone(404, jizhou_officer=200)
    ),
    "report-closure": Route("get", "/api/v1/reports/closure-rate/", *everyone(200)),
    "report-schedule": Route("get", "/api/v1/reports/schedule/", *everyone(200)),
    "report-sentences": Route("get", "/api/v1/reports/sentences/", *everyone(200)),
    "report-overdue": Route("get", "/api/v1/reports/overdue/", *everyone(200)),
    "report-overdue-trend": Route("get", "/api/v1/reports/overdue-trend/", *everyone(200)),
    "report-state-by-stream": Route("get", "/api/v1/reports/state-by-stream/", *everyone(200)),
    "report-batch-bulletin": Route(
        "get", "/api/v1/reports/batches/{batch}/bulletin/", *SCOPED_READ
    ),
    "export-ledger": Route("get", "/api/v1/exports/ledger.xlsx", *everyone(200)),
    # Each reads the counties of the cases the reader may see.
    "report-ranking": Route("get", "/api/v1/reports/ranking/", *everyone(200)),
    "export-ranking": Route("get", "/api/v1/exports/ranking.xlsx", *everyone(200)),
    # Imports: a supervisor's own; the service refuses anyone else (403), the list is empty.
    "import-list": Route("get", "/api/v1/imports/", *everyone(200)),
    "import-detail": Route("get", "/api/v1/imports/{import}/", *everyone(404, supervisor=200)),
    "import-confirm": Route(
        "post", "/api/v1/imports/{import}/confirm/", *everyone(403, supervisor=200)
    ),
    "import-template": Route("get", "/api/v1/imports/templates/batch.xlsx", *everyone(200)),
    "export-disclosure": Route(
        "get", "/api/v1/exports/batches/{batch}/disclosure.xlsx", *SCOPED_READ
    ),
}


def route_names() -> set[str]:
    def walk(patterns: list, prefix: str = "") -> set[tuple[str, str]]:  # type: ignore[type-arg]
        found = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                found |= walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.add((prefix + str(pattern.pattern), pattern.name))
        return found

    return {
        name for route, name in walk(get_resolver().url_patterns) if not route.startswith("admin/")
    }


def test_every_route_says_who_may_use_it() -> None:
    assert route_names() - set(MATRIX) == set(), "routes without an entry in the access matrix"
    assert set(MATRIX) - route_names() == set(), "entries for routes that no longer exist"


@pytest.fixture
def world(supervisor: User, jizhou_officer: User, inspector: User, jizhou: Region) -> dict:  # type: ignore[type-arg]
    batch = Batch.objects.create(source=source(), number=1, handed_down_on="2026-11-01")
    case = new_case(
        supervisor, jizhou, acceptance_number="MATRIX-1", batch=batch, source=batch.source
    )
    client = APIClient()
    client.force_authenticate(inspector)
    check = client.post(
        f"/api/v1/cases/{case.pk}/field-checks/",
        {
            "client_uuid": str(uuid.uuid4()),
            "checked_at": case.created_at.isoformat(),
            "latitude": "27.14",
            "longitude": "114.98",
            "result": "rectified",
            "photos": [_image()],
        },
        format="multipart",
    )
    assert check.status_code == 201, check.content
    evidence = client.post(
        f"/api/v1/cases/{case.pk}/attachments/",
        {"kind": "photo_before", "file": _image()},
        format="multipart",
    )
    assert evidence.status_code == 201, evidence.content
    message = notify(recipients=[jizhou_officer], kind=Kind.SYSTEM, title="t", body="b", dedupe="m")
    upload = io.BytesIO(
        "受理编号,交办问题基本情况,行政区域,污染类型\nMATRIX-2,噪声扰民,吉州区,噪声\n".encode()
    )
    run = import_check(user=supervisor, file=upload, file_name="m.csv", source=batch.source)
    assert run.state == "previewed", run.report
    return {
        "import": run.pk,
        "case": case.pk,
        "batch": batch.pk,
        "photo": check.json()["photos"][0]["id"],
        "attachment": evidence.json()["id"],
        "notification": message[0].pk,
    }


def client_for(role: str, request: pytest.FixtureRequest) -> APIClient:
    client = APIClient()
    if role == "anonymous":
        return client
    if role == "deactivated":
        person = request.getfixturevalue("jizhou_officer")
        _, token = AuthToken.objects.create(person)
        person.is_active = False
        person.save()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client
    person = request.getfixturevalue(role)
    _, token = AuthToken.objects.create(person)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_the_access_matrix(
    name: str, role: str, world: dict, request: pytest.FixtureRequest
) -> None:  # type: ignore[type-arg]
    route = MATRIX[name]
    client = client_for(role, request)
    path = route.path.format(**world)
    data = dict(route.data or {})
    fmt = "json"
    if name == "case-field-checks":
        data |= {"client_uuid": str(uuid.uuid4()), "photos": [_image()]}
        data["checked_at"] = Case.objects.get(pk=world["case"]).created_at.isoformat()
        fmt = "multipart"
    if name == "case-attachments":
        data |= {"file": _image()}
        fmt = "multipart"
    response = client.get(path) if route.method == "get" else client.post(path, data, format=fmt)
    expected = route.expect.get(role, route.others)
    assert response.status_code == expected, (name, role, response.content[:200])
    if name == "case-transitions" and expected == 200:
        assert Case.objects.get(pk=world["case"]).state == "rectifying"
    if name == "case-feedback" and expected == 200:
        case = Case.objects.get(pk=world["case"])
        assert (case.feedback_outcome, str(case.deadline)) == ("stage", "2099-01-01")
