"""The public notice (整改销号公示): its dates, its text, the page anyone can read, and the
objections citizens file there."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.test import Client

from cases.models import Action, Case, CaseEvent, Objection, State
from cases.notice import notice_publish, notice_text, objection_file_public
from cases.public import CHALLENGE_SALT
from cases.services import case_transition
from casework.errors import InvalidInput, NotFound, PermissionDenied, TransitionNotAllowed
from casework.models import Region, ResponsibleUnit, User
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db

VERIFIED_ON = dt.date(2025, 5, 20)


@pytest.fixture
def noticed(supervisor: User, jizhou_officer: User, jizhou: Region) -> Case:
    unit = ResponsibleUnit.objects.filter(region=jizhou).first()
    unit.contact_phone = "0796-8221234"
    unit.contact_address = "吉安市吉州区人民政府（吉州区环保大道1号）"
    unit.save()
    with time_machine.travel(dt.datetime(2025, 5, 6, 2, tzinfo=dt.UTC), tick=False):
        case = new_case(
            supervisor,
            jizhou,
            acceptance_number="X3JX202405160020",
            summary="反映吉州区某砂石加工厂废水直排赣江。",
        )
    with time_machine.travel(dt.datetime(2025, 5, 20, 2, tzinfo=dt.UTC), tick=False):
        return advance(case, jizhou_officer, supervisor, State.VERIFIED)


def on(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), tick=False)


def test_the_notice_reads_as_counties_publish_it(noticed: Case) -> None:
    assert (noticed.notice_starts_on, noticed.notice_ends_on) == (VERIFIED_ON, dt.date(2025, 6, 4))
    text = notice_text(noticed)
    assert text["title"] == "关于X3JX202405160020号交办信访件整改销号情况的公示"
    # 21 May to 4 June 2025 are ten working days (31 May - 2 June: the Dragon Boat holiday).
    assert text["window"] == "2025年5月20日至2025年6月4日，共10个工作日"
    assert (text["unit"], text["phone"]) == (noticed.unit.name, "0796-8221234")
    assert text["rectification"] == noticed.rectification_account


def test_a_supervisor_sets_the_real_publication_day(
    noticed: Case, supervisor: User, jizhou_officer: User
) -> None:
    with on(dt.date(2025, 5, 22)):
        with pytest.raises(PermissionDenied):
            notice_publish(case_id=noticed.pk, user=jizhou_officer, starts_on=dt.date(2025, 5, 21))
        with pytest.raises(InvalidInput) as excinfo:
            notice_publish(case_id=noticed.pk, user=supervisor, starts_on=dt.date(2025, 5, 1))
        assert list(excinfo.value.field_errors) == ["starts_on"]
        case = notice_publish(case_id=noticed.pk, user=supervisor, starts_on=dt.date(2025, 5, 21))
    assert (case.notice_starts_on, case.notice_ends_on) == (
        dt.date(2025, 5, 21),
        dt.date(2025, 6, 5),
    )
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == Action.NOTICE_PUBLISH
    assert event.data["new"] == ["2025-05-21", "2025-06-05"]


def _answer(page: str) -> tuple[str, int]:
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return token, signing.loads(token, salt=CHALLENGE_SALT)["sum"]


def test_anyone_reads_the_notice_and_files_an_objection_that_blocks_closure(
    noticed: Case, supervisor: User, leader: User
) -> None:
    web = Client()
    with on(dt.date(2025, 5, 26)):
        listing = web.get("/public/notices/").content.decode()
        assert "X3JX202405160020" in listing
        page = web.get(f"/public/notices/{noticed.pk}/").content.decode()
        assert "一、转办问题基本情况" in page and "0796-8221234" in page
        token, answer = _answer(page)
        wrong = web.post(
            f"/public/notices/{noticed.pk}/",
            {"content": "废水仍在夜间直排", "token": token, "answer": answer + 1},
        )
        assert wrong.status_code == 400
        assert "废水仍在夜间直排" in wrong.content.decode()  # the text is kept
        assert not Objection.objects.exists()
        token, answer = _answer(wrong.content.decode())
        sent = web.post(
            f"/public/notices/{noticed.pk}/",
            {
                "content": "废水仍在夜间直排",
                "contact": "13900001111",
                "token": token,
                "answer": answer,
            },
        )
        assert sent.status_code == 302
        assert "已收到" in web.get(sent["Location"]).content.decode()
    objection = Objection.objects.get()
    assert (objection.status, objection.from_public_page, objection.recorded_by) == (
        "pending",
        True,
        None,
    )
    assert objection.contact == "13900001111"
    event = CaseEvent.objects.filter(case=noticed).latest("id")
    assert (event.action, event.actor, event.data["channel"]) == (
        Action.OBJECTION_RECORD,
        None,
        "public",
    )
    with on(dt.date(2025, 6, 6)), pytest.raises(TransitionNotAllowed, match="异议"):
        case_transition(case_id=noticed.pk, user=supervisor, transition="close")
    # The supervisor sees how to answer the objector; the leader does not.
    with on(dt.date(2025, 5, 26)):
        web.force_login(supervisor)
        page = web.get(f"/admin/cases/case/{noticed.pk}/change/").content.decode()
        assert "13900001111" in page and "废水仍在夜间直排" in page
        web.force_login(leader)
        page = web.get(f"/admin/cases/case/{noticed.pk}/change/").content.decode()
        assert "13900001111" not in page and "废水仍在夜间直排" in page


def test_the_page_shows_only_cases_in_their_window_and_limits_attempts(noticed: Case) -> None:
    web = Client()
    with on(dt.date(2025, 6, 5)):  # the day after the window
        assert "X3JX202405160020" not in web.get("/public/notices/").content.decode()
        assert web.get(f"/public/notices/{noticed.pk}/").status_code == 404
        with pytest.raises(NotFound):
            objection_file_public(case_id=noticed.pk, content="还有问题")
    with on(dt.date(2025, 5, 26)):
        statuses = []
        for _ in range(11):
            page = web.get(f"/public/notices/{noticed.pk}/").content.decode()
            token, answer = _answer(page)
            response = web.post(
                f"/public/notices/{noticed.pk}/",
                {"content": "意见", "token": token, "answer": answer + 1},
            )
            statuses.append(response.status_code)
        assert statuses == [400] * 10 + [429]
        robot = web.post(
            f"/public/notices/{noticed.pk}/",
            {"content": "spam", "token": "forged", "answer": 3, "website": "http://x"},
        )
        assert robot.status_code == 429
    assert not Objection.objects.exists()


def test_a_robot_filling_every_field_is_refused(noticed: Case) -> None:
    web = Client()
    with on(dt.date(2025, 5, 26)):
        token, answer = _answer(web.get(f"/public/notices/{noticed.pk}/").content.decode())
        response = web.post(
            f"/public/notices/{noticed.pk}/",
            {"content": "buy", "token": token, "answer": answer, "website": "http://spam"},
        )
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_the_api_sets_the_publication_day_for_supervisors_only(
    noticed: Case, supervisor: User, jizhou_officer: User
) -> None:
    from rest_framework.test import APIClient

    api = APIClient()
    url = f"/api/v1/cases/{noticed.pk}/notice/"
    with on(dt.date(2025, 5, 22)):
        api.force_authenticate(jizhou_officer)
        assert api.post(url, {"starts_on": "2025-05-21"}, format="json").status_code == 403
        api.force_authenticate(supervisor)
        early = api.post(url, {"starts_on": "2025-05-01"}, format="json")
        assert early.status_code == 400
        assert [e["attr"] for e in early.json()["errors"]] == ["starts_on"]
        response = api.post(url, {"starts_on": "2025-05-21"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["notice_ends_on"] == "2025-06-05"
