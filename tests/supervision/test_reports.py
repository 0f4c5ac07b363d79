"""Closure rates, 序时进度 and report sentences on hand-built ledgers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cases.models import CaseKind, State
from cases.services import (
    case_feedback,
    case_reassign,
    case_transition,
    milestone_complete,
)
from casework import clock
from casework.models import Region, ResponsibleUnit, User
from supervision import reports
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_PERIOD = TODAY - dt.timedelta(days=5)


@pytest.fixture
def petitions(
    supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region, qingyuan: Region
) -> dict[str, object]:
    """Ten petitions assigned in the period (one reopened, one reassigned to 青原区), and one
    assigned long before it."""
    made = {}
    plan = [("assigned", 2), ("rectifying", 2), ("submitted", 1), ("verified", 2), ("closed", 3)]
    n = 0
    for state, count in plan:
        for _ in range(count):
            n += 1
            case = new_case(
                supervisor,
                jizhou,
                acceptance_number=f"P-{n:02d}",
                assigned_on=IN_PERIOD,
                deadline=TODAY + dt.timedelta(days=20),
            )
            made[f"P-{n:02d}"] = advance(case, jizhou_officer, supervisor, state)
    case_feedback(
        case_id=made["P-03"].pk,
        user=jizhou_officer,
        outcome="stage",
        truth_finding="true",
        investigation="属实",
        rectification_measures="建设污水处理设施",
        rectification_deadline=TODAY + dt.timedelta(days=90),
    )
    # A closed case reopened by a look-back is no longer concluded.
    case_transition(
        case_id=made["P-10"].pk,
        user=supervisor,
        transition="reopen",
        comment="回头看发现反弹",
        data={"deadline": TODAY + dt.timedelta(days=30)},
    )
    # Reassigned to 青原区: it counts where it is now.
    case_reassign(
        case_id=made["P-01"].pk,
        user=supervisor,
        comment="属地调整",
        unit=ResponsibleUnit.objects.get(name="青原区人民政府"),
        region=qingyuan,
    )
    old = new_case(
        supervisor,
        jizhou,
        acceptance_number="OLD-1",
        assigned_on=TODAY - dt.timedelta(days=400),
        deadline=TODAY - dt.timedelta(days=300),
    )
    made["OLD-1"] = advance(old, jizhou_officer, supervisor, "closed")
    return made


def test_each_rate_definition_on_a_hand_built_ledger(petitions, supervisor: User) -> None:  # type: ignore[no-untyped-def]
    cases = reports.scoped_cases(user=supervisor, assigned_from=IN_PERIOD - dt.timedelta(days=1))
    result = reports.closure_rates(cases=cases)
    total = result["total"]
    # P-01..P-10 in the period: fed back 办结 and submitted P-05; verified P-06, P-07; closed
    # P-08, P-09 (P-10 reopened); P-03 concluded for this stage.
    assert (
        total["assigned"],
        total["concluded"],
        total["stage_concluded"],
        total["verified"],
        total["closed_out"],
        total["reopened"],
    ) == (10, 5, 1, 2, 2, 1)
    assert total["rates"] == {
        "concluded": Decimal("50.0"),
        "concluded_or_stage": Decimal("60.0"),
        "closed_out": Decimal("20.0"),
    }
    assert [d["key"] for d in result["definitions"]] == [
        "concluded",
        "concluded_or_stage",
        "closed_out",
    ]
    everything = reports.closure_rates(cases=reports.scoped_cases(user=supervisor))["total"]
    assert (everything["assigned"], everything["closed_out"]) == (11, 3)  # OLD-1 outside


def test_rates_by_county_count_a_reassigned_case_where_it_is_now(
    petitions, supervisor: User
) -> None:  # type: ignore[no-untyped-def]
    cases = reports.scoped_cases(user=supervisor, assigned_from=IN_PERIOD)
    groups = {
        g["label"]: g for g in reports.closure_rates(cases=cases, group_by="county")["groups"]
    }
    assert (groups["吉州区"]["assigned"], groups["青原区"]["assigned"]) == (9, 1)
    assert groups["青原区"]["rates"]["closed_out"] == Decimal("0.0")


def test_a_county_officers_report_covers_only_their_county(
    petitions, qingyuan_officer: User
) -> None:  # type: ignore[no-untyped-def]
    total = reports.closure_rates(cases=reports.scoped_cases(user=qingyuan_officer))["total"]
    assert total["assigned"] == 1
    client = APIClient()
    client.force_authenticate(qingyuan_officer)
    body = client.get("/api/v1/reports/closure-rate/", {"group_by": "county"}).json()
    assert [g["label"] for g in body["groups"]] == ["青原区"]


def test_a_rate_never_rounds_up_to_a_hundred_percent() -> None:
    assert reports.percent(994, 1000) == Decimal("99.4")
    assert reports.percent(1999, 2000) == Decimal("99.9")
    assert reports.percent(5, 5) == Decimal("100.0")
    assert reports.percent(0, 0) is None


@pytest.fixture
def findings(supervisor: User, jizhou_officer: User, jizhou: Region) -> dict[str, object]:
    def finding(number: str, deadline: dt.date, tasks: list[tuple[dt.date, bool]]):  # type: ignore[no-untyped-def]
        case = new_case(
            supervisor,
            jizhou,
            kind=CaseKind.FINDING,
            acceptance_number=number,
            assigned_on=TODAY - dt.timedelta(days=200),
            deadline=deadline,
            milestones=[
                {"description": f"任务{i}", "target_date": target}
                for i, (target, _) in enumerate(tasks)
            ],
        )
        for milestone, (_, done) in zip(case.milestones.order_by("sequence"), tasks, strict=True):
            if done:
                milestone_complete(
                    milestone_id=milestone.pk,
                    user=jizhou_officer,
                    done_on=TODAY - dt.timedelta(days=1),
                )
        return case

    future = TODAY + dt.timedelta(days=100)
    past = TODAY - dt.timedelta(days=10)
    made = {
        "done": finding("F-1", future, [(past, True)]),
        "on": finding("F-2", future, [(past, True), (future, False)]),
        "behind": finding("F-3", future, [(past, False), (future, False)]),
        "late": finding("F-4", past, [(past, True)]),
    }
    advance(made["done"], jizhou_officer, supervisor, State.VERIFIED)
    return made


def test_on_schedule_progress_from_milestones(findings, supervisor: User) -> None:  # type: ignore[no-untyped-def]
    statuses = dict(
        reports.with_schedule_status(reports.scoped_cases(user=supervisor)).values_list(
            "acceptance_number", "schedule_status"
        )
    )
    assert statuses == {"F-1": "completed", "F-2": "on_schedule", "F-3": "behind", "F-4": "overdue"}
    totals = reports.schedule_totals(cases=reports.scoped_cases(user=supervisor), group_by="county")
    assert totals["total"] == {
        "total": 4,
        "completed": 1,
        "on_schedule": 1,
        "behind": 1,
        "overdue": 1,
    }
    assert totals["groups"][0]["label"] == "吉州区"


def test_the_report_sentences(petitions, findings, supervisor: User) -> None:  # type: ignore[no-untyped-def]
    today = clock.today()  # not the module's TODAY: a run may cross midnight in Ji'an
    text = reports.report_sentences(user=supervisor)
    assert text["petitions"]["sentence"] == (
        "中央和省生态环境保护督察交办信访件累计11件，已整改销号3件，整改销号率27.3%。"
    )
    # The findings of every stream (the fixture's are central): a subject for the clause, and
    # the numbers add up — 1 done, 1 on schedule, 2 behind (1 of them overdue) of 4.
    assert text["findings"]["sentence"] == (
        "中央和省生态环境保护督察及“回头看”、长江经济带和省生态环境警示片反馈问题4个，"
        "已完成整改1个，1个达到序时进度，2个滞后于序时进度（其中逾期1个）。"
    )
    assert text["text"].startswith(f"截至{today.year}年{today.month}月{today.day}日，中央和省")


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        ((0, 0, 0, 0), "本期无反馈问题。"),
        ((5, 5, 0, 0), "X反馈问题5个，已全部完成整改。"),
        ((5, 2, 0, 0), "X反馈问题5个，已完成整改2个，其余问题均达到序时进度。"),
        ((5, 0, 0, 0), "X反馈问题5个，尚未完成整改，均达到序时进度。"),
        ((5, 2, 1, 0), "X反馈问题5个，已完成整改2个，2个达到序时进度，1个滞后于序时进度。"),
        ((5, 2, 0, 3), "X反馈问题5个，已完成整改2个，3个滞后于序时进度（均已逾期）。"),
        (
            (6, 0, 2, 1),
            "X反馈问题6个，尚未完成整改，3个达到序时进度，3个滞后于序时进度（其中逾期1个）。",
        ),
    ],
)
def test_each_shape_of_the_findings_sentence(counts: tuple[int, ...], sentence: str) -> None:
    total, completed, behind, overdue = counts
    schedule = {
        "total": total,
        "completed": completed,
        "behind": behind,
        "overdue": overdue,
        "on_schedule": total - completed - behind - overdue,
    }
    assert reports.finding_sentence(schedule=schedule, subject="X") == sentence


@pytest.mark.parametrize(
    ("n", "closed", "repeats", "sentence"),
    [
        (0, 0, 0, "本期无交办信访件。"),
        (7, 0, 1, "X交办信访件累计7件（重复件1件），尚无整改销号。"),
        (7, 7, 0, "X交办信访件累计7件，已全部整改销号。"),
        (500, 497, 3, "X交办信访件累计500件（重复件3件），已整改销号497件，整改销号率99.4%。"),
    ],
)
def test_each_shape_of_the_petition_sentence(
    n: int, closed: int, repeats: int, sentence: str
) -> None:
    rate = reports.percent(closed, n)
    assert (
        reports.petition_sentence(n=n, closed=closed, repeats=repeats, rate=rate, subject="X")
        == sentence
    )


@given(
    total=st.integers(0, 300),
    data=st.data(),
)
def test_the_findings_sentence_always_adds_up_and_never_says_zero(total: int, data) -> None:  # type: ignore[no-untyped-def]
    completed = data.draw(st.integers(0, total))
    behind = data.draw(st.integers(0, total - completed))
    overdue = data.draw(st.integers(0, total - completed - behind))
    schedule = {
        "total": total,
        "completed": completed,
        "behind": behind,
        "overdue": overdue,
        "on_schedule": total - completed - behind - overdue,
    }
    sentence = reports.finding_sentence(schedule=schedule, subject="X")
    assert not re.search(r"(?<![0-9])0[个件]", sentence)
    assert sentence.endswith("。") and "," not in sentence

    def said(pattern: str) -> int | None:
        found = re.search(pattern, sentence)
        return int(found.group(1)) if found else None

    if not total:
        assert sentence == "本期无反馈问题。"
        return
    lagging = behind + overdue
    on_time = total - completed - lagging
    assert said(r"反馈问题(\d+)个") == total
    assert said(r"已完成整改(\d+)个") == (completed if 0 < completed < total else None)
    assert ("已全部完成整改" in sentence) == (completed == total)
    assert ("均达到序时进度" in sentence) == (completed < total and lagging == 0)
    assert said(r"(\d+)个达到序时进度") == (on_time if lagging and on_time else None)
    assert said(r"(\d+)个滞后于序时进度") == (lagging if completed < total and lagging else None)
    assert said(r"其中逾期(\d+)个") == (overdue if 0 < overdue < lagging else None)
    assert ("均已逾期" in sentence) == (completed < total and 0 < overdue == lagging)


def test_the_overdue_list_is_most_overdue_first(supervisor: User, jizhou: Region) -> None:
    for days, number in ((3, "LATE-3"), (30, "LATE-30"), (10, "LATE-10")):
        new_case(
            supervisor,
            jizhou,
            acceptance_number=number,
            assigned_on=TODAY - dt.timedelta(days=60),
            deadline=TODAY - dt.timedelta(days=days),
        )
    client = APIClient()
    client.force_authenticate(supervisor)
    rows = client.get("/api/v1/reports/overdue/").json()
    assert [r["acceptance_number"] for r in rows] == ["LATE-30", "LATE-10", "LATE-3"]
    assert rows[0]["days_overdue"] == 30 and rows[0]["region"] == "吉州区"
    assert client.get("/api/v1/reports/overdue/", {"group_by": "nonsense"}).status_code == 400
    backwards = client.get(
        "/api/v1/reports/closure-rate/",
        {"assigned_from": "2026-06-01", "assigned_to": "2026-01-01"},
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"][0]["detail"] == "统计期间的结束日期早于开始日期。"


def test_a_batchs_bulletin_adds_up_its_cases(
    supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from cases.models import Batch
    from cases.services import case_feedback, case_update
    from tests.factories import source

    batch = Batch.objects.create(source=source(), number=3, handed_down_on=TODAY)
    made = [new_case(supervisor, jizhou, batch=batch, source=batch.source) for _ in range(4)]
    # Two concluded (one found untrue), one concluded for this stage, one not yet fed back.
    outcomes = [("concluded", "true"), ("concluded", "false"), ("stage", "mostly_true")]
    for case, (outcome, truth) in zip(made, outcomes, strict=False):
        case_update(
            case_id=case.pk,
            user=jizhou_officer,
            changes={
                "ordered_to_correct": 2,
                "fines_10k_yuan": Decimal("1.25"),
                "people_summoned": 1,
            },
        )
        case_feedback(
            case_id=case.pk,
            user=jizhou_officer,
            outcome=outcome,
            truth_finding=truth,
            investigation="经调查核实。",
            rectification_account="已整改。",
            rectification_measures="继续整改。",
            rectification_deadline=TODAY + dt.timedelta(days=30),
        )
    api = APIClient()
    api.force_authenticate(supervisor)
    body = api.get(f"/api/v1/reports/batches/{batch.pk}/bulletin/").json()
    assert body["sentence"] == (
        "第三轮中央生态环境保护督察第3批交办信访件4件，已办结2件、阶段性办结1件；"
        "属实1件、基本属实1件、不属实1件；责令改正6家，罚款3.75万元，约谈3人。"
    )
    assert (body["assigned"], body["concluded"], body["ordered_to_correct"]) == (4, 2, 6)
    assert api.get("/api/v1/reports/batches/999999/bulletin/").status_code == 404


def test_the_batch_page_shows_its_bulletin(supervisor: User, jizhou: Region, client) -> None:  # type: ignore[no-untyped-def]
    from cases.models import Batch
    from tests.factories import source

    batch = Batch.objects.create(source=source(), number=5, handed_down_on=TODAY)
    new_case(supervisor, jizhou, batch=batch, source=batch.source)
    client.force_login(supervisor)
    page = client.get(f"/admin/cases/batch/{batch.pk}/change/").content.decode()
    assert "本批办理情况通报" in page
    assert "第三轮中央生态环境保护督察第5批交办信访件1件，尚无办结。" in page


def test_a_batchs_distribution_counts_co_operating_counties_and_says_with_whom(
    supervisor: User, jizhou: Region, qingyuan: Region, client
) -> None:  # type: ignore[no-untyped-def]
    """The domain's "市城管局2件（与浔阳区共2件）": a county counts the cases it leads and those
    it co-operates on, the parenthesis saying how many are joint and with whom; the batch's
    total still counts each case once."""
    from cases.models import Batch
    from cases.services import case_co_units_set
    from casework.models import ResponsibleUnit, UnitKind
    from supervision.reports import batch_bulletin, scoped_cases
    from tests.factories import source

    batch = Batch.objects.create(source=source(), number=7, handed_down_on=TODAY)
    led_by_jizhou = [
        new_case(supervisor, jizhou, batch=batch, source=batch.source) for _ in range(3)
    ]
    new_case(supervisor, qingyuan, batch=batch, source=batch.source)
    qingyuan_unit = ResponsibleUnit.objects.filter(region=qingyuan).first()
    jizhou_unit = ResponsibleUnit.objects.create(
        region=jizhou, name="吉州区兴桥镇人民政府", kind=UnitKind.TOWNSHIP
    )
    # One of 吉州区's cases with 青原区 co-operating; another with a 吉州区 unit (not joint).
    case_co_units_set(case_id=led_by_jizhou[0].pk, user=supervisor, units=[qingyuan_unit.pk])
    case_co_units_set(case_id=led_by_jizhou[1].pk, user=supervisor, units=[jizhou_unit.pk])
    bulletin = batch_bulletin(cases=scoped_cases(user=supervisor), batch=batch)
    assert bulletin["assigned"] == 4  # each case once
    assert (
        bulletin["distribution"]
        == "按区县分：吉州区3件（与青原区共1件）、青原区2件（与吉州区共1件）。"
    )
    assert [(r["county"], r["cases"], r["joint"], r["with"]) for r in bulletin["by_county"]] == [
        ("吉州区", 3, 1, ["青原区"]),
        ("青原区", 2, 1, ["吉州区"]),
    ]
    client.force_login(supervisor)
    page = client.get(f"/admin/cases/batch/{batch.pk}/change/").content.decode()
    assert "吉州区3件（与青原区共1件）" in page
