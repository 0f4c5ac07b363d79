"""Figures as of a date, rebuilt from events: a hand-built history over two rounds with a
reopening, a repeat and a case closed after the cut-off, counted by hand at three dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from cases.models import CaseKind
from cases.services import case_mark_repeat, case_transition
from casework.models import Region, User
from supervision import reports
from tests.cases.conftest import advance
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str):  # type: ignore[no-untyped-def]
    return time_machine.travel(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=SHANGHAI), tick=False
    )


def test_as_of_three_dates_matches_the_hand_count(
    supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region, qingyuan: Region
) -> None:
    round_a = source("第二轮中央生态环境保护督察")
    round_b = source("2025年省生态环境保护督察", stream="provincial")
    with at("2025-03-03"):
        a1, a2, _a3 = (new_case(supervisor, jizhou, source=round_a) for _ in range(3))
    with at("2025-03-05"):
        advance(a1, jizhou_officer, supervisor, "closed")  # closed when its notice ends, in March
    with at("2025-03-06"):
        a2 = advance(a2, jizhou_officer, supervisor, "closed")
    with at("2025-06-02"):
        b1 = new_case(supervisor, qingyuan, source=round_b)
        b2 = new_case(supervisor, qingyuan, source=round_b)
        case_mark_repeat(
            case_id=b2.pk, user=supervisor, original_number=b1.acceptance_number, comment="重复"
        )
    with at("2025-07-01"):
        case_transition(
            case_id=a2.pk,
            user=supervisor,
            transition="reopen",
            data={"deadline": dt.date(2025, 8, 29)},
            comment="回头看发现反弹",
        )
    with at("2025-07-02"):
        advance(b1, qingyuan_officer, supervisor, "closed")  # its repeat follows it
    with at("2025-09-01"):
        advance(a2.__class__.objects.get(pk=a2.pk), jizhou_officer, supervisor, "closed")
    petitions = reports.scoped_cases(user=supervisor, kind=CaseKind.PETITION)

    def figures(day: dt.date | None) -> tuple[int, int, int, int]:
        total = reports.closure_rates(cases=petitions, day=day)["total"]
        return total["assigned"], total["closed_out"], total["repeats"], total["reopened"]

    # 30 April: round A's three; A1 and A2 closed out in March.
    assert figures(dt.date(2025, 4, 30)) == (3, 2, 0, 0)
    # 31 July: B1 too (its repeat B2 counted beside); A2 reopened on 1 July; B1 closed in July.
    assert figures(dt.date(2025, 7, 31)) == (4, 2, 1, 1)
    # 31 August: the same: A2 is closed out again only in September, after the cut-off.
    assert figures(dt.date(2025, 8, 31)) == (4, 2, 1, 1)
    # Now: A1, A2 and B1 of the four.
    assert figures(None)[:2] == (4, 3)

    def overdue(day: str) -> list[str]:
        found = reports.overdue_cases(cases=petitions, day=dt.date.fromisoformat(day))
        return [c.acceptance_number for c in found]

    # A3 never moved past its March deadline; A2, reopened to 29 August, is late by 31 August;
    # B1's repeat B2 is never listed on its own.
    assert overdue("2025-04-30") == [_a3.acceptance_number]
    assert overdue("2025-07-31") == [_a3.acceptance_number]
    assert overdue("2025-08-31") == [_a3.acceptance_number, a2.acceptance_number]
    api = APIClient()
    api.force_authenticate(supervisor)
    rows = api.get("/api/v1/reports/overdue/", {"as_of": "2025-08-31", "kind": "petition"}).json()
    assert [(r["acceptance_number"], r["deadline"], r["days_overdue"]) for r in rows] == [
        (_a3.acceptance_number, str(_a3.deadline), (dt.date(2025, 8, 31) - _a3.deadline).days),
        (a2.acceptance_number, "2025-08-29", 2),
    ]
    # The dashboard's charts as of the same day: states by stream, and the trend ending there.
    states = api.get("/api/v1/reports/state-by-stream/", {"as_of": "2025-07-31"}).json()
    by_stream = {s["code"]: s for s in states["streams"]}
    assert states["as_of"] == "2025-07-31"
    # Round A: A1 closed, A2 reopened (整改中 again), A3 assigned. Round B: B1 closed, B2 too.
    central = by_stream[round_a.stream.code]
    assert (central["closed"], central["rectifying"], central["assigned"]) == (1, 1, 1)
    assert by_stream[round_b.stream.code]["closed"] == 2
    today_states = api.get("/api/v1/reports/state-by-stream/").json()["streams"]
    assert {s["code"]: s["closed"] for s in today_states}[round_a.stream.code] == 2
    trend = api.get("/api/v1/reports/overdue-trend/", {"as_of": "2025-08-31"}).json()
    assert trend["as_of"] == "2025-08-31"
    # The trend's last point is the overdue list's length that day: A3, and A2 reopened to 29
    # August and late again.
    assert len(rows) == 2 and trend["points"][-1] == {"date": "2025-08-31", "overdue": 2}
    # A month earlier A2 was reopened but not yet late (its new deadline ahead): A3 alone.
    assert trend["points"][-5] == {"date": "2025-08-03", "overdue": 1}
    assert trend["points"][-2]["date"] == "2025-08-24"
    sentence = reports.report_sentences(user=supervisor, day=dt.date(2025, 8, 31))["text"]
    assert sentence.startswith("截至2025年8月31日，")
    assert "交办信访件累计4件（重复件1件），已整改销号2件，整改销号率50.0%。" in sentence


def test_as_of_today_is_the_same_as_today(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    from casework import clock

    made = [new_case(supervisor, jizhou) for _ in range(4)]
    for case, to in zip(made, ["rectifying", "submitted", "verified", "closed"], strict=True):
        advance(case, jizhou_officer, supervisor, to)
    cases = reports.scoped_cases(user=supervisor)
    live = reports.closure_rates(cases=cases)["total"]
    rebuilt = reports.closure_rates(cases=cases, day=clock.today() + dt.timedelta(days=40))["total"]
    assert rebuilt == live
