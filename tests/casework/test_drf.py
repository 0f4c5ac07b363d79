"""Serializers whose fields are built once per class (casework.drf.ReadModelSerializer) still
answer each request for itself: two case pages made side by side, for a user who may see the
complainant and one who may not, each say what their own user may see."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory

from cases.api.serializers import CaseDetailSerializer
from cases.selectors import case_list
from cases.services import case_co_units_set, progress_report_add
from casework.models import Region, ResponsibleUnit, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db


def test_two_case_pages_made_side_by_side_answer_each_for_its_own_user(
    supervisor: User, jizhou: Region, qingyuan: Region, jizhou_officer: User, qingyuan_officer: User
) -> None:
    case = new_case(supervisor, jizhou, complainant_name="周建国", complainant_phone="13812345678")
    case_co_units_set(
        case_id=case.pk,
        user=supervisor,
        units=[ResponsibleUnit.objects.get(name="青原区人民政府")],
    )
    progress_report_add(case_id=case.pk, user=jizhou_officer, text="进展", percent=10)

    def page_for(user: User) -> CaseDetailSerializer:
        request = APIRequestFactory().get("/")
        request.user = user
        return CaseDetailSerializer(
            case_list(fetched_by=user).get(pk=case.pk), context={"request": request}
        )

    lead, co = page_for(jizhou_officer), page_for(qingyuan_officer)
    lead_fields, co_fields = lead.fields, co.fields  # both bound before either answers
    assert lead_fields["complainant_phone"] is not co_fields["complainant_phone"]
    assert lead_fields["events"].child is not co_fields["events"].child
    assert lead.data["complainant_phone"] == "13812345678"
    assert co.data["complainant_phone"] == "138****5678"
    assert [a["name"] for a in co.data["allowed_actions"]] == ["progress"]
    assert "progress" in [a["name"] for a in lead.data["allowed_actions"]]
    assert (
        lead.data["progress_reports"][0]["text"] == co.data["progress_reports"][0]["text"] == "进展"
    )


def test_the_list_filters_when_a_filter_is_named_and_lists_all_when_none_is(
    supervisor: User, jizhou: Region
) -> None:
    from rest_framework.test import APIClient

    from cases.services import case_transition

    first = new_case(supervisor, jizhou)
    new_case(supervisor, jizhou)
    case_transition(case_id=first.pk, user=supervisor, transition="start", comment="")
    api = APIClient()
    api.force_authenticate(supervisor)
    every = api.get("/api/v1/cases/", {"page_size": 5}).json()["results"]
    assert sorted(row["state"] for row in every) == ["assigned", "rectifying"]
    started = api.get("/api/v1/cases/", {"page_size": 5, "state": "rectifying"}).json()
    assert [row["id"] for row in started["results"]] == [first.pk]
    bad = api.get("/api/v1/cases/", {"due_before": "昨天"})
    assert bad.status_code == 400 and "due_before" in str(bad.json())
