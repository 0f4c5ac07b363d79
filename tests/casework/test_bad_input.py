"""Bad input gets a clear 4xx in the one error shape, never a 500: each case here was a 500."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, ProgressReport
from casework.models import Region, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def case(supervisor: User, jizhou: Region) -> Case:
    return new_case(supervisor, jizhou, acceptance_number="BAD-1")


@pytest.fixture
def api(jizhou_officer: User) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(jizhou_officer)
    return client


def error(response) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    body = response.json()
    return response.status_code, body["errors"][0]["code"], body["errors"][0]["detail"]


def test_json_nested_thousands_deep_or_malformed_is_a_400_in_chinese() -> None:
    anonymous = APIClient(raise_request_exception=False)
    deep = "[" * 100_000 + "]" * 100_000
    for body in (deep, '{"username": x', "[" * 70 + "]" * 70):
        response = anonymous.post("/api/v1/auth/login/", data=body, content_type="application/json")
        status, code, detail = error(response)
        assert (status, code) == (400, "parse_error")
        assert detail in ("请求内容不是有效的 JSON。", "请求内容嵌套过深。")


def test_a_body_over_the_limit_is_a_413_and_too_many_fields_a_400(
    api: APIClient, case: Case
) -> None:
    url = f"/api/v1/cases/{case.pk}/progress-reports/"
    big = "x" * (6 * 1024 * 1024)
    for response in (
        api.post(url, data={"text": big, "percent": 5}, format="multipart"),
        api.post(
            url, data=json.dumps({"text": big, "percent": 5}), content_type="application/json"
        ),
    ):
        assert error(response)[:2] == (413, "request_too_large")
    many = "&".join(f"f{i}=1" for i in range(1200))
    response = api.post(url, data=many, content_type="application/x-www-form-urlencoded")
    assert error(response)[:2] == (400, "parse_error")
    assert not ProgressReport.objects.exists()


def test_control_characters_are_refused_in_filters_and_json_and_dropped_from_forms(
    api: APIClient, case: Case, supervisor: User
) -> None:
    assert error(api.get("/api/v1/cases/?q=a%00b"))[:2] == (400, "control_characters")
    url = f"/api/v1/cases/{case.pk}/progress-reports/"
    nul = api.post(url, data='{"text": "a\\u0000b", "percent": 5}', content_type="application/json")
    assert error(nul)[:2] == (400, "control_characters")
    word = api.post(
        url, data='{"text": "第一行\\u000b第二行", "percent": 5}', content_type="application/json"
    )
    assert word.status_code == 201
    assert ProgressReport.objects.get().text == "第一行\n第二行"  # Word's line break kept as one

    web = Client(raise_request_exception=False)
    web.force_login(supervisor)
    for path in (
        "/admin/cases/case/?q=a%00b",
        "/admin/cases/case/?acceptance_number=a%00b",
        "/admin/autocomplete/?app_label=cases&model_name=case&field_name=duplicate_of&term=a%00b",
    ):
        assert web.get(path).status_code == 400, path
    # A form keeps what was typed: breaks become newlines, invisible characters are dropped.
    typed = {"text": "现场\x01已整改\x0b见照片", "percent": "30"}
    url = f"/admin/cases/case/{case.pk}/act/progress/"
    assert web.post(url, typed).status_code == 302  # multipart, as the test client sends
    assert web.post(url, urlencode(typed), content_type=FORM).status_code == 302  # as a browser
    texts = ProgressReport.objects.order_by("-id").values_list("text", flat=True)[:2]
    assert list(texts) == ["现场已整改\n见照片"] * 2


def test_an_impossible_date_in_the_admin_list_is_the_invalid_lookup_notice(
    supervisor: User, case: Case
) -> None:
    web = Client(raise_request_exception=False)
    web.force_login(supervisor)
    response = web.get("/admin/cases/case/?deadline__year=99999999999")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_an_unknown_api_path_answers_in_the_error_shape(api: APIClient) -> None:
    response = api.get("/api/v1/nowhere/")
    assert response["Content-Type"] == "application/json"
    assert error(response) == (404, "not_found", "未找到。")


def test_a_mistyped_export_filter_is_a_400_not_the_whole_ledger(api: APIClient, case: Case) -> None:
    response = api.get("/api/v1/exports/ledger.xlsx", {"due_before": "not-a-date"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "due_before"


def test_pages_carry_a_content_security_policy(client: Client) -> None:
    for path in ("/admin/login/", "/api/v1/nowhere/", "/healthz"):
        response = client.get(path)
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
