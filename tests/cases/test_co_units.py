"""Co-operating units (配合单位): a case has one lead unit and any number of co-operating units;
their county officers see the case and report progress on it, the lead unit answers for it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases.models import Action, Case, CaseEvent, ProgressReport, State
from cases.services import (
    case_co_units_set,
    case_reassign,
    case_transition,
    case_update,
    progress_report_add,
)
from casework.errors import InvalidInput, PermissionDenied
from casework.models import Region, ResponsibleUnit, User
from notifications.models import Notification
from tests.factories import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingyuan_unit(qingyuan: Region) -> ResponsibleUnit:
    return ResponsibleUnit.objects.get(name="青原区人民政府")


@pytest.fixture
def shared(supervisor: User, jizhou: Region) -> Case:
    """A 吉州区 petition about a river on the border with 青原区."""
    return new_case(
        supervisor,
        jizhou,
        summary="群众反映吉州区与青原区交界处河段有人非法采砂。",
        complainant_name="周建国",
        complainant_phone="13812345678",
    )


def test_a_co_operating_unit_sees_the_case_and_reports_progress_but_does_not_answer_for_it(
    shared: Case,
    supervisor: User,
    qingyuan_officer: User,
    jizhou_officer: User,
    qingyuan_unit: ResponsibleUnit,
) -> None:
    assert not Case.objects.visible_to(qingyuan_officer).filter(pk=shared.pk).exists()
    case_co_units_set(
        case_id=shared.pk, user=supervisor, units=[qingyuan_unit.pk], comment="交界河段，两区联合"
    )
    event = CaseEvent.objects.filter(case=shared).latest("id")
    assert (event.action, event.comment) == (Action.CO_UNITS, "交界河段，两区联合")
    assert event.data["co_units"] == [[], ["青原区人民政府"]]
    # The co-operating county's officer is told, and now finds the case in their lists.
    told = Notification.objects.get(recipient=qingyuan_officer, case=shared)
    assert "配合单位" in told.title
    assert Case.objects.visible_to(qingyuan_officer).filter(pk=shared.pk).exists()
    api = APIClient()
    api.force_authenticate(qingyuan_officer)
    listed = api.get("/api/v1/cases/").json()["results"]
    assert [c["id"] for c in listed] == [shared.pk]
    detail = api.get(f"/api/v1/cases/{shared.pk}/").json()
    assert [u["name"] for u in detail["co_units"]] == ["青原区人民政府"]
    assert [a["name"] for a in detail["allowed_actions"]] == ["progress"]
    assert not any(t["allowed"] for t in detail["allowed_transitions"])
    # The complainant stays with the lead county.
    assert detail["complainant_phone"] == "138****5678"
    report = progress_report_add(
        case_id=shared.pk, user=qingyuan_officer, text="青原区已在右岸设卡巡查", percent=30
    )
    assert ProgressReport.objects.get(pk=report.pk).reported_by == qingyuan_officer
    with pytest.raises(PermissionDenied):
        case_transition(case_id=shared.pk, user=qingyuan_officer, transition="start")
    with pytest.raises(PermissionDenied):
        case_update(case_id=shared.pk, user=qingyuan_officer, changes={"address": "某处"})
    # The lead county works it as before.
    started = case_transition(case_id=shared.pk, user=jizhou_officer, transition="start")
    assert started.state == State.RECTIFYING


def test_removing_the_co_operating_unit_takes_the_case_out_of_its_officers_sight(
    shared: Case, supervisor: User, qingyuan_officer: User, qingyuan_unit: ResponsibleUnit
) -> None:
    case_co_units_set(case_id=shared.pk, user=supervisor, units=[qingyuan_unit])
    version = Case.objects.get(pk=shared.pk).version
    case_co_units_set(case_id=shared.pk, user=supervisor, units=[], expected_version=version)
    assert not Case.objects.visible_to(qingyuan_officer).filter(pk=shared.pk).exists()
    event = CaseEvent.objects.filter(case=shared).latest("id")
    assert event.data["co_units"] == [["青原区人民政府"], []]
    assert event.data["removed"] == [qingyuan_unit.pk]
    # Setting the same units again writes nothing.
    count = CaseEvent.objects.filter(case=shared).count()
    case_co_units_set(case_id=shared.pk, user=supervisor, units=[])
    assert CaseEvent.objects.filter(case=shared).count() == count


def test_co_operating_units_are_refused_with_reasons_and_nothing_is_written(
    shared: Case,
    supervisor: User,
    jizhou_officer: User,
    qingyuan_unit: ResponsibleUnit,
) -> None:
    before = CaseEvent.objects.filter(case=shared).count()
    with pytest.raises(PermissionDenied):
        case_co_units_set(case_id=shared.pk, user=jizhou_officer, units=[qingyuan_unit.pk])
    with pytest.raises(InvalidInput) as excinfo:
        case_co_units_set(case_id=shared.pk, user=supervisor, units=[shared.unit_id])
    assert "牵头" in excinfo.value.field_errors["units"][0]
    with pytest.raises(InvalidInput) as excinfo:
        case_co_units_set(case_id=shared.pk, user=supervisor, units=[999_999])
    assert list(excinfo.value.field_errors) == ["units"]
    qingyuan_unit.is_active = False
    qingyuan_unit.save()
    with pytest.raises(InvalidInput) as excinfo:
        case_co_units_set(case_id=shared.pk, user=supervisor, units=[qingyuan_unit.pk])
    assert "青原区人民政府" in excinfo.value.field_errors["units"][0]
    assert CaseEvent.objects.filter(case=shared).count() == before
    assert not shared.co_units.exists()


def test_a_co_operating_unit_made_lead_no_longer_co_operates(
    shared: Case, supervisor: User, qingyuan: Region, qingyuan_unit: ResponsibleUnit
) -> None:
    case_co_units_set(case_id=shared.pk, user=supervisor, units=[qingyuan_unit.pk])
    case = case_reassign(
        case_id=shared.pk, user=supervisor, unit=qingyuan_unit, region=qingyuan, comment="属青原区"
    )
    assert (case.unit, list(case.co_units.all())) == (qingyuan_unit, [])
    event = CaseEvent.objects.filter(case=shared).latest("id")
    assert event.data["co_unit_now_lead"] == "青原区人民政府"


def test_the_case_form_sets_co_operating_units_at_creation_and_later(
    supervisor: User, jizhou: Region, qingyuan_unit: ResponsibleUnit, qingyuan_officer: User
) -> None:
    case = new_case(supervisor, jizhou, co_units=[qingyuan_unit])
    assert list(case.co_units.all()) == [qingyuan_unit]
    created = CaseEvent.objects.get(case=case)  # one event: named with the assignment
    assert (created.action, created.data["co_units"]) == (Action.CREATE, ["青原区人民政府"])
    assert Notification.objects.filter(recipient=qingyuan_officer, case=case).exists()
    case = case_update(case_id=case.pk, user=supervisor, changes={"co_units": []})
    assert not case.co_units.exists()
    with pytest.raises(InvalidInput) as excinfo:
        case_update(case_id=case.pk, user=supervisor, changes={"co_units": [case.unit]})
    assert list(excinfo.value.field_errors) == ["co_units"]


def test_the_api_sets_co_operating_units_for_supervisors_only(
    shared: Case, supervisor: User, jizhou_officer: User, qingyuan_unit: ResponsibleUnit
) -> None:
    api = APIClient()
    url = f"/api/v1/cases/{shared.pk}/co-units/"
    api.force_authenticate(jizhou_officer)
    assert api.post(url, {"units": [qingyuan_unit.pk]}, format="json").status_code == 403
    api.force_authenticate(supervisor)
    bad = api.post(url, {"units": ["x"]}, format="json")
    assert bad.status_code == 400
    assert [e["attr"] for e in bad.json()["errors"]] == ["units.0"]
    unknown = api.post(url, {"units": [999_999]}, format="json")
    assert unknown.status_code == 400
    assert [e["attr"] for e in unknown.json()["errors"]] == ["units"]
    response = api.post(url, {"units": [qingyuan_unit.pk], "comment": "联合"}, format="json")
    assert response.status_code == 200, response.content
    assert [u["region"] for u in response.json()["co_units"]] == ["青原区"]
    stale = api.post(url, {"units": [], "expected_version": 1}, format="json")
    assert stale.status_code == 409
    assert list(Case.objects.get(pk=shared.pk).co_units.all()) == [qingyuan_unit]


def test_the_admin_button_sets_co_operating_units_and_the_co_officer_reports_progress(
    shared: Case,
    supervisor: User,
    qingyuan_officer: User,
    qingyuan_unit: ResponsibleUnit,
) -> None:
    from django.test import Client

    web = Client()
    web.force_login(supervisor)
    page = web.get(f"/admin/cases/case/{shared.pk}/change/").content.decode()
    url = f"/admin/cases/case/{shared.pk}/act/co_units/"
    assert url in page
    form = web.get(url).content.decode()
    assert "青原区人民政府" in form
    assert f'value="{shared.unit_id}"' not in form  # the lead unit is not offered
    response = web.post(url, {"units": [qingyuan_unit.pk], "comment": "交界河段"})
    assert response.status_code == 302
    assert list(Case.objects.get(pk=shared.pk).co_units.all()) == [qingyuan_unit]
    web.force_login(qingyuan_officer)
    page = web.get(f"/admin/cases/case/{shared.pk}/change/").content.decode()
    assert "青原区人民政府" in page
    progress = f"/admin/cases/case/{shared.pk}/act/progress/"
    assert progress in page
    assert f"/admin/cases/case/{shared.pk}/act/start/" not in page
    done = web.post(progress, {"text": "右岸已设卡", "percent": 20})
    assert done.status_code == 302
    assert ProgressReport.objects.get(case=shared).reported_by == qingyuan_officer
