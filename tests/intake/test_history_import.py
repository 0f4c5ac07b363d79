"""An earlier round's ledger brought in with its history: each case in its state, its events at
their historical dates, so that a report as of any past date counts it as it stood."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from cases.audit import audit_breaks
from cases.models import Case, CaseKind, FeedbackOutcome, Source, State
from casework import clock
from casework.models import ResponsibleUnit
from intake.models import ImportKind, ImportState
from intake.services import import_check, import_confirm
from notifications.models import CaseReminder
from supervision.exports import LEDGER_COLUMNS, workbook
from supervision.reports import closure_rates, report_sentences
from tests.cases.conftest import advance
from tests.factories import new_case, source
from tests.intake.conftest import xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "序号",
    "轮次",
    "受理编号",
    "交办问题基本情况",
    "行政区域",
    "污染类型",
    "交办日期",
    "状态",
    "办理结果",
    "整改时限",
    "办结日期",
    "验收日期",
    "销号日期",
    "调查核实情况",
    "是否属实",
    "处理和整改情况",
    "责任人被处理情况",
]
R2 = "第二轮中央生态环境保护督察"
P22 = "2022年省生态环境保护督察"


def row(
    n,
    src,
    state,
    assigned,
    outcome="",
    until="",
    concluded="",
    verified="",
    closed="",
    region="吉州区",
):  # type: ignore[no-untyped-def]
    return [
        n,
        src,
        f"H{n:04d}",
        f"群众反映{region}第{n}号地块问题。",
        region,
        "水",
        assigned,
        state,
        outcome,
        until,
        concluded,
        verified,
        closed,
        "经调查，情况属实。",
        "属实",
        "已完成整改。\n责令改正1家，罚款2.5万元",
        "约谈企业负责人1人。",
    ]


# Two rounds, 10 petitions: what each stood at on 2021-12-31 and on 2023-12-31 is counted by hand
# in the test below.
LEDGER = [
    row(1, R2, "已销号", "2021-05-08", "", "", "2021-05-14", "2021-06-20", "2021-07-10"),
    row(2, R2, "已销号", "2021-05-08", "办结", "", "2021/5/15", "2021年9月1日", "2022-01-20"),
    row(
        3,
        R2,
        "已销号",
        "2021-05-09",
        "阶段性办结",
        "2022-06-30",
        "2022-06-20",
        "2022-07-15",
        "2022-08-01",
    ),
    row(
        4,
        R2,
        "已验收(公示中)",
        "2021-05-09",
        "阶段性办结",
        "2023-12-31",
        "2023-12-01",
        "2023-12-20",
        "",
    ),
    row(5, R2, "整改中", "2021-05-10", "阶段性办结", "2025-12-31", "", "", ""),
    row(6, P22, "已销号", "2022-08-01", "办结", "", "2022-08-09", "2022-09-01", "2022-10-08"),
    row(7, P22, "已销号", "2022-08-01", "办结", "", "2022-08-09", "2022-09-01", "2023-11-30"),
    row(8, P22, "待验收", "2022-08-02", "办结", "", "2024-03-01", "", ""),
    row(
        9,
        P22,
        "已销号",
        "2022-08-02",
        "阶段性办结",
        "2023-06-30",
        "2023-06-01",
        "2023-06-20",
        "2024-01-05",
    ),
    row(10, P22, "已交办", "2022-08-03", "", "", "", "", ""),
]


@pytest.fixture
def rounds(reference: None) -> tuple[Source, Source]:
    return (
        source(R2, report_days=10, report_in_working_days=False),
        source(P22, stream="provincial", report_days=7, report_in_working_days=False),
    )


def test_a_history_ledger_counts_as_of_any_past_date_as_by_hand(rounds, supervisor) -> None:
    run = import_check(user=supervisor, file=xlsx([HEADER, *LEDGER]), file_name="历史台账.xlsx")
    assert (run.kind, run.state) == (ImportKind.HISTORY, ImportState.PREVIEWED), run.report
    run = import_confirm(run_id=run.pk, user=supervisor)
    assert (run.state, run.created) == (ImportState.DONE, 10)

    states = dict(Case.objects.values_list("acceptance_number", "state"))
    assert states == {
        "H0001": State.CLOSED,
        "H0002": State.CLOSED,
        "H0003": State.CLOSED,
        "H0004": State.VERIFIED,
        "H0005": State.RECTIFYING,
        "H0006": State.CLOSED,
        "H0007": State.CLOSED,
        "H0008": State.SUBMITTED,
        "H0009": State.CLOSED,
        "H0010": State.ASSIGNED,
    }
    closed = Case.objects.get(acceptance_number="H0003")
    assert closed.feedback_outcome == FeedbackOutcome.STAGE
    assert closed.rectification_deadline == dt.date(2022, 6, 30)
    assert [(e.action, e.created_at.date().isoformat()) for e in closed.events.all()] == [
        ("create", "2021-05-09"),
        ("feedback", "2021-05-19"),  # no 反馈日期: the feedback deadline is taken
        ("submit", "2022-06-20"),
        ("verify", "2022-07-15"),
        ("close", "2022-08-01"),
    ]
    assert "约谈" in closed.accountability_account
    assert (
        closed.rectification_account,
        closed.ordered_to_correct,
        str(closed.fines_10k_yuan),
    ) == (
        "已完成整改。",
        1,
        "2.50",
    )
    assert list(audit_breaks()) == []
    # Only the open cases are chased.
    assert set(CaseReminder.objects.values_list("case__acceptance_number", flat=True)) == {
        "H0005",
        "H0010",
    }

    petitions = Case.objects.filter(kind=CaseKind.PETITION)
    # 2021-12-31: the second round's 5 assigned; closed out by then: H0001 only.
    end_2021 = closure_rates(cases=petitions, day=dt.date(2021, 12, 31))["total"]
    assert (end_2021["assigned"], end_2021["closed_out"], end_2021["concluded"]) == (5, 1, 2)
    # 2023-12-31: all 10 assigned; closed out H0001-3, H0006-7 (H0009 closed in 2024).
    end_2023 = closure_rates(cases=petitions, day=dt.date(2023, 12, 31))["total"]
    assert (end_2023["assigned"], end_2023["closed_out"]) == (10, 5)
    assert end_2023["rates"]["closed_out"] == 50
    # 办结 then: the five closed, H0004 verified 2023-12-20, H0009 verified 2023-06-20.
    assert end_2023["concluded"] == 7
    # Today: 6 closed out of 10.
    assert closure_rates(cases=petitions)["total"]["closed_out"] == 6
    sentence = report_sentences(user=supervisor, day=dt.date(2023, 12, 31))["text"]
    assert sentence.startswith("截至2023年12月31日，")
    assert "交办信访件累计10件，已整改销号5件，整改销号率50.0%。" in sentence


def test_states_and_dates_that_contradict_each_other_are_reported(rounds, supervisor) -> None:
    bad = [
        row(1, R2, "已销号", "2021-05-08", "", "", "2021-05-14", "2021-06-20", ""),  # no 销号日期
        row(2, R2, "整改中", "2021-05-08", "", "", "", "", "2021-07-01"),  # closed yet rectifying
        row(3, R2, "已销号", "2021-05-09", "", "", "2021-05-14", "2021-05-10", "2021-07-01"),
        row(4, R2, "已交办", "2021-05-09", "阶段性办结", "2022-01-01"),
        row(5, R2, "待验收", "2099-01-01", "", "", "2099-02-01"),
        row(6, "第九轮督察", "已交办", "2021-05-09"),
        row(7, R2, "已关闭", "2021-05-09"),
        row(8, R2, "整改中", "2021年13月1日"),
    ]
    run = import_check(user=supervisor, file=xlsx([HEADER, *bad]), file_name="bad.xlsx")
    assert run.state == ImportState.INVALID
    found = {(p["row"], p["column"]) for p in run.report["problems"]}
    assert found == {
        (2, "销号日期"),
        (3, "销号日期"),
        (4, "验收日期"),
        (5, "状态"),
        (6, "交办日期"),
        (6, "办结日期"),
        (7, "轮次"),
        (8, "状态"),
        (9, "交办日期"),
    }
    assert Case.objects.count() == 0


def test_a_missing_verification_date_takes_the_close_out_date_and_says_so(
    rounds, supervisor
) -> None:
    ledger = [row(1, R2, "已销号", "2021-05-08", "", "", "2021-05-14", "", "2021-07-10")]
    run = import_check(user=supervisor, file=xlsx([HEADER, *ledger]), file_name="l.xlsx")
    assert run.state == ImportState.PREVIEWED
    assert [(w["row"], w["column"]) for w in run.report["warnings"]] == [(2, "验收日期")]
    import_confirm(run_id=run.pk, user=supervisor)
    case = Case.objects.get()
    assert case.verified_at.date() == case.closed_at.date() == dt.date(2021, 7, 10)


def test_the_ledger_export_reimports_as_history_without_loss(
    reference, supervisor, jizhou_officer, jizhou
) -> None:
    """Cases in every state, through the services, exported; the export imported into a source
    of the same name; the new ledger exported: the two workbooks are the same, cell for cell."""
    original = source(R2, report_days=10, report_in_working_days=True)
    co_operating = list(
        ResponsibleUnit.objects.filter(name__in=["青原区人民政府", "吉安县人民政府"]).order_by(
            "name"
        )
    )
    # Two months ago, whatever today is: the history must lie in the past.
    start = dt.datetime.combine(
        clock.today() - dt.timedelta(days=60), dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    with time_machine.travel(start, tick=False):
        cases = [
            new_case(
                supervisor,
                jizhou,
                source=original,
                pollution_types=["water", "air"][: n % 2 + 1],
                is_priority=n == 2,
                address=f"吉州区某路{n}号",
                latitude="27.1" if n == 1 else None,
                longitude="114.98" if n == 1 else None,
                contact_phone="=cmd|' /C calc'!A0" if n == 3 else "0796-8221234",
                co_units=co_operating[: n % 3],
            )
            for n in range(6)
        ]
    for case, to in zip(
        cases, ["assigned", "rectifying", "submitted", "verified", "closed", "closed"], strict=True
    ):
        with time_machine.travel(start + dt.timedelta(days=3), tick=False):
            advance(case, jizhou_officer, supervisor, to)

    def cells(f: io.BytesIO) -> list[list[object]]:
        return [
            list(r)
            for r in load_workbook(f, read_only=True).worksheets[0].iter_rows(values_only=True)
        ]

    first = workbook(Case.objects.order_by("pk"), LEDGER_COLUMNS, "台账")
    exported = cells(first)
    first.seek(0)
    Source.objects.filter(pk=original.pk).update(name="旧轮次")
    again = source(R2, report_days=10, report_in_working_days=True)

    run = import_check(user=supervisor, file=first, file_name="台账.xlsx")
    assert (run.kind, run.state, run.report["ignored_columns"]) == (
        ImportKind.HISTORY,
        ImportState.PREVIEWED,
        [],
    ), run.report["problems"]
    import_confirm(run_id=run.pk, user=supervisor)

    reexported = cells(
        workbook(Case.objects.filter(source=again).order_by("pk"), LEDGER_COLUMNS, "台账")
    )
    assert len(reexported) == 7
    assert reexported == exported


def test_the_dashboard_reads_as_of_a_past_date(rounds, supervisor, client) -> None:
    import_check(
        user=supervisor, file=xlsx([HEADER, *LEDGER]), file_name="历史台账.xlsx", write=True
    )
    client.force_login(supervisor)
    page = client.get("/admin/dashboard/", {"as_of": "2023-12-31"}).content.decode()
    assert "截至2023年12月31日，中央和省生态环境保护督察交办信访件累计10件，已整改销号5件" in page
    assert "整改销号率</dt>" in page and "已销号 ÷ 交办总数" in page  # the definitions, in Chinese
    today = client.get("/admin/dashboard/").content.decode()
    assert "交办信访件累计10件，已整改销号6件" in today
    wrong = client.get("/admin/dashboard/", {"as_of": "明年"})
    assert wrong.status_code == 200 and "“明年”不是日期" in wrong.content.decode()
    future = client.get("/admin/dashboard/", {"as_of": "2999-01-01"}).content.decode()
    assert "截至日期不能晚于今天" in future
    api = client.get(
        "/api/v1/reports/closure-rate/", {"as_of": "2021-12-31", "kind": "petition"}
    ).json()
    assert (api["as_of"], api["total"]["assigned"], api["total"]["closed_out"]) == (
        "2021-12-31",
        5,
        1,
    )


def test_updating_from_a_ledger_changes_data_not_state_and_says_so(rounds, supervisor) -> None:
    import_check(
        user=supervisor,
        file=xlsx([HEADER, row(1, R2, "整改中", "2021-05-08")]),
        file_name="a.xlsx",
        write=True,
    )
    later = row(1, R2, "已销号", "2021-05-08", "", "", "2021-05-14", "2021-06-20", "2021-07-10")
    later[3] = "群众反映吉州区第1号地块问题（补充：夜间尤甚）。"
    run = import_check(
        user=supervisor,
        file=xlsx([HEADER, later]),
        file_name="b.xlsx",
        update_existing=True,
        write=True,
    )
    assert run.state == ImportState.DONE
    assert [w["column"] for w in run.report["warnings"]] == ["状态"]
    case = Case.objects.get()
    assert (case.state, case.summary) == (State.RECTIFYING, later[3])
