"""A supervisor brings a day's 交办 batch in from the inspection team's spreadsheet, in Chromium:
the preview lists two problems, the fixed file passes, the cases appear with their deadlines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cases.models import Case
from casework import clock
from casework.models import User
from tests.browser.conftest import shot
from tests.factories import source
from tests.intake.conftest import BATCH_HEADER, batch_rows, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_uploads_fixes_and_confirms_a_batch(
    page, supervisor: User, reference, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    round3 = source("第三轮中央生态环境保护督察", report_days=7, report_in_working_days=False)
    rows = batch_rows(5)
    rows[1][3] = "吉州县"  # row 3: no such county
    rows[3][4] = "光污染"  # row 5: no such pollution type
    broken, fixed = tmp_path / "第9批交办清单.xlsx", tmp_path / "第9批交办清单（改）.xlsx"
    broken.write_bytes(xlsx([BATCH_HEADER, *rows], title="第三轮督察第9批").getvalue())
    fixed.write_bytes(xlsx([BATCH_HEADER, *batch_rows(5)], title="第三轮督察第9批").getvalue())

    page.set_viewport_size({"width": 1366, "height": 768})
    from tests.browser.conftest import log_in

    log_in(page, "supervisor")
    page.goto(f"{page.base_url}/admin/intake/importrun/add/")
    page.set_input_files("input[name=file]", str(broken))
    page.select_option("select[name=source]", str(round3.pk))
    page.fill("input[name=batch_number]", "9")
    page.click("input[name=_check]")
    problems = page.locator("#import-problems")
    assert "2 个问题" in problems.inner_text()
    assert "“吉州县”" in problems.inner_text() and "光污染" in problems.inner_text()
    assert page.locator("#import-confirm").count() == 0
    shot(page, "import-problems-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "import-problems-390")
    page.set_viewport_size({"width": 1366, "height": 768})
    assert Case.objects.count() == 0

    page.click("#import-again")
    page.set_input_files("input[name=file]", str(fixed))
    page.select_option("select[name=source]", str(round3.pk))
    page.fill("input[name=batch_number]", "9")
    page.click("input[name=_check]")
    shot(page, "import-preview-1366")
    page.click("#import-confirm input[type=submit]")
    assert "已导入：新增案件5件" in page.locator(".messagelist").inner_text()
    page.click("#import-cases-link")
    page.wait_for_load_state()
    listing = page.locator("#result_list").inner_text()
    due = clock.today() + dt.timedelta(days=7)
    assert all(f"D3JX2026061{n:05d}" in listing for n in range(1, 6))
    assert f"{due:%Y-%m-%d}" in listing or f"{due.month}月{due.day}日" in listing
    shot(page, "import-cases-1366")
    assert Case.objects.filter(batch__number=9, deadline=due).count() == 5
