"""A supervisor enters next year's official holidays in the admin, in Chromium, and the warning
that deadlines are provisional goes away."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case
from casework.models import CalendarYear, Region, User
from tests.browser.conftest import log_in, shot
from tests.factories import new_case, source

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_enters_2027_and_the_banner_disappears(
    page, settings, calendar_2027_unknown, supervisor: User, jizhou: Region, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    # Cookies without an expiry date: the browser keeps real time while the server lives on
    # 20 December 2026.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    moment = dt.datetime(2026, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        case = new_case(
            supervisor,
            jizhou,
            acceptance_number="CAL-BROWSER",
            source=source("36个工作日的督察轮次", report_days=36),
            assigned_on=None,
            deadline=None,
        )
        assert case.deadline == dt.date(2027, 2, 15) and case.deadline_provisional

        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, "supervisor")
        banner = page.locator("#calendar-warning")
        assert "2027 年的法定节假日安排尚未录入" in banner.inner_text()
        shot(page, "calendar-index-with-banner")
        banner.locator("a").click()

        page.fill("textarea[name=holidays]", "2027-01-01\n2027-02-05 至 2027-02-12")
        page.fill("textarea[name=workdays]", "2027-01-31\n2027-02-20")
        page.fill("input[name=document_number]", "国办发明电〔2026〕7号")
        page.click("input[name=_preview]")
        preview = page.locator("#calendar-preview")
        assert "尚未保存" in preview.inner_text()
        assert "CAL-BROWSER" in preview.inner_text() and "2027-02-16" in preview.inner_text()
        shot(page, "calendar-preview")
        assert not CalendarYear.objects.exists()

        page.click("input[name=_save]")
        assert "2027 年节假日安排已录入" in page.locator(".messagelist").inner_text()
        page.goto(f"{page.base_url}/admin/")
        assert page.locator("#calendar-warning").count() == 0
    assert CalendarYear.objects.get(year=2027).document_number == "国办发明电〔2026〕7号"
    case = Case.objects.get(pk=case.pk)
    assert (case.deadline, case.deadline_provisional) == (dt.date(2027, 2, 16), False)
