"""Deadlines past the published calendar: a provisional 2027, the official one entered, and the
dates recounted (cases/calendar.py, casework/workdays.py). "Today" is 2026-12-20, when the
State Council's notice for 2027 had not been entered."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.calendar import calendar_year_enter, dates_parse, recomputation_decide
from cases.models import Action, Case, CaseEvent, DateRecomputation, RecomputationStatus, State
from casework import workdays
from casework.errors import InvalidInput, PermissionDenied, TransitionNotAllowed
from casework.models import CalendarYear, Region, User
from notifications.models import Kind, Notification
from notifications.services import reminders_scan
from tests.cases.conftest import advance
from tests.factories import new_case, source

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date

# The official 2027 of these tests (invented, shaped like a real notice): 元旦 on Friday 1 January;
# the Spring Festival from Friday 5 to Friday 12 February, with Sunday 31 January and Saturday
# 20 February swapped working days.
OFFICIAL_2027 = {
    "year": 2027,
    "holidays": [D(2027, 1, 1), *(D(2027, 2, d) for d in (5, 8, 9, 10, 11, 12))],
    "workdays_": [D(2027, 1, 31), D(2027, 2, 20)],
    "document_number": "国办发明电〔2026〕7号",
}


def at(day: dt.date, hour: int = 10, minute: int = 0) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture(autouse=True)
def _provisional_2027(calendar_2027_unknown: None) -> None:
    pass


def petition(supervisor: User, region: Region, days: int, number: str) -> Case:
    """A petition assigned today, its deadline counted from its source's rule (``days`` working
    days to report back)."""
    return new_case(
        supervisor,
        region,
        acceptance_number=number,
        source=source(f"{days}个工作日的督察轮次", report_days=days, report_in_working_days=True),
        assigned_on=None,
        deadline=None,
    )


@pytest.fixture
def december_cases(supervisor: User, jizhou: Region) -> dict[str, Case]:
    with at(D(2026, 12, 20)):
        return {
            "same": petition(supervisor, jizhou, 10, "CAL-10"),
            "later": petition(supervisor, jizhou, 36, "CAL-36"),
            "earlier": petition(supervisor, jizhou, 30, "CAL-30"),
        }


def test_a_petition_assigned_on_20_december_gets_a_provisional_deadline(
    december_cases: dict[str, Case], jizhou_officer: User
) -> None:
    case = december_cases["same"]
    # 10 working days: 21-31 December give 9, 1 January is 元旦, Monday 4 January is the 10th.
    assert (case.deadline, case.deadline_provisional) == (D(2027, 1, 4), True)
    assert workdays.year_calendar(2027).provisional

    api = APIClient()
    api.force_authenticate(jizhou_officer)
    row = next(
        r for r in api.get("/api/v1/cases/?page_size=50").json()["results"] if r["id"] == case.pk
    )
    assert (row["deadline"], row["deadline_provisional"]) == ("2027-01-04", True)

    web = Client()
    with at(D(2026, 12, 20)):
        web.force_login(jizhou_officer)
        page = web.get("/admin/cases/case/").content.decode()
    assert "2027-01-04（暂定）" in page

    with at(D(2026, 12, 20)):
        export = api.get("/api/v1/exports/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header = [c.value for c in sheet[1]]
    values = {
        row[header.index("受理编号")]: row for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert values["CAL-10"][header.index("办理时限")] == "2027-01-04（暂定）"


def test_a_case_verified_in_late_december_has_a_provisional_notice_window(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    with at(D(2026, 12, 20)):
        case = new_case(supervisor, jizhou, acceptance_number="CAL-V")
        case = advance(case, jizhou_officer, supervisor, State.VERIFIED)
    assert (case.notice_ends_on, case.notice_ends_provisional) == (D(2027, 1, 4), True)


def test_the_december_rungs_of_a_january_deadline_go_out(
    december_cases: dict[str, Case], jizhou_officer: User
) -> None:
    case = december_cases["same"]  # due Monday 4 January 2027 (provisional)
    with at(D(2026, 12, 29), 9, 1):
        assert reminders_scan() == 1
    with at(D(2026, 12, 31), 9, 1):
        assert reminders_scan() == 1
    titles = list(
        Notification.objects.filter(recipient=jizhou_officer, kind=Kind.REMINDER, case=case)
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert titles == [
        "【提醒】CAL-10 距办理时限还有 3 个工作日",
        "【提醒】CAL-10 距办理时限还有 1 个工作日",
    ]
    body = Notification.objects.filter(case=case, kind=Kind.REMINDER).latest("id").body
    assert "办理时限：2027年1月4日（暂定）" in body


def test_entering_the_official_2027_recounts_the_provisional_deadlines(
    december_cases: dict[str, Case], supervisor: User, jizhou_officer: User
) -> None:
    with at(D(2026, 12, 22)):
        report = calendar_year_enter(user=supervisor, **OFFICIAL_2027)
    same, later, earlier = (Case.objects.get(pk=c.pk) for c in december_cases.values())

    # Unchanged: now official.
    assert (same.deadline, same.deadline_provisional) == (D(2027, 1, 4), False)
    # 36 working days: Sunday 31 January is worked, but 11 and 12 February are off: one day later.
    assert (later.deadline, later.deadline_provisional) == (D(2027, 2, 16), False)
    event = CaseEvent.objects.filter(case=later).latest("id")
    assert event.action == Action.RECOMPUTE
    assert (event.deadline_before, event.deadline_after) == (D(2027, 2, 15), D(2027, 2, 16))
    assert "2027-02-15 → 2027-02-16" in event.comment
    told = Notification.objects.filter(recipient=jizhou_officer, case=later, kind=Kind.EVENT)
    assert told.latest("id").title == "【按官方日历重算日期】CAL-36"
    # 30 working days would end on Sunday 31 January instead of Monday 1 February: earlier, so
    # it is not changed; a supervisor confirms.
    assert (earlier.deadline, earlier.deadline_provisional) == (D(2027, 2, 1), True)
    waiting = DateRecomputation.objects.get(case=earlier)
    assert (waiting.current_date, waiting.official_date, waiting.status) == (
        D(2027, 2, 1),
        D(2027, 1, 31),
        RecomputationStatus.PENDING,
    )
    assert not CaseEvent.objects.filter(case=earlier, action=Action.RECOMPUTE).exists()
    assert (len(report.applied), len(report.waiting), report.unchanged) == (1, 1, 1)

    row = CalendarYear.objects.get(year=2027)
    assert (row.document_number, row.entered_by) == ("国办发明电〔2026〕7号", supervisor)
    assert workdays.is_working_day(D(2027, 2, 20)) and not workdays.is_working_day(D(2027, 2, 12))

    # The supervisor applies the earlier date: the case's trail says so.
    with at(D(2026, 12, 23)):
        recomputation_decide(recomputation_id=waiting.pk, user=supervisor, apply=True)
    earlier.refresh_from_db()
    assert (earlier.deadline, earlier.deadline_provisional) == (D(2027, 1, 31), False)
    assert CaseEvent.objects.filter(case=earlier, action=Action.RECOMPUTE).count() == 1
    with pytest.raises(TransitionNotAllowed):
        recomputation_decide(recomputation_id=waiting.pk, user=supervisor, apply=False)


def test_a_dry_run_shows_the_changes_and_keeps_nothing(
    december_cases: dict[str, Case], supervisor: User
) -> None:
    events = CaseEvent.objects.count()
    with at(D(2026, 12, 22)):
        report = calendar_year_enter(user=supervisor, dry_run=True, **OFFICIAL_2027)
    assert [(c.acceptance_number, c.old, c.new, c.applied) for c in report.changes] == [
        ("CAL-36", D(2027, 2, 15), D(2027, 2, 16), True),
        ("CAL-30", D(2027, 2, 1), D(2027, 1, 31), False),
    ]
    assert not CalendarYear.objects.exists() and not DateRecomputation.objects.exists()
    assert CaseEvent.objects.count() == events
    assert Case.objects.get(pk=december_cases["later"].pk).deadline == D(2027, 2, 15)
    assert workdays.year_calendar(2027).provisional


def test_a_recounted_notice_window_follows_the_official_year(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    with at(D(2027, 1, 25)):  # verified while 2027 is still provisional
        case = advance(
            new_case(supervisor, jizhou, acceptance_number="CAL-N", assigned_on=D(2027, 1, 4)),
            jizhou_officer,
            supervisor,
            State.VERIFIED,
        )
        assert (case.notice_ends_on, case.notice_ends_provisional) == (D(2027, 2, 12), True)
        # Official: Sunday 31 January is worked, 11 and 12 February are off: one day later.
        calendar_year_enter(user=supervisor, **OFFICIAL_2027)
    case.refresh_from_db()
    assert (case.notice_ends_on, case.notice_ends_provisional) == (D(2027, 2, 15), False)


def test_only_supervisors_enter_a_calendar_and_bad_input_is_named(
    supervisor: User, jizhou_officer: User, leader: User
) -> None:
    for person in (jizhou_officer, leader):
        with pytest.raises(PermissionDenied):
            calendar_year_enter(user=person, **OFFICIAL_2027)
    with pytest.raises(InvalidInput) as refused:
        calendar_year_enter(
            user=supervisor, year=2027, holidays=[D(2028, 1, 3)], workdays_=[D(2027, 2, 22)]
        )
    assert refused.value.field_errors == {
        "holidays": ["这些日期不在 2027 年内：2028-01-03"],
        "workdays": ["调休上班日应为周末；以下日期是工作日：2027-02-22"],
    }
    with pytest.raises(InvalidInput) as known:
        calendar_year_enter(user=supervisor, year=2026, holidays=[D(2026, 1, 1)])
    assert "已知" in known.value.field_errors["year"][0]
    assert not CalendarYear.objects.exists()


def test_dates_are_typed_as_days_and_ranges() -> None:
    assert dates_parse("2027-01-01\n2027-02-05 至 2027-02-08，2027-10-01", field_name="h") == [
        D(2027, 1, 1),
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
        D(2027, 10, 1),
    ]
    with pytest.raises(InvalidInput) as refused:
        dates_parse("2027-01-01\n2月5日", field_name="h")
    assert "第 2 项" in refused.value.field_errors["h"][0]


def test_the_command_enters_a_year_from_a_file_after_a_dry_run(
    december_cases: dict[str, Case], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "2027.csv"
    path.write_text(
        "日期,类型\n2027-01-01,休\n"
        + "".join(f"2027-02-{d:02d},休\n" for d in (5, 8, 9, 10, 11, 12))
        + "2027-01-31,班\n2027-02-20,班\n",
        encoding="gb18030",
    )
    out = io.StringIO()
    with at(D(2026, 12, 22)):
        call_command("calendar_year", str(path), "--dry-run", stdout=out)
        assert "DRY RUN" in out.getvalue() and "CAL-36" in out.getvalue()
        assert not CalendarYear.objects.exists()
        call_command("calendar_year", str(path), "--document", "国办发明电〔2026〕7号", stdout=out)
    assert CalendarYear.objects.get(year=2027).workdays == ["2027-01-31", "2027-02-20"]
    assert Case.objects.get(pk=december_cases["later"].pk).deadline == D(2027, 2, 16)


def test_from_october_the_missing_next_year_is_announced(supervisor: User, client: Client) -> None:
    with at(D(2026, 9, 30)):
        assert client.get("/healthz").json()["warnings"] == []
    with at(D(2026, 10, 1)):
        health = client.get("/healthz")
        assert health.status_code == 200
        assert [w["code"] for w in health.json()["warnings"]] == ["calendar_next_year_provisional"]
        client.force_login(supervisor)
        index = client.get("/admin/").content.decode()
        assert 'id="calendar-warning"' in index and "2027 年" in index
        calendar_year_enter(user=supervisor, **OFFICIAL_2027)
        assert client.get("/healthz").json()["warnings"] == []
        assert 'id="calendar-warning"' not in client.get("/admin/").content.decode()


def test_the_daily_digest_says_next_year_is_provisional(supervisor: User) -> None:
    from notifications.services import digest_send

    with at(D(2026, 12, 1), 8, 30):
        assert digest_send() == 1
    body = Notification.objects.get(recipient=supervisor, kind=Kind.DIGEST).body
    assert "2027 年的法定节假日安排尚未录入" in body


def test_a_supervisor_confirms_an_earlier_date_in_the_admin(
    december_cases: dict[str, Case], supervisor: User, jizhou_officer: User
) -> None:
    with at(D(2026, 12, 22)):
        calendar_year_enter(user=supervisor, **OFFICIAL_2027)
        waiting = DateRecomputation.objects.get()
        web = Client()
        web.force_login(supervisor)
        listing = web.get("/admin/cases/daterecomputation/?status__exact=pending").content.decode()
        assert "CAL-30" in listing and "2027-01-31" in listing.replace(
            "2027年1月31日", "2027-01-31"
        )
        url = f"/admin/cases/daterecomputation/{waiting.pk}/decide/"
        page = web.get(url).content.decode()
        assert "采用官方日期" in page and "保留当前日期" in page
        assert web.post(url, {"decision": "keep"}).status_code == 302
        officer = Client()
        officer.force_login(jizhou_officer)
        assert officer.post(url, {"decision": "apply"}).status_code == 404
    waiting.refresh_from_db()
    case = Case.objects.get(pk=december_cases["earlier"].pk)
    assert waiting.status == RecomputationStatus.KEPT
    assert (case.deadline, case.deadline_provisional) == (D(2027, 2, 1), False)
    assert CaseEvent.objects.filter(case=case, action=Action.RECOMPUTE).count() == 1


def test_a_year_before_the_calendars_first_cannot_be_entered(supervisor: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        calendar_year_enter(user=supervisor, year=2003, holidays=[D(2003, 1, 1)])
    assert "2005" in refused.value.field_errors["year"][0]
