"""A county officer and the supervisor do a case's real work in the admin, in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, State
from casework.models import Region, User
from tests.browser.conftest import log_in, log_out
from tests.factories import new_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def overdue_case(supervisor: User, jizhou: Region) -> Case:
    today = timezone.localdate()
    return new_case(
        supervisor,
        jizhou,
        acceptance_number="X3JX202611050012",
        summary="反映兴桥镇某砂石加工厂废水直排赣江",
        assigned_on=today - dt.timedelta(days=20),
        deadline=today - dt.timedelta(days=3),
    )


def test_an_officer_and_the_supervisor_take_an_overdue_case_to_verification(
    page,
    overdue_case: Case,
    jizhou_officer: User,
    supervisor: User,  # type: ignore[no-untyped-def]
) -> None:
    log_in(page, "jizhou_officer")
    assert "吉州区今日" in page.content()
    page.click("a[data-kpi=overdue]")
    row = page.locator("#result_list tbody tr", has_text="X3JX202611050012")
    assert "逾期 3 天" in row.inner_text()
    row.locator("a", has_text="X3JX202611050012").first.click()

    page.click("a[data-action=start]")
    page.fill("#case-action-form textarea[name=comment]", "已签收，立即组织核查")
    page.click("#case-action-form input[type=submit]")
    assert "已对 X3JX202611050012 执行“签收”" in page.locator(".messagelist").inner_text()
    assert "整改中" in page.locator(".field-state").inner_text()

    page.click("a[data-action=progress]")
    page.fill("textarea[name=text]", "已责令企业停产，正在建设沉淀池")
    page.fill("input[name=percent]", "60")
    page.click("#case-action-form input[type=submit]")

    page.click("a[data-action=submit]")
    page.click("#case-action-form input[type=submit]")  # nothing filled in: refused, kept
    assert page.locator(".errorlist").count() >= 1
    page.fill("textarea[name=rectification_account]", "沉淀池已建成，废水循环利用不外排。")
    page.select_option("select[name=truth_finding]", "true")
    page.click("#case-action-form input[type=submit]")
    assert "待验收" in page.locator(".field-state").inner_text()
    log_out(page)

    log_in(page, "supervisor")
    page.goto(f"{page.base_url}/admin/cases/case/{overdue_case.pk}/change/")
    page.click("a[data-action=verify]")
    page.fill("textarea[name=verification_conclusion]", "经现场核查，已整改到位。")
    page.click("#case-action-form input[type=submit]")
    assert "已验收(公示中)" in page.locator(".field-state").inner_text()
    trail = page.locator("#events-group").inner_text()
    for step in ("已交办", "已签收", "报送进展", "已申请验收", "验收通过"):
        assert step in trail
    assert "公示期尚未结束" in page.content()  # close waits for the notice window

    case = Case.objects.get(pk=overdue_case.pk)
    assert case.state == State.VERIFIED
    assert case.progress_reports.get().percent == 60


def test_an_officer_cannot_see_or_open_another_countys_case(
    page,
    supervisor: User,
    jizhou: Region,
    qingyuan: Region,
    jizhou_officer: User,  # type: ignore[no-untyped-def]
) -> None:
    new_case(supervisor, jizhou, acceptance_number="JZ-2026-001")
    other = new_case(supervisor, qingyuan, acceptance_number="QY-2026-001")
    log_in(page, "jizhou_officer")
    page.goto(f"{page.base_url}/admin/cases/case/")
    listing = page.locator("#result_list").inner_text()
    assert "JZ-2026-001" in listing and "QY-2026-001" not in listing
    response = page.goto(f"{page.base_url}/admin/cases/case/{other.pk}/change/")
    assert response.status == 404
    assert "QY-2026-001" not in page.content()
