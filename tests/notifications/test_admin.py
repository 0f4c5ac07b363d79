from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework import workdays
from casework.models import Region, User
from notifications.models import Kind, Notification, ReminderRule
from notifications.services import notify, reminders_scan
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def test_the_inbox_shows_only_my_messages_and_opening_one_reads_it(
    client: Client, jizhou_officer: User, qingyuan_officer: User
) -> None:
    notify(recipients=[jizhou_officer], kind=Kind.SYSTEM, title="给吉州", body="正文", dedupe="a")
    notify(recipients=[qingyuan_officer], kind=Kind.SYSTEM, title="给青原", body="正文", dedupe="b")
    client.force_login(jizhou_officer)
    assert client.get("/admin/").context["today"].unread_notifications == 1
    listing = client.get("/admin/notifications/notification/").content.decode()
    assert "给吉州" in listing and "给青原" not in listing
    mine = Notification.objects.get(recipient=jizhou_officer)
    theirs = Notification.objects.get(recipient=qingyuan_officer)
    assert client.get(f"/admin/notifications/notification/{theirs.pk}/change/").status_code == 404
    assert client.get(f"/admin/notifications/notification/{mine.pk}/change/").status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert client.get("/admin/").context["today"].unread_notifications == 0


def test_the_changelist_shows_the_escalation_level(
    client: Client, supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    today = timezone.localdate()
    case = new_case(
        supervisor,
        jizhou,
        acceptance_number="LATE-1",
        assigned_on=today - dt.timedelta(days=40),
        # 7 working days late: past 督办 (+5), not yet 通报 (+10).
        deadline=workdays.shift_working_days(today, -7),
    )
    reminders_scan()
    client.force_login(supervisor)
    response = client.get("/admin/cases/case/")
    row = next(c for c in response.context["cl"].result_list if c.pk == case.pk)
    assert row.reminder.get_level_display() == "督办"
    assert "督办" in response.content.decode()


def test_supervisors_edit_the_ladder_and_officers_only_read_it(
    client: Client, supervisor: User, jizhou_officer: User
) -> None:
    rule = ReminderRule.objects.get(offset_working_days=-3)
    client.force_login(jizhou_officer)
    assert client.get("/admin/notifications/reminderrule/").status_code == 200
    client.post(
        f"/admin/notifications/reminderrule/{rule.pk}/change/",
        {
            "name": "提前5个工作日提醒",
            "offset_working_days": -5,
            "level": 1,
            "audience": "officers",
            "is_active": "on",
        },
    )
    rule.refresh_from_db()
    assert rule.offset_working_days == -3
    client.force_login(supervisor)
    response = client.post(
        f"/admin/notifications/reminderrule/{rule.pk}/change/",
        {
            "name": "提前5个工作日提醒",
            "offset_working_days": -5,
            "level": 1,
            "audience": "officers",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.offset_working_days == -5


def test_the_office_sees_what_was_sent_in_its_name(
    client: Client, supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    today = timezone.localdate()
    case = new_case(
        supervisor,
        jizhou,
        acceptance_number="LATE-2",
        assigned_on=today - dt.timedelta(days=40),
        deadline=workdays.shift_working_days(today, -7),
    )
    reminders_scan()
    client.force_login(supervisor)
    page = client.get("/admin/notifications/sentrung/").content.decode()
    assert "【督办】LATE-2" in page and str(jizhou_officer) in page
    assert f"/admin/cases/case/{case.pk}/change/" in page
    client.force_login(jizhou_officer)
    assert client.get("/admin/notifications/sentrung/").status_code == 403
