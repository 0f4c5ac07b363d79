"""The county ranking, the monthly 通报's table: each county's petitions' 办结率 and 整改销号率,
its findings behind schedule and overdue, its overdue cases; ranked, as of any date; on the
dashboard, over the API and as a formatted Excel sheet."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import CaseKind
from casework.models import Region, User
from supervision import reports
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str):  # type: ignore[no-untyped-def]
    return time_machine.travel(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def ledger(
    supervisor: User,
    jizhou_officer: User,
    qingyuan_officer: User,
    jizhou: Region,
    qingyuan: Region,
) -> None:
    """吉州区: 4 petitions, 2 closed out (one of them after 1 June), 1 overdue; 青原区: 2
    petitions, 1 closed out, and a finding overdue since April."""
    with at("2025-03-03"):
        j = [new_case(supervisor, jizhou, acceptance_number=f"J{n}") for n in range(4)]
        q = [new_case(supervisor, qingyuan, acceptance_number=f"Q{n}") for n in range(2)]
        new_case(
            supervisor,
            qingyuan,
            kind=CaseKind.FINDING,
            acceptance_number="QF",
            deadline=dt.date(2025, 4, 30),
        )
    with at("2025-03-05"):
        advance(j[0], jizhou_officer, supervisor, "closed")
        advance(q[0], qingyuan_officer, supervisor, "closed")
        advance(j[2], jizhou_officer, supervisor, "submitted")
        advance(j[3], jizhou_officer, supervisor, "submitted")
    with at("2025-06-10"):
        advance(j[1], jizhou_officer, supervisor, "closed")


def test_the_ranking_counts_and_orders_the_counties_now_and_then(
    ledger: None, supervisor: User
) -> None:
    cases = reports.scoped_cases(user=supervisor)
    with at("2025-07-01"):
        now = reports.county_ranking(cases=cases)
        then = reports.county_ranking(cases=cases, day=dt.date(2025, 5, 31))
    # On 1 July: level on 整改销号率 (2 of 4, 1 of 2), 吉州区 ahead on 办结率 (4 of 4 fed back or
    # handled, against 1 of 2); 青原区 has a petition and a finding overdue.
    row = {r["county"]: r for r in now["rows"]}
    assert [(r["rank"], r["county"]) for r in now["rows"]] == [(1, "吉州区"), (2, "青原区")]
    assert [str(row["吉州区"][k]) for k in ("closed_out_rate", "concluded_rate")] == [
        "50.0",
        "100.0",
    ]
    assert [str(row["青原区"][k]) for k in ("closed_out_rate", "concluded_rate")] == [
        "50.0",
        "50.0",
    ]
    assert (row["青原区"]["findings"], row["青原区"]["findings_overdue"]) == (1, 1)
    assert (row["吉州区"]["overdue"], row["青原区"]["overdue"]) == (0, 2)
    # At the end of May 吉州区 had closed out one in four, and J1 was overdue: 青原区 led.
    row = {r["county"]: r for r in then["rows"]}
    assert [(r["rank"], r["county"]) for r in then["rows"]] == [(1, "青原区"), (2, "吉州区")]
    assert (str(row["吉州区"]["closed_out_rate"]), row["吉州区"]["overdue"]) == ("25.0", 1)
    assert then["as_of"] == "2025-05-31"


def test_the_ranking_on_the_dashboard_the_api_and_in_excel(
    ledger: None, supervisor: User, jizhou_officer: User
) -> None:
    with at("2025-07-01"):
        api = APIClient()
        api.force_authenticate(supervisor)
        body = api.get("/api/v1/reports/ranking/", {"as_of": "2025-05-31"}).json()
        assert [r["county"] for r in body["rows"]] == ["青原区", "吉州区"]
        assert "整改销号率" in body["order"]
        response = api.get("/api/v1/exports/ranking.xlsx", {"as_of": "2025-05-31"})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
        assert sheet["A1"].value == "截至2025年5月31日各区县生态环境保护督察整改情况排名"
        assert [c.value for c in sheet[3]][:3] == [1, 1, "青原区"]
        assert sheet.freeze_panes == "B3"
        assert api.get("/api/v1/reports/ranking/", {"as_of": "2099-01-01"}).status_code == 400
        # An officer's ranking is of what they may see: their county alone.
        api.force_authenticate(jizhou_officer)
        mine = api.get("/api/v1/reports/ranking/").json()["rows"]
        assert [r["county"] for r in mine] == ["吉州区"]
        web = Client()
        web.force_login(supervisor)
        page = web.get("/admin/dashboard/", {"as_of": "2025-05-31"}).content.decode()
    assert 'id="county-ranking"' in page and "区县排名" in page
    assert page.index('data-county="青原区"') < page.index('data-county="吉州区"')
    assert "/api/v1/exports/ranking.xlsx?as_of=2025-05-31" in page


def test_the_monthly_circular_goes_to_the_city_and_to_each_county_once(
    ledger: None, supervisor: User, leader: User, jizhou_officer: User, qingyuan_officer: User
) -> None:
    from notifications.models import Kind, Notification
    from supervision.circulars import ranking_circular_send

    with at("2025-06-01"):
        assert ranking_circular_send() == 4  # the supervisor, the leader, two counties
        assert ranking_circular_send() == 0  # once a month
    sent = Notification.objects.filter(kind=Kind.CIRCULAR)
    title = "【月度通报】截至2025年5月31日各区县生态环境保护督察整改情况排名"
    assert set(sent.values_list("title", flat=True)) == {title}
    table = sent.get(recipient=supervisor).body
    assert table.index("第1名（共2个区县）青原区") < table.index("第2名（共2个区县）吉州区")
    assert sent.get(recipient=leader).body == table
    mine = sent.get(recipient=jizhou_officer).body
    assert "第2名（共2个区县）吉州区：交办信访件4件" in mine and "整改销号率25.0%" in mine
    assert "青原区：" not in mine  # each county reads its own line
    assert "第1名（共2个区县）青原区" in sent.get(recipient=qingyuan_officer).body
