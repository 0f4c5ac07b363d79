"""A large import written by a real Celery worker on the machine's Redis and PostgreSQL."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases.models import Case
from intake.models import ImportRun, ImportState
from tests.intake.conftest import BATCH_HEADER, batch_rows, xlsx
from tests.notifications.test_engine_integration import (  # noqa: F401 - a fixture
    celery_worker_on_redis,
)
from tests.processes import wait_for


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker_on_redis")
def test_a_real_worker_writes_a_queued_import_and_its_progress_ends_at_100(
    round3, supervisor, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from intake import services

    monkeypatch.setattr(services, "INLINE_ROWS", 10)
    api = APIClient()
    api.force_authenticate(supervisor)
    response = api.post(
        "/api/v1/imports/",
        {"file": xlsx([BATCH_HEADER, *batch_rows(40)]), "source": round3.pk},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    run_id = response.json()["id"]
    assert wait_for(lambda: ImportRun.objects.get(pk=run_id).state == ImportState.DONE, 60)
    body = api.get(f"/api/v1/imports/{run_id}/").json()
    assert (body["created"], body["progress"]["percent"]) == (40, 100)
    assert Case.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_queued_import_is_written_in_the_request(
    round3, supervisor, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from intake import services
    from tests.processes import use_broker

    monkeypatch.setattr(services, "INLINE_ROWS", 10)
    previous = use_broker("redis://127.0.0.1:1/0", eager=False)  # nothing listens there
    try:
        api = APIClient()
        api.force_authenticate(supervisor)
        response = api.post(
            "/api/v1/imports/",
            {"file": xlsx([BATCH_HEADER, *batch_rows(20)]), "source": round3.pk},
            format="multipart",
        )
    finally:
        use_broker(previous[0], eager=previous[1])
    run = ImportRun.objects.get(pk=response.json()["id"])
    assert (run.state, run.created) == (ImportState.DONE, 20)
