"""The public notice page in Chromium: a citizen on a phone files an objection on a case in its
notice window; the supervisor sees it on the case and cannot close the case until it is decided."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cases.models import Case, Objection, State
from casework.models import Region, ResponsibleUnit, User
from tests.browser.conftest import log_in, shot
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def noticed(supervisor: User, jizhou_officer: User, jizhou: Region) -> Case:
    unit = ResponsibleUnit.objects.filter(region=jizhou).first()
    unit.contact_phone = "0796-8221234"
    unit.contact_address = "吉州区人民政府（吉州区环保大道1号）"
    unit.save()
    case = new_case(
        supervisor,
        jizhou,
        acceptance_number="X3JX202611050012",
        summary="反映兴桥镇某砂石加工厂生产废水直排赣江，河水发黑。",
    )
    return advance(case, jizhou_officer, supervisor, State.VERIFIED)


def test_a_citizen_objects_on_a_phone_and_the_supervisor_cannot_close_until_decided(
    browser, live_server, noticed: Case, supervisor: User, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    citizen = phone.new_page()
    citizen.goto(f"{live_server.url}/public/notices/")
    assert "整改销号情况公示" in citizen.title()
    item = citizen.locator("article.notice-item", has_text="X3JX202611050012")
    assert "吉州区" in item.inner_text()
    # Nothing wider than the phone: no sideways scrolling.
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    shot(citizen, "public-list-390")
    item.locator("a").click()
    notice = citizen.locator("article.notice").inner_text()
    for part in (
        "一、转办问题基本情况",
        "二、整改情况",
        "三、验收情况",
        "共10个工作日",
        "0796-8221234",
    ):
        assert part in notice
    citizen.fill("#id_content", "夜间仍能看到废水直排，河水仍发黑。")
    citizen.fill("#id_contact", "13900001111")
    question = citizen.locator("label[for=id_answer]").inner_text()
    a, b = map(int, re.search(r"(\d+) \+ (\d+)", question).groups())
    citizen.fill("#id_answer", str(a + b))
    shot(citizen, "public-form-390")
    citizen.click("button[type=submit]")
    assert "已收到您的意见" in citizen.locator("#objection-received").inner_text()
    phone.close()
    objection = Objection.objects.get(case=noticed)
    assert (objection.status, objection.from_public_page) == ("pending", True)

    office = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = office.new_page()
    page.base_url = live_server.url
    log_in(page, "supervisor")
    page.goto(f"{live_server.url}/admin/cases/case/{noticed.pk}/change/")
    assert "夜间仍能看到废水直排" in page.locator("#objections-group").inner_text()
    close = page.locator("a[data-action=close]")
    assert close.get_attribute("aria-disabled") == "true"
    shot(page, "case-with-objection-1366")
    page.locator("#objections-group a", has_text="审批").click()
    page.check("input[name=decision][value=no]")
    page.fill("textarea[name=comment]", "经现场复核，企业已停产，废水未再外排。")
    page.click("#case-action-form input[type=submit]")
    objection.refresh_from_db()
    assert objection.status == "dismissed"
    office.close()
