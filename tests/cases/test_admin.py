"""The admin, page by page and role by role (Django's test client; the browser tests drive
the same flows in Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import HANDLING_FIELDS, Action, Case, CaseEvent, PollutionType, State
from casework.errors import InvalidInput
from casework.models import Region, User
from tests.cases.conftest import SUBMISSION, advance
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def trail_matches_version(*cases: Case) -> bool:
    return all(
        Case.objects.get(pk=c.pk).version == CaseEvent.objects.filter(case=c).count() for c in cases
    )


@pytest.fixture
def two_counties(supervisor: User, jizhou: Region, qingyuan: Region) -> tuple[Case, Case]:
    return (
        new_case(supervisor, jizhou, acceptance_number="JZ-001"),
        new_case(supervisor, qingyuan, acceptance_number="QY-001"),
    )


# --- scoping -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("jizhou_officer", {"JZ-001"}),
        ("qingyuan_officer", {"QY-001"}),
        ("supervisor", {"JZ-001", "QY-001"}),
        ("leader", {"JZ-001", "QY-001"}),
    ],
)
def test_the_changelist_shows_each_role_only_its_cases(
    persona: str,
    visible: set[str],
    two_counties: tuple[Case, Case],
    client: Client,
    request: pytest.FixtureRequest,
) -> None:
    login(client, request.getfixturevalue(persona))
    response = client.get("/admin/cases/case/")
    assert response.status_code == 200
    shown = {c.acceptance_number for c in response.context["cl"].result_list}
    assert shown == visible
    page = response.content.decode()
    for number in {"JZ-001", "QY-001"} - visible:
        assert number not in page


def test_the_list_filters_apply_even_with_one_choice_and_a_batch_link_alone(
    supervisor: User, jizhou_officer: User, jizhou: Region, qingyuan: Region, client: Client
) -> None:
    """An officer's county filter has one choice, a batch's link names no source: each still
    filters (Django left a one-choice filter out and ignored its parameter); a source's batches
    are offered once the source is picked, never the ledger's thousands."""
    from cases.models import Batch
    from tests.factories import source

    src = source()
    third, fourth = (
        Batch.objects.create(source=src, number=n, handed_down_on="2026-11-02") for n in (3, 4)
    )
    new_case(supervisor, jizhou, acceptance_number="JZ-B3", batch=third, source=src)
    new_case(supervisor, jizhou, acceptance_number="JZ-B4", batch=fourth, source=src)
    new_case(supervisor, qingyuan, acceptance_number="QY-B3", batch=third, source=src)

    def listed(**params: object) -> set[str]:
        response = client.get("/admin/cases/case/", params)
        return {c.acceptance_number for c in response.context["cl"].result_list}

    login(client, jizhou_officer)
    assert listed(region__id__exact=qingyuan.pk) == set()
    assert listed(region__id__exact=jizhou.pk) == {"JZ-B3", "JZ-B4"}
    assert listed(batch__id__exact=third.pk) == {"JZ-B3"}
    login(client, supervisor)
    assert listed(batch__id__exact=third.pk) == {"JZ-B3", "QY-B3"}
    page = client.get("/admin/cases/case/").content.decode()
    assert "batch__id__exact" not in page  # no batches offered before a source is picked
    page = client.get("/admin/cases/case/", {"source__id__exact": src.pk}).content.decode()
    assert f"batch__id__exact={third.pk}" in page and f"batch__id__exact={fourth.pk}" in page


def test_a_long_list_says_more_than_the_cap_instead_of_counting_the_ledger(
    supervisor: User, jizhou: Region, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cases.admin.common import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    for n in range(5):
        new_case(supervisor, jizhou, acceptance_number=f"CAP-{n}")
    login(client, supervisor)
    page = client.get("/admin/cases/case/").content.decode()
    assert "案件超过 3 条，请用筛选缩小范围" in page and "案件共" not in page
    narrowed = client.get("/admin/cases/case/", {"q": "CAP-1"}).content.decode()
    assert "案件共 1 条" in narrowed  # a list under the cap is counted as before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/cases/case/{}/change/",
        "/admin/cases/case/{}/history/",
        "/admin/cases/case/{}/act/start/",
        "/admin/cases/case/{}/act/progress/",
    ],
)
def test_another_countys_case_is_a_404_on_every_page(
    path: str, two_counties: tuple[Case, Case], jizhou_officer: User, client: Client
) -> None:
    login(client, jizhou_officer)
    qingyuan_case = two_counties[1]
    assert client.get(path.format(qingyuan_case.pk)).status_code == 404
    response = client.post(
        path.format(qingyuan_case.pk), {"comment": "x", "text": "x", "percent": 1}, follow=True
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=qingyuan_case.pk).state == State.ASSIGNED
    assert CaseEvent.objects.filter(case=qingyuan_case).count() == 1


