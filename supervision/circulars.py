"""The monthly 通报: the county ranking at the end of the month, sent in the city office's name to
the city's supervisors and leaders (the whole table) and to each county's officers (their
county's line and place). Sent once a month (``supervision.tasks.monthly_ranking``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from cases.models import Case
from cases.notice import chinese_date
from casework import clock
from casework.models import Membership, Role, User
from notifications.models import Kind, Level
from notifications.services import city_people, notify
from supervision.reports import county_ranking


def _rate(value: Any) -> str:
    return f"{value}%" if value is not None else "—"


def _line(row: dict[str, Any], total: int) -> str:
    return (
        f"第{row['rank']}名（共{total}个区县）{row['county']}：交办信访件{row['petitions']}件，"
        f"办结率{_rate(row['concluded_rate'])}，整改销号率{_rate(row['closed_out_rate'])}；"
        f"反馈问题{row['findings']}个，慢于序时进度{row['findings_behind']}个、"
        f"逾期{row['findings_overdue']}个；逾期案件{row['overdue']}件。"
    )


def ranking_circular_send(today: dt.date | None = None) -> int:
    """Send last month's ranking; returns the messages written (none on a second run)."""
    today = today or clock.today()
    day = today.replace(day=1) - dt.timedelta(days=1)
    title = f"【月度通报】截至{chinese_date(day)}各区县生态环境保护督察整改情况排名"
    dedupe = f"ranking:{day:%Y%m}"
    office = settings.CASEWORK_OFFICE_NAME
    city = city_people(Role.CITY_SUPERVISOR, Role.LEADER)
    supervisors = [u for u in city if u.has_role(Role.CITY_SUPERVISOR)]
    if not supervisors:
        return 0
    # The city's table, as the city office sees it.
    ranking = county_ranking(cases=Case.objects.visible_to(supervisors[0]), day=day)
    rows, total = ranking["rows"], len(ranking["rows"])
    written = 0
    body = "\n".join([*(_line(row, total) for row in rows), ranking["order"], office])
    written += len(
        notify(
            recipients=city,
            kind=Kind.CIRCULAR,
            level=Level.CIRCULAR,
            title=title,
            body=body,
            dedupe=dedupe,
        )
    )
    for row in rows:
        officers = User.objects.filter(
            pk__in=Membership.objects.filter(
                role=Role.COUNTY_OFFICER, region_id=row["region_id"]
            ).values("user_id"),
            is_active=True,
        ).order_by("pk")
        written += len(
            notify(
                recipients=officers,
                kind=Kind.CIRCULAR,
                level=Level.CIRCULAR,
                title=title,
                body=f"{row['county']}：\n{_line(row, total)}\n{ranking['order']}\n{office}",
                dedupe=dedupe,
            )
        )
    return written
