"""Schemathesis drives every API operation with generated requests: no 5xx, and every response
conforms to the published OpenAPI schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from casework.models import Region, User
from tests.factories import new_case


@pytest.fixture
def officer_cases(jizhou_officer: User, supervisor: User, jizhou: Region, settings) -> list[int]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = "/tmp/casework-fuzz-media"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "100000/min"},
    }
    cache.clear()
    return [new_case(supervisor, jizhou, acceptance_number=f"FUZZ-{n}").pk for n in range(3)]


@pytest.mark.django_db
def test_the_api_never_fails_and_keeps_to_its_schema(
    officer_cases: list[int], jizhou_officer: User
) -> None:
    # One test looping over the operations: schemathesis' pytest plugin does not run on
    # pytest 9 yet, its strategies do.
    # Called in-process, the WSGI app would close the test's database connection after each
    # request (Django's own test client disconnects that handler the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz(officer_cases, jizhou_officer)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(officer_cases: list[int], jizhou_officer: User) -> None:
    api = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # A fresh token each time (logout is one of the operations), and mostly real case
            # ids so that requests get past the 404 into the code that does the work.
            token = AuthToken.objects.create(jizhou_officer)[1]
            if "id" in (case.path_parameters or {}) and "/cases/" in case.path:
                case.path_parameters["id"] = officer_cases[hash(str(case.body)) % 3]
            case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        check()