def test_foreign_key_choices_and_autocomplete_are_scoped(
    two_counties: tuple[Case, Case], jizhou_officer: User, supervisor: User, client: Client
) -> None:
    login(client, supervisor)
    form = client.get("/admin/cases/case/add/").context["adminform"].form
    assert {r.name for r in form.fields["region"].queryset} >= {"吉州区", "青原区", "市本级"}
    assert "吉安市" not in {r.name for r in form.fields["region"].queryset}
    login(client, jizhou_officer)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "cases", "model_name": "case", "field_name": "duplicate_of", "term": "0"},
    )
    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"JZ-001"}


def test_the_index_tells_an_officer_about_their_county_today(
    supervisor: User, jizhou_officer: User, jizhou: Region, qingyuan: Region, client: Client
) -> None:
    today = timezone.localdate()
    new_case(
        supervisor,
        jizhou,
        assigned_on=today - dt.timedelta(days=20),
        deadline=today - dt.timedelta(days=2),
    )
    new_case(supervisor, jizhou, deadline=today + dt.timedelta(days=3))
    new_case(
        supervisor,
        qingyuan,
        assigned_on=today - dt.timedelta(days=20),
        deadline=today - dt.timedelta(days=2),
    )
    login(client, jizhou_officer)
    today_summary = client.get("/admin/").context["today"]
    assert (today_summary.overdue, today_summary.due_this_week, today_summary.to_start) == (1, 1, 2)
    page = client.get("/admin/").content.decode()
    assert "吉州区今日" in page


# --- changes through the form, the buttons and the bulk actions ----------------------------------


def test_an_officer_fills_in_the_investigation_and_cannot_touch_the_deadline(
    two_counties: tuple[Case, Case], jizhou_officer: User, client: Client
) -> None:
    case = two_counties[0]
    login(client, jizhou_officer)
    form = client.get(f"/admin/cases/case/{case.pk}/change/").context["adminform"].form
    assert "deadline" not in form.fields and "state" not in form.fields
    assert "investigation" in form.fields
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and k in form.fields},
        "investigation": "经查，企业夜间偷排属实。",
        "deadline": "2030-01-01",
        "pollution_types": [str(PollutionType.objects.get(code="water").pk)],
    }
    data = {k: v for k, v in data.items() if not isinstance(v, list) or k == "pollution_types"}
    data.update(_empty_inlines())
    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case.refresh_from_db()
    assert case.investigation == "经查，企业夜间偷排属实。"
    assert case.deadline != dt.date(2030, 1, 1)
    assert list(case.pollution_types.values_list("code", flat=True)) == ["water"]
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.action == Action.UPDATE and "investigation" in event.data["changes"]
    assert trail_matches_version(case)
    # The trail on the page says what the edit changed, old → new.
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "调查核实情况：— → 经查，企业夜间偷排属实。" in page


def test_a_stale_form_is_refused_with_the_typed_text_kept(
    two_counties: tuple[Case, Case], jizhou_officer: User, client: Client
) -> None:
    case = two_counties[0]
    login(client, jizhou_officer)
    form = client.get(f"/admin/cases/case/{case.pk}/change/").context["adminform"].form
    from cases.services import case_update

    case_update(case_id=case.pk, user=jizhou_officer, changes={"contact_person": "别人改的"})
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k in form.fields and not isinstance(v, list)
    }
    data.update(_empty_inlines(), investigation="我的调查结论", expected_version=1)
    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "其他人已修改" in page
    assert "我的调查结论" in page  # nothing typed is lost
    assert Case.objects.get(pk=case.pk).investigation == ""


