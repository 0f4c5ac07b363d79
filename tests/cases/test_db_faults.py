"""The database connection dropped in the middle of a request (a restart, a failover, a killed
backend): the phone is told to retry in Chinese (503, not a 500 page), nothing of the cut request
is kept, and the retry is recorded exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from django.test import Client

from cases.models import Action, Case, CaseEvent, State
from cases.signals import case_event_recorded
from casework.models import Region, User
from tests.cases.test_api import token_client
from tests.factories import new_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Cut:
    def __init__(self) -> None:
        self.armed = False
        self.pids: list[int] = []


@pytest.fixture
def cut_the_connection_once() -> Iterator[Cut]:
    """Once armed, while the next event is being written (inside the service's transaction,
    before its commit), the server ends this process's database session, as a restart would."""
    cut = Cut()

    def cut_now(sender: object, **kwargs: object) -> None:
        if not cut.armed:
            return
        cut.armed = False
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        cut.pids.append(pid)

    case_event_recorded.connect(cut_now, dispatch_uid="test.cut_the_connection_once")
    yield cut
    case_event_recorded.disconnect(dispatch_uid="test.cut_the_connection_once")


def test_a_dropped_connection_is_a_503_and_the_retry_lands_once(
    supervisor: User,
    jizhou: Region,
    jizhou_officer: User,
    cut_the_connection_once: Cut,
) -> None:
    case = new_case(supervisor, jizhou)
    officer = token_client("jizhou_officer")
    officer.raise_request_exception = False  # a 5xx is reported (logged) as it should be
    url = f"/api/v1/cases/{case.pk}/transitions/"
    body = {"transition": "start", "comment": "已签收", "expected_version": case.version}
    cut_the_connection_once.armed = True

    dropped = officer.post(url, body, format="json")
    assert cut_the_connection_once.pids, "the connection was not cut"
    assert dropped.status_code == 503
    assert dropped.headers["Retry-After"]
    assert "数据库" in dropped.json()["errors"][0]["detail"]
    # Nothing of the cut request is kept: not the state, not the event.
    case.refresh_from_db()
    assert case.state == State.ASSIGNED
    assert not CaseEvent.objects.filter(case=case, action=Action.START).exists()

    retried = officer.post(url, body, format="json")
    assert retried.status_code == 200 and retried.json()["state"] == "rectifying"
    again = officer.post(url, body, format="json")  # a second retry from a flaky phone
    assert again.status_code == 409
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING
    assert CaseEvent.objects.filter(case=case, action=Action.START).count() == 1


def test_a_dropped_connection_in_the_admin_is_a_page_that_says_so(
    supervisor: User,
    jizhou: Region,
    jizhou_officer: User,
    cut_the_connection_once: Cut,
    client: Client,
) -> None:
    case = new_case(supervisor, jizhou)
    client.force_login(jizhou_officer)
    client.raise_request_exception = False
    url = f"/admin/cases/case/{case.pk}/act/start/"
    cut_the_connection_once.armed = True
    dropped = client.post(url, {"comment": "已签收"})
    assert cut_the_connection_once.pids, "the connection was not cut"
    assert dropped.status_code == 503 and dropped.headers["Retry-After"]
    assert "数据库" in dropped.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.ASSIGNED
    client.force_login(jizhou_officer)  # the session row may have gone with the connection
    retried = client.post(url, {"comment": "已签收"})
    assert retried.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING
    assert CaseEvent.objects.filter(case=case, action=Action.START).count() == 1
