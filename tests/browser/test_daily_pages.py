"""The pages officers and supervisors use every day, in Chromium at the office's 1366×768 and a
phone's 390×844: the case list's key columns inside the screen (cards on the phone), a case page
that says first how late the case is and on which rung, an officer's inbox holding the 催办 with
a link to its case, and a field check filed over the API shown on the case page with its photo.
Screenshots go to var/screenshots/ (or CASEWORK_SHOTS) for a person to look at."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from casework import workdays
from casework.models import Region, ResponsibleUnit, User
from notifications.services import reminders_scan
from tests.browser.conftest import log_in, shot
from tests.factories import new_case, png

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"office": (1366, 768), "phone": (390, 844)}
KEY_COLUMNS = [
    "number_shown",
    "short_summary",
    "region",
    "unit",
    "state_label",
    "deadline_shown",
    "deadline_status",
    "escalation",
    "last_progress",
]


@pytest.fixture
def ledger(
    pinned_today: dt.date,
    supervisor: User,
    jizhou: Region,
    inspector: User,
    jizhou_officer: User,  # there when the 催办 is sent
) -> Case:
    """A 吉州区 petition two working days overdue (its 催办 sent), a priority case in the
    development zone with the city's longest names, and ten more to fill a page."""
    overdue = new_case(
        supervisor,
        jizhou,
        acceptance_number="X3JX202611050012",
        summary="反映吉州区兴桥镇某砂石加工厂夜间生产废水直排赣江，河水发黑发臭，周边居民反映强烈。",
        assigned_on=workdays.shift_working_days(pinned_today, -12),
        deadline=workdays.shift_working_days(pinned_today, -2),
    )
    zone = Region.objects.get(name="井冈山经济技术开发区")
    new_case(
        supervisor,
        zone,
        acceptance_number="X3JX202611050013",
        summary="反映井冈山经济技术开发区园区某企业有人毁林开垦、乱挖山体，水土流失严重。",
        unit=ResponsibleUnit.objects.filter(region=zone).first(),
        is_priority=True,
    )
    for n in range(10):
        new_case(supervisor, jizhou, acceptance_number=f"X3JX2026110600{n:02d}")
    assert reminders_scan() >= 1  # the 催办 of the overdue case
    api = APIClient()
    api.force_authenticate(inspector)
    filed = api.post(
        f"/api/v1/cases/{overdue.pk}/field-checks/",
        {
            "client_uuid": str(uuid.uuid4()),
            "checked_at": timezone.now().isoformat(),
            "latitude": "27.1",
            "longitude": "114.98",
            "accuracy_m": "8",
            "result": "not_rectified",
            "notes": "现场仍有废水外排痕迹",
            "photos": [png("site.png")],
        },
        format="multipart",
    )
    assert filed.status_code == 201, filed.content
    return overdue


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_officer_sees_the_list_the_case_and_the_chase_on_screen(
    size: str, browser, live_server, ledger: Case, jizhou_officer: User, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "jizhou_officer")
    assert "吉州区今日" in page.content()
    shot(page, f"index-officer-{size}")

    page.goto(f"{live_server.url}/admin/cases/case/")
    assert page.locator("h1").inner_text() == "问题台账"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    row = page.locator("#result_list tbody tr", has_text="X3JX202611050012")
    for column in KEY_COLUMNS:
        box = row.locator(f".field-{column}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, column
    if size == "phone":
        # A card: each fact labelled with its column's name.
        assert row.locator(".field-deadline_status").get_attribute("data-label") == (
            "剩余/逾期（自然日）"
        )
    assert "逾期" in row.locator(".field-deadline_status").inner_text()
    assert "催办" in row.locator(".field-escalation").inner_text()
    shot(page, f"case-list-officer-{size}")

    row.locator("a", has_text="X3JX202611050012").first.click()
    banner = page.locator("#case-banner")
    working = ledger.working_days_overdue()
    assert f"（{working}个工作日）" in banner.inner_text()
    assert "已逾期" in banner.inner_text() and "催办" in banner.inner_text()
    box = banner.bounding_box()
    assert box["y"] < height  # on the first screen, not three sections down
    photo = page.locator("a.field-check-photo img")
    assert photo.count() == 1
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('a.field-check-photo img');"
        " return i.complete && i.naturalWidth > 0; }"
    )  # the photo itself, loaded with the officer's session
    assert "±8" in page.locator(".field-gps, td.field-gps").first.inner_text()
    distance = page.locator("td.field-distance").first.inner_text().strip()
    assert distance.startswith("距吉州区中心") and distance.endswith("公里")
    # The page, its tables and the site's name fit the screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    site_name = page.locator("#site-name").bounding_box()
    assert site_name["height"] <= 2 * 24 + 4  # at most two lines, never a third
    trail = page.locator("#events-group tbody tr.form-row").first
    action_cell = trail.locator("td.field-action")
    assert action_cell.inner_text().strip() == "已交办"
    if size == "phone":
        # Each row of the trail a card: the column's name before each fact, the table's
        # empty cells left out, the row as wide as the screen allows.
        assert action_cell.get_attribute("data-label") == "操作"
        assert page.locator("#events-group thead").is_hidden()
        assert trail.locator("td.field-deadline_before").is_hidden()  # "-" on the first row
        box = trail.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    else:
        assert page.locator("#events-group thead").is_visible()
    shot(page, f"case-page-officer-{size}")

    page.goto(f"{live_server.url}/admin/notifications/notification/?read=no")
    chase = page.locator("#result_list tbody tr", has_text="【催办】X3JX202611050012")
    assert chase.count() == 1
    assert "兴桥镇" in chase.inner_text()  # the case's summary, not a bare number
    assert page.locator("#changelist-filter").get_by_text("未读").count() == 1
    shot(page, f"inbox-officer-{size}")
    chase.locator(".field-case_link a").click()
    page.wait_for_url(f"**/admin/cases/case/{ledger.pk}/change/")
    page.locator("#case-banner").wait_for()
    context.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_supervisors_list_keeps_long_names_inside_the_screen(
    size: str, browser, live_server, ledger: Case, supervisor: User, leader: User, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "supervisor")
    page.goto(f"{live_server.url}/admin/cases/case/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    row = page.locator("#result_list tbody tr", has_text="X3JX202611050013")
    assert "重点件" in row.locator(".field-number_shown").inner_text()
    for column in KEY_COLUMNS:
        box = row.locator(f".field-{column}").bounding_box()
        assert box["x"] + box["width"] <= width, column
    # Cells do not spill into their neighbours (the zone's long name wraps).
    region = row.locator(".field-region").bounding_box()
    unit = row.locator(".field-unit").bounding_box()
    if size == "office":
        assert region["x"] + region["width"] <= unit["x"] + 1
    shot(page, f"case-list-supervisor-{size}")
    page.goto(f"{live_server.url}/admin/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"index-supervisor-{size}")
    context.close()

    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "leader")
    assert "吉安市今日" in page.content()  # the city's leader reads the city, not "my county"
    context.close()


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_large_export_takes_the_supervisor_to_its_page_and_its_download(
    size: str, browser, live_server, ledger: Case, supervisor: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CASEWORK_EXPORT_INLINE_ROWS = 5  # the ledger's twelve cases are "a large export"
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "supervisor")
    page.goto(f"{live_server.url}/admin/cases/case/")
    page.locator("#export-filtered").click()
    page.wait_for_url("**/admin/supervision/exportrun/*/change/")
    text = page.locator("#content").inner_text()
    assert "超过 5 件：台账正在后台生成" in page.content()
    assert "下载" in text or "等待后台处理" in text
    page.reload()  # what the page's own refresh does while the worker writes
    assert "下载" in page.locator("#content").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"export-run-{size}")
    context.close()
