"""The supervisor's dashboard in Chromium: charts drawn from the report endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import Region, User
from tests.browser.conftest import log_in, shot
from tests.cases.conftest import advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_supervisor_sees_the_charts_and_the_most_overdue_first(
    page,
    supervisor: User,
    jizhou_officer: User,
    jizhou: Region,
    qingyuan: Region,
    reference,  # type: ignore[no-untyped-def]
) -> None:
    today = timezone.localdate()
    for days, number, region in (
        (5, "LATE-05", jizhou),
        (40, "LATE-40", qingyuan),
        (12, "LATE-12", jizhou),
    ):
        new_case(
            supervisor,
            region,
            acceptance_number=number,
            assigned_on=today - dt.timedelta(days=60),
            deadline=today - dt.timedelta(days=days),
        )
    advance(
        new_case(supervisor, jizhou, acceptance_number="DONE-1"),
        jizhou_officer,
        supervisor,
        "closed",
    )
    log_in(page, "supervisor")
    page.click("#dashboard-link")
    # Polled from here: the page's Content-Security-Policy forbids evaluating strings in it.
    for _ in range(150):
        if page.evaluate(
            "!!(window.caseworkCharts && (caseworkCharts.ready || caseworkCharts.error))"
        ):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.caseworkCharts.error || null") is None
    # One bar per county with cases (吉州区 and 青原区), the rate of each.
    bars = page.evaluate("Chart.getChart('chart-closure').getDatasetMeta(0).data.length")
    labels = page.evaluate("Chart.getChart('chart-closure').data.labels")
    assert bars == 2 and sorted(labels) == ["吉州区", "青原区"]
    rates = dict(
        zip(
            labels,
            page.evaluate("Chart.getChart('chart-closure').data.datasets[0].data"),
            strict=True,
        )
    )
    assert rates == {"吉州区": 33.3, "青原区": 0}  # 1 of 3 closed out in 吉州区
    assert page.evaluate("Chart.getChart('chart-states').data.labels") == ["中央督察"]
    assert page.evaluate("Chart.getChart('chart-trend').data.labels.length") == 12
    numbers = page.locator("#top-overdue tbody tr td:first-child").all_inner_texts()
    assert numbers == ["LATE-40", "LATE-12", "LATE-05"]
    assert (
        "中央和省生态环境保护督察交办信访件累计4件，已整改销号1件，整改销号率25.0%。"
        in page.content()
    )


def test_the_dashboard_as_of_a_past_date_from_imported_history(
    page,
    supervisor: User,
    reference,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from intake.services import import_check
    from tests.factories import source
    from tests.intake.conftest import xlsx
    from tests.intake.test_history_import import HEADER, LEDGER, P22, R2

    source(R2, report_days=10, report_in_working_days=False)
    source(P22, stream="provincial", report_days=7, report_in_working_days=False)
    import_check(user=supervisor, file=xlsx([HEADER, *LEDGER]), file_name="h.xlsx", write=True)
    log_in(page, "supervisor")
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base_url}/admin/dashboard/")
        page.fill("#id_as_of", "2023-12-31")
        page.click("#as-of-form input[type=submit]")
        for _ in range(150):
            if page.evaluate("!!(window.caseworkCharts && caseworkCharts.ready)"):
                break
            page.wait_for_timeout(100)
        text = page.locator("#report-text").inner_text()
        assert text.startswith("截至2023年12月31日，") and "已整改销号5件" in text
        # The chart asks the same date: 吉州区's 5 of 10 closed out then.
        assert page.evaluate("Chart.getChart('chart-closure').data.datasets[0].data") == [50]
        # And the states chart: the streams' cases as they stood that day (5 closed out of 10).
        closed_then = page.evaluate(
            "Chart.getChart('chart-states').data.datasets[4].data.reduce((a, b) => a + b, 0)"
        )
        assert closed_then == 5
        # The trend ends on that day.
        assert page.evaluate("Chart.getChart('chart-trend').data.labels.at(-1)") == "2023-12-31"
        # And their headings say so; the ten most overdue are today's, and say that.
        headings = page.locator(".dash-card h2").all_inner_texts()
        dated = [h for h in headings if "截至2023-12-31" in h]
        assert any("各来源案件办理状态" in h for h in dated), headings
        assert any("近 12 周逾期件数" in h for h in dated), headings
        assert any("逾期最久的 10 件" in h and "今天" in h for h in headings), headings
        # So does the map: 吉州区 coloured for 50% (50–70%), its figure in its tooltip.
        jizhou_cell = page.locator("#county-map polygon[data-region='吉州区']")
        assert jizhou_cell.get_attribute("data-rate") == "50.0"
        assert jizhou_cell.get_attribute("fill") == "#fbc02d"
        assert "整改销号率50.0%" in jizhou_cell.locator("title").text_content()
        # So does the county ranking under it.
        rate = page.locator("#county-ranking tr[data-county='吉州区'] .closed-out-rate")
        assert rate.inner_text() == "50.0%"
        shot(page, f"dashboard-as-of-{width}")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Today the ranking reads today's figures.
    from supervision import reports

    now = reports.county_ranking(cases=reports.scoped_cases(user=supervisor))["rows"][0]
    page.goto(f"{page.base_url}/admin/dashboard/")
    rate = page.locator("#county-ranking tr[data-county='吉州区'] .closed-out-rate")
    assert rate.inner_text() == f"{now['closed_out_rate']}%" != "50.0%"
    jizhou_cell = page.locator("#county-map polygon[data-region='吉州区']")
    assert jizhou_cell.get_attribute("data-rate") == str(now["closed_out_rate"])
