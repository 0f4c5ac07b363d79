"""Every admin page (each model's list, add, change, history and delete pages, the custom pages)
answers each role as it should: the jurisdiction's officers, the other county's officer, the
field inspector (not an admin user), the supervisor, the leader (read-only), an anonymous
visitor and a deactivated account. A page with no entry fails the suite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver
from knox.models import AuthToken

from cases.evidence import attachment_add
from cases.models import Batch, DateRecomputation, PollutionType, SourceStream
from cases.services import extension_request_create
from casework.models import CalendarYear, Membership, Region, ResponsibleUnit, User
from intake.services import import_check
from notifications.models import ChannelPreference, Heartbeat, Kind, ReminderRule
from notifications.services import notify
from tests.factories import new_case, png, source

ROLES = [
    "jizhou_officer",
    "qingyuan_officer",
    "inspector",
    "supervisor",
    "leader",
    "anonymous",
    "deactivated",
]


def admin_routes() -> list[tuple[str, str]]:
    def walk(patterns: list, prefix: str = "") -> list[tuple[str, str]]:  # type: ignore[type-arg]
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                found.append((p.name, prefix + str(p.pattern)))
        return found

    return walk(admin.site.get_urls())


@pytest.fixture
def world(  # type: ignore[no-untyped-def]
    supervisor: User, jizhou_officer: User, qingyuan_officer: User, jizhou: Region, leader: User
) -> dict[str, object]:
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from cases.models import Case
    from cases.services import case_transition

    batch = Batch.objects.create(source=source(), number=1, handed_down_on="2026-11-01")
    case = new_case(supervisor, jizhou, acceptance_number="ADMIN-1", batch=batch)
    case_transition(case_id=case.pk, user=jizhou_officer, transition="start")
    request = extension_request_create(
        case_id=case.pk,
        user=jizhou_officer,
        requested_deadline=case.deadline + dt.timedelta(days=20),
        reason="汛期",
    )
    attachment_add(case_id=case.pk, user=jizhou_officer, kind="photo_before", upload=png())
    recomputation = DateRecomputation.objects.create(
        case=case,
        field="deadline",
        current_date=case.deadline,
        official_date=case.deadline - dt.timedelta(days=1),
        calendar_year=case.deadline.year,
    )
    run = import_check(
        user=supervisor,
        file=__import__("io").BytesIO(
            "受理编号,交办问题基本情况,行政区域,污染类型\nADMIN-2,噪声扰民,吉州区,噪声\n".encode()
        ),
        file_name="m.csv",
        source=batch.source,
    )
    token, _ = AuthToken.objects.create(jizhou_officer)
    message = notify(recipients=[jizhou_officer], kind=Kind.SYSTEM, title="t", body="b", dedupe="m")
    channel = ChannelPreference.objects.create(
        user=jizhou_officer, channel="email", address="wang@jz.gov.cn"
    )
    heartbeat, _ = Heartbeat.objects.get_or_create(name="scan")
    year = CalendarYear.objects.create(year=2031, status="provisional", holidays=[], workdays=[])
    group = Group.objects.create(name="演示组")
    from supervision.publications import publication_create

    publication = publication_create(batch_id=batch.pk, user=supervisor)
    from supervision.export_runs import export_write
    from supervision.models import ExportRun

    export = export_write(ExportRun.objects.create(requested_by=jizhou_officer).pk)
    return {
        "cases_case": case.pk,
        "cases_batch": batch.pk,
        "cases_daterecomputation": recomputation.pk,
        "cases_extensionrequest": request.pk,
        "cases_pollutiontype": PollutionType.objects.first().pk,
        "cases_source": batch.source_id,
        "cases_sourcestream": SourceStream.objects.first().pk,
        "casework_calendaryear": year.pk,
        "casework_membership": Membership.objects.get(user=jizhou_officer).pk,
        "casework_region": jizhou.pk,
        "casework_responsibleunit": ResponsibleUnit.objects.get(name="吉州区人民政府").pk,
        "casework_user": jizhou_officer.pk,
        "intake_importrun": run.pk,
        "knox_authtoken": token.pk,
        "notifications_channelpreference": channel.pk,
        "notifications_heartbeat": heartbeat.pk,
        "notifications_notification": message[0].pk,
        "notifications_sentrung": message[0].pk,  # not a rung: nobody finds it there
        "notifications_reminderrule": ReminderRule.objects.first().pk,
        "auth_group": group.pk,
        "publication": publication.pk,
        "supervision_exportrun": export.pk,
        "content_type": ContentType.objects.get_for_model(Case).pk,
    }


def url_for(name: str, route: str, world: dict[str, object]) -> str:
    model = "_".join(name.split("_")[:2])
    path = route.replace("^", "").replace("$", "")
    path = path.replace("<path:object_id>", str(world.get(model, "")))
    path = path.replace("<int:pk>", str(world.get(model, "")))
    path = path.replace("<str:name>", "progress")
    path = path.replace("<int:publication_id>", str(world["publication"]))
    path = path.replace("<int:run_id>", str(world["supervision_exportrun"]))
    path = path.replace("<id>", str(world["casework_user"]))
    path = path.replace("<path:content_type_id>", str(world["content_type"]))
    path = path.replace(
        "(?P<app_label>auth|knox|casework|cases|notifications|intake|supervision)/", "cases/"
    )
    if name == "autocomplete":
        path += "?app_label=cases&model_name=case&field_name=duplicate_of&term=ADMIN"
    return "/admin/" + path


def client_for(role: str, request: pytest.FixtureRequest) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "deactivated":
        person = request.getfixturevalue("jizhou_officer")
        client.force_login(person)
        User.objects.filter(pk=person.pk).update(is_active=False)
        return client
    client.force_login(request.getfixturevalue(role))
    return client


# Status of a GET by each role, in the order of ROLES: jizhou_officer, qingyuan_officer,
# inspector, supervisor, leader, anonymous, deactivated. 302 is the way to the login page (the
# inspector is not an admin user; an anonymous visitor, a deactivated account), 403 a page the
# role may not open, 404 an object outside the role's jurisdiction (or not theirs: an inbox row,
# a notification channel), 405 a page that takes POST only (logout).
EXPECTED = {
    "app_list": "200 200 302 200 200 302 302",
    "auth_group_add": "403 403 302 403 403 302 302",
    "auth_group_change": "403 403 302 403 403 302 302",
    "auth_group_changelist": "403 403 302 403 403 302 302",
    "auth_group_delete": "403 403 302 403 403 302 302",
    "auth_group_history": "403 403 302 403 403 302 302",
    "auth_user_password_change": "403 403 302 403 403 302 302",
    "autocomplete": "200 200 302 200 200 302 302",
    "cases_batch_add": "403 403 302 200 403 302 302",
    "cases_batch_change": "200 200 302 200 200 302 302",
    "cases_batch_changelist": "200 200 302 200 200 302 302",
    "cases_batch_delete": "403 403 302 403 403 302 302",
    "cases_batch_publish": "302 302 302 302 302 302 302",
    "cases_batch_publication": "200 404 302 200 200 302 302",
    "cases_batch_history": "200 200 302 200 200 302 302",
    "cases_case_act": "200 404 302 200 403 302 302",
    "cases_case_add": "403 403 302 200 403 302 302",
    "cases_case_change": "200 404 302 200 200 302 302",
    "cases_case_changelist": "200 200 302 200 200 302 302",
    "cases_case_delete": "403 403 302 403 403 302 302",
    "cases_case_export": "200 200 302 200 200 302 302",
    "cases_case_history": "200 404 302 200 200 302 302",
    "cases_daterecomputation_add": "403 403 302 403 403 302 302",
    "cases_daterecomputation_change": "403 403 302 200 403 302 302",
    "cases_daterecomputation_changelist": "403 403 302 200 403 302 302",
    "cases_daterecomputation_decide": "404 404 302 200 404 302 302",
    "cases_daterecomputation_delete": "403 403 302 403 403 302 302",
    "cases_daterecomputation_history": "403 404 302 200 403 302 302",
    "cases_extensionrequest_add": "403 403 302 403 403 302 302",
    "cases_extensionrequest_change": "200 404 302 200 200 302 302",
    "cases_extensionrequest_changelist": "200 200 302 200 200 302 302",
    "cases_extensionrequest_delete": "403 403 302 403 403 302 302",
    "cases_extensionrequest_history": "200 404 302 200 200 302 302",
    "cases_pollutiontype_add": "403 403 302 403 403 302 302",
    "cases_pollutiontype_change": "200 200 302 200 200 302 302",
    "cases_pollutiontype_changelist": "200 200 302 200 200 302 302",
    "cases_pollutiontype_delete": "403 403 302 403 403 302 302",
    "cases_pollutiontype_history": "200 200 302 200 200 302 302",
    "cases_source_add": "403 403 302 200 403 302 302",
    "cases_source_change": "200 200 302 200 200 302 302",
    "cases_source_changelist": "200 200 302 200 200 302 302",
    "cases_source_delete": "403 403 302 403 403 302 302",
    "cases_source_history": "200 200 302 200 200 302 302",
    "cases_sourcestream_add": "403 403 302 403 403 302 302",
    "cases_sourcestream_change": "200 200 302 200 200 302 302",
    "cases_sourcestream_changelist": "200 200 302 200 200 302 302",
    "cases_sourcestream_delete": "403 403 302 403 403 302 302",
    "cases_sourcestream_history": "200 200 302 200 200 302 302",
    "casework_calendaryear_add": "404 404 302 200 404 302 302",
    "casework_calendaryear_change": "200 200 302 200 200 302 302",
    "casework_calendaryear_changelist": "200 200 302 200 200 302 302",
    "casework_calendaryear_delete": "403 403 302 403 403 302 302",
    "casework_calendaryear_history": "200 200 302 200 200 302 302",
    "casework_membership_add": "403 403 302 403 403 302 302",
    "casework_membership_change": "403 403 302 200 403 302 302",
    "casework_membership_changelist": "403 403 302 200 403 302 302",
    "casework_membership_delete": "403 403 302 403 403 302 302",
    "casework_membership_history": "403 404 302 200 403 302 302",
    "casework_region_add": "403 403 302 403 403 302 302",
    "casework_region_change": "200 404 302 200 200 302 302",
    "casework_region_changelist": "200 200 302 200 200 302 302",
    "casework_region_delete": "403 403 302 403 403 302 302",
    "casework_region_history": "200 404 302 200 200 302 302",
    "casework_responsibleunit_add": "403 403 302 200 403 302 302",
    "casework_responsibleunit_change": "200 404 302 200 200 302 302",
    "casework_responsibleunit_changelist": "200 200 302 200 200 302 302",
    "casework_responsibleunit_delete": "403 403 302 403 403 302 302",
    "casework_responsibleunit_history": "200 404 302 200 200 302 302",
    "casework_user_add": "403 403 302 403 403 302 302",
    "casework_user_change": "403 403 302 200 403 302 302",
    "casework_user_changelist": "403 403 302 200 403 302 302",
    "casework_user_delete": "403 403 302 403 403 302 302",
    "casework_user_history": "403 404 302 200 403 302 302",
    "dashboard": "200 200 302 200 200 302 302",
    "index": "200 200 302 200 200 302 302",
    "intake_importrun_add": "404 404 302 200 404 302 302",
    "intake_importrun_change": "404 404 302 200 404 302 302",
    "intake_importrun_changelist": "403 403 302 200 403 302 302",
    "intake_importrun_confirm": "302 302 302 302 302 302 302",
    "intake_importrun_delete": "403 403 302 403 403 302 302",
    "intake_importrun_file": "404 404 302 200 404 302 302",
    "intake_importrun_history": "302 302 302 200 302 302 302",
    "jsi18n": "200 200 302 200 200 302 302",
    "knox_authtoken_add": "403 403 302 403 403 302 302",
    "knox_authtoken_change": "403 403 302 403 403 302 302",
    "knox_authtoken_changelist": "403 403 302 403 403 302 302",
    "knox_authtoken_delete": "403 403 302 403 403 302 302",
    "knox_authtoken_history": "403 403 302 403 403 302 302",
    "login": "302 302 200 302 302 200 200",
    "logout": "405 405 302 405 405 302 302",
    "notifications_channelpreference_add": "200 200 302 200 200 302 302",
    "notifications_channelpreference_change": "200 404 302 404 404 302 302",
    "notifications_channelpreference_changelist": "200 200 302 200 200 302 302",
    "notifications_channelpreference_delete": "200 404 302 404 404 302 302",
    "notifications_channelpreference_history": "200 404 302 404 404 302 302",
    "notifications_heartbeat_add": "403 403 302 403 403 302 302",
    "notifications_heartbeat_change": "403 403 302 200 403 302 302",
    "notifications_heartbeat_changelist": "403 403 302 200 403 302 302",
    "notifications_heartbeat_delete": "403 403 302 403 403 302 302",
    "notifications_heartbeat_history": "403 403 302 200 403 302 302",
    "notifications_notification_add": "403 403 302 403 403 302 302",
    "notifications_notification_change": "200 404 302 404 404 302 302",
    "notifications_notification_changelist": "200 200 302 200 200 302 302",
    "notifications_notification_delete": "403 403 302 403 403 302 302",
    "notifications_notification_history": "200 404 302 404 404 302 302",
    "notifications_sentrung_add": "403 403 302 403 403 302 302",
    # A ledger export is its requester's alone (the other roles' lists are their own, empty).
    "supervision_exportrun_add": "403 403 302 403 403 302 302",
    "supervision_exportrun_change": "200 404 302 404 404 302 302",
    "supervision_exportrun_changelist": "200 200 302 200 200 302 302",
    "supervision_exportrun_delete": "403 403 302 403 403 302 302",
    "supervision_exportrun_download": "200 404 302 404 404 302 302",
    "supervision_exportrun_history": "200 404 302 404 404 302 302",
    "notifications_sentrung_change": "403 403 302 302 403 302 302",
    "notifications_sentrung_changelist": "403 403 302 200 403 302 302",
    "notifications_sentrung_delete": "403 403 302 403 403 302 302",
    "notifications_sentrung_history": "302 302 302 302 302 302 302",
    "notifications_reminderrule_add": "403 403 302 200 403 302 302",
    "notifications_reminderrule_change": "200 200 302 200 200 302 302",
    "notifications_reminderrule_changelist": "200 200 302 200 200 302 302",
    "notifications_reminderrule_delete": "403 403 302 200 403 302 302",
    "notifications_reminderrule_history": "200 200 302 200 200 302 302",
    "password_change": "200 200 302 200 200 302 302",
    "password_change_done": "200 200 302 200 200 302 302",
    "view_on_site": "404 404 302 404 404 302 302",
}


def test_every_admin_page_says_who_may_open_it() -> None:
    names = {name for name, _ in admin_routes()}
    assert names - set(EXPECTED) == set(), "admin pages without an entry in the matrix"
    assert set(EXPECTED) - names == set(), "entries for admin pages that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), sorted(admin_routes()))
def test_the_admin_access_matrix(name: str, route: str, world, request) -> None:  # type: ignore[no-untyped-def]
    url = url_for(name, route, world)
    got = []
    for role in ROLES:
        response = client_for(role, request).get(url)
        got.append(str(response.status_code))
        if role == "deactivated":
            User.objects.filter(username="jizhou_officer").update(is_active=True)
        outsider = role in ("inspector", "anonymous", "deactivated")
        if response.status_code == 302 and outsider and name != "logout":
            assert "/admin/login/" in response["Location"], (name, role)
        if name == "autocomplete" and role == "qingyuan_officer":
            assert "ADMIN-1" not in response.content.decode()  # another county's case
    assert " ".join(got) == EXPECTED.get(name), (name, url)