def test_a_transition_button_asks_for_what_it_needs(
    two_counties: tuple[Case, Case], jizhou_officer: User, supervisor: User, client: Client
) -> None:
    case = advance(two_counties[0], jizhou_officer, supervisor, State.RECTIFYING)
    login(client, jizhou_officer)
    buttons = client.get(f"/admin/cases/case/{case.pk}/change/").context["case_buttons"]
    assert [b["name"] for b in buttons if b["enabled"]][:1] == ["submit"]
    url = f"/admin/cases/case/{case.pk}/act/submit/"
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.RECTIFYING
    response = client.post(url, {**SUBMISSION, "comment": "请验收"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED
    assert trail_matches_version(case)


def test_a_service_refusal_shows_on_the_action_page(
    two_counties: tuple[Case, Case], jizhou_officer: User, supervisor: User, client: Client
) -> None:
    case = advance(two_counties[0], jizhou_officer, supervisor, State.VERIFIED)
    login(client, supervisor)
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "公示期尚未结束" in page  # the close button says why it is not available
    response = client.post(f"/admin/cases/case/{case.pk}/act/close/", {"comment": ""})
    assert response.status_code == 200
    assert "公示期尚未结束" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED


def test_a_leader_reads_but_has_no_buttons_and_cannot_act(
    two_counties: tuple[Case, Case], leader: User, client: Client
) -> None:
    case = two_counties[0]
    login(client, leader)
    response = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert response.status_code == 200
    assert [b for b in response.context["case_buttons"] if b["enabled"]] == []
    # Neither the page nor the form: the action is not theirs.
    assert client.get(f"/admin/cases/case/{case.pk}/act/start/").status_code == 403
    response = client.post(f"/admin/cases/case/{case.pk}/act/start/", {"comment": "x"})
    assert response.status_code == 403
    assert client.get(f"/admin/cases/case/{case.pk}/act/progress/").status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.ASSIGNED


def test_a_supervisor_starts_several_cases_and_hears_what_was_refused(
    supervisor: User, jizhou_officer: User, jizhou: Region, client: Client
) -> None:
    fresh = [new_case(supervisor, jizhou) for _ in range(2)]
    started = advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, State.RECTIFYING)
    login(client, supervisor)
    response = client.post(
        "/admin/cases/case/",
        {"action": "start_selected", "_selected_action": [c.pk for c in [*fresh, started]]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("2" in t and fresh[0].acceptance_number in t for t in texts)
    assert any(started.acceptance_number in t and "不能执行" in t for t in texts)
    assert {Case.objects.get(pk=c.pk).state for c in fresh} == {State.RECTIFYING}
    assert trail_matches_version(*fresh, started)


def test_a_supervisor_puts_a_petition_on_the_ledger_from_the_admin(
    supervisor: User, jizhou: Region, client: Client
) -> None:
    from casework.models import ResponsibleUnit
    from tests.factories import source

    src = source()
    login(client, supervisor)
    today = timezone.localdate()
    response = client.post(
        "/admin/cases/case/add/",
        {
            "kind": "petition",
            "source": src.pk,
            "acceptance_number": "X3JX202611250001",
            "summary": "反映某养殖场粪污直排",
            "region": jizhou.pk,
            "unit": ResponsibleUnit.objects.get(name="吉州区人民政府").pk,
            "assigned_on": today.isoformat(),
            "deadline": (today + dt.timedelta(days=10)).isoformat(),
            **dict.fromkeys(HANDLING_FIELDS, 0),
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = Case.objects.get(acceptance_number="X3JX202611250001")
    assert case.state == State.ASSIGNED
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        Action.CREATE
    ]
    # Without a typed deadline, a petition's follows the source's rule; a finding's is asked for.
    base = {
        "source": src.pk,
        "summary": "反映某砂场扬尘",
        "region": jizhou.pk,
        "unit": ResponsibleUnit.objects.get(name="吉州区人民政府").pk,
        "assigned_on": today.isoformat(),
        **dict.fromkeys(HANDLING_FIELDS, 0),
        **_empty_inlines(),
    }
    response = client.post(
        "/admin/cases/case/add/",
        {**base, "kind": "petition", "acceptance_number": "X3JX202611250002"},
    )
    assert response.status_code == 302
    computed = Case.objects.get(acceptance_number="X3JX202611250002")
    assert computed.deadline == src.report_deadline(today)
    refused = client.post(
        "/admin/cases/case/add/", {**base, "kind": "finding", "acceptance_number": "ZY-2026-009"}
    )
    assert refused.status_code == 200
    assert "整改方案" in str(refused.context["adminform"].form.errors["deadline"])


def test_progress_added_inline_goes_through_the_service(
    two_counties: tuple[Case, Case], jizhou_officer: User, client: Client
) -> None:
    case = two_counties[0]
    login(client, jizhou_officer)
    form = client.get(f"/admin/cases/case/{case.pk}/change/").context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k in form.fields and not isinstance(v, list)
    }
    data.update(_empty_inlines())
    data.update(
        {
            "progress_reports-TOTAL_FORMS": "1",
            "progress_reports-0-text": "已完成排查",
            "progress_reports-0-percent": "40",
        }
    )
    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 302
    report = case.progress_reports.get()
    assert (report.text, report.percent, report.reported_by) == ("已完成排查", 40, jizhou_officer)
    assert CaseEvent.objects.filter(case=case).latest("id").action == Action.PROGRESS
    assert trail_matches_version(case)


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in (
        "milestones",
        "progress_reports",
        "field_checks",
        "attachments",
        "follow_ups",
        "extension_requests",
        "objections",
        "events",
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_a_case_is_led_by_a_unit_of_its_county_or_the_city(
    supervisor: User, jizhou: Region
) -> None:
    """A 吉州区 case led by 泰和县人民政府 was accepted; now it is refused with a reason."""
    from casework.models import ResponsibleUnit

    taihe_unit = ResponsibleUnit.objects.get(name="泰和县人民政府")
    with pytest.raises(InvalidInput) as excinfo:
        new_case(supervisor, jizhou, unit=taihe_unit)
    assert "所在区域" in excinfo.value.field_errors["unit"][0]
    city_unit = ResponsibleUnit.objects.filter(region__name="市本级").first()
    assert new_case(supervisor, jizhou, unit=city_unit).unit == city_unit


def test_decision_pages_show_what_is_decided(
    client: Client, supervisor: User, jizhou_officer: User, jizhou: Region
) -> None:
    """The verify page shows what the county reported and its evidence; the extension decision
    shows the date asked for and why, with choices that say what they do."""
    from cases.evidence import attachment_add
    from cases.services import extension_request_create
    from tests.factories import png

    case = advance(new_case(supervisor, jizhou), jizhou_officer, supervisor, State.RECTIFYING)
    request = extension_request_create(
        case_id=case.pk,
        user=jizhou_officer,
        requested_deadline=case.deadline + dt.timedelta(days=30),
        reason="汛期河道水位高，沉淀池无法施工",
    )
    login(client, supervisor)
    page = client.get(
        f"/admin/cases/case/{case.pk}/act/extension_decide/", {"request": request.pk}
    ).content.decode()
    assert "汛期河道水位高，沉淀池无法施工" in page
    assert (case.deadline + dt.timedelta(days=30)).isoformat() in page
    assert "同意延期" in page and "不同意延期" in page

    attachment_add(case_id=case.pk, user=jizhou_officer, kind="photo_after", upload=png())
    case = advance(case, jizhou_officer, supervisor, State.SUBMITTED)
    page = client.get(f"/admin/cases/case/{case.pk}/act/verify/").content.decode()
    assert 'id="decision-facts"' in page
    assert SUBMISSION["rectification_account"] in page
    assert "整改后照片" in page  # the evidence file's contents


def _posted_form(client: Client, case: Case) -> dict[str, object]:
    form = client.get(f"/admin/cases/case/{case.pk}/change/").context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k in form.fields and not isinstance(v, list)
    }
    data.update(_empty_inlines())
    return data


def test_a_refused_row_rolls_back_the_whole_edit_and_shows_at_the_row(
    two_counties: tuple[Case, Case],
    jizhou_officer: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever a service refuses in an inline row is said at that row; the case's edit saved
    before it in the same request is rolled back; everything typed stays on the page."""
    import cases.admin.case as case_admin

    def refuse(**kwargs: object) -> None:
        raise InvalidInput({"percent": ["进度不能低于上次报送的60%。"]})

    monkeypatch.setattr(case_admin, "progress_report_add", refuse)
    case = two_counties[0]
    login(client, jizhou_officer)
    data = _posted_form(client, case)
    data.update(
        {
            "investigation": "经查属实",
            "progress_reports-TOTAL_FORMS": "1",
            "progress_reports-0-text": "已完成排查",
            "progress_reports-0-percent": "40",
        }
    )
    events_before = CaseEvent.objects.filter(case=case).count()
    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)
    assert response.status_code == 200
    reports = next(
        f
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "progress_reports"
    )
    assert reports.formset.forms[0].errors["percent"] == ["进度不能低于上次报送的60%。"]
    assert not response.context["adminform"].form.errors
    page = response.content.decode()
    assert "进度不能低于上次报送的60%。" in page
    assert "经查属实" in page and "已完成排查" in page  # nothing typed is lost
    case.refresh_from_db()
    assert case.investigation == ""  # the edit before the refused row is not kept
    assert CaseEvent.objects.filter(case=case).count() == events_before
