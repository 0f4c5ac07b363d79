"""The case page's lists read inside the case's row (casework.inline) answer exactly what
``prefetch_related`` answers, value for value, in one query instead of ten."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Prefetch
from rest_framework.test import APIRequestFactory

from cases.api.serializers import CaseDetailSerializer
from cases.api.views import CASE_PAGE_LISTS
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    ExtensionRequest,
    FieldCheck,
    FieldCheckPhoto,
    FollowUp,
    Milestone,
    PollutionType,
    ProgressReport,
)
from cases.selectors import case_list
from casework.inline import inline
from casework.models import ResponsibleUnit, User

pytestmark = pytest.mark.django_db


def prefetched(queryset):  # type: ignore[no-untyped-def]
    """The case page's lists as prefetch_related read them before casework.inline, each in its
    model's order with ties broken by key (as the inline lists are; the database left ties in
    any order)."""

    def ordered(model, *joined):  # type: ignore[no-untyped-def]
        return model.objects.select_related(*joined).order_by(*model._meta.ordering, "pk")

    return queryset.prefetch_related(
        Prefetch("pollution_types", ordered(PollutionType)),
        Prefetch("progress_reports", ordered(ProgressReport, "reported_by")),
        Prefetch("milestones", ordered(Milestone)),
        Prefetch("events", CaseEvent.objects.select_related("actor").order_by("id")),
        Prefetch("extension_requests", ordered(ExtensionRequest)),
        Prefetch(
            "field_checks",
            ordered(FieldCheck, "inspector").prefetch_related(
                Prefetch("photos", ordered(FieldCheckPhoto))
            ),
        ),
        Prefetch("attachments", ordered(Attachment, "uploaded_by")),
        Prefetch("follow_ups", ordered(FollowUp, "recorded_by")),
        Prefetch("co_units", ordered(ResponsibleUnit, "region")),
    )


def every_kind_of_row(boss: User, cases: list[Case]) -> None:
    """Rows of every list on ``cases``, with every kind of value: times with their
    microseconds, decimals that a JSON number would round, a UUID, empty and set dates, JSON
    details, ties in the order, photos under field checks, co-operating units."""
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    units = list(ResponsibleUnit.objects.order_by("-pk")[:2])
    for n, case in enumerate(cases):
        for seq in (2, 1, 1):
            Milestone.objects.create(
                case=case,
                sequence=seq,
                description=f"节点{seq}",
                target_date=dt.date(2026, 5, seq),
                done_on=dt.date(2026, 4, 30) if seq == 2 else None,
            )
        for k in range(2):
            check = FieldCheck.objects.create(
                case=case,
                inspector=boss,
                client_uuid=uuid.uuid4(),
                fingerprint=f"f{n}{k}",
                checked_at=moment + dt.timedelta(hours=k),
                latitude=Decimal("27.1234567"),
                longitude=Decimal("114.9876543"),
                accuracy_m=Decimal("12.5") if k else None,
                far_from_region=bool(k),
                result="rectified",
                notes="现场=1+1",
            )
            for m in range(k + 1):
                FieldCheckPhoto.objects.create(
                    field_check=check,
                    stored_name=f"p{n}{k}{m}.jpg",
                    image=f"checks/p{n}{k}{m}.jpg",
                    content_type="image/jpeg",
                    width=640,
                    height=480,
                    size=1000 + m,
                    sha256="0" * 64,
                )
        Attachment.objects.create(
            case=case,
            kind="photo",
            description="整改后",
            original_name="a.jpg",
            stored_name=f"a{n}.jpg",
            file=f"evidence/a{n}.jpg",
            content_type="image/jpeg",
            size=10,
            sha256="1" * 64,
            uploaded_by=boss,
            uploaded_at=moment,
        )
        ExtensionRequest.objects.create(
            case=case,
            requested_by=boss,
            reason="雨季",
            current_deadline=dt.date(2026, 6, 1),
            requested_deadline=dt.date(2026, 7, 1),
            requested_at=moment,
        )
        FollowUp.objects.create(
            case=case,
            visited_on=dt.date(2026, 6, 2),
            method="phone",
            result="satisfied",
            recorded_by=boss,
            recorded_at=moment,
        )
        ProgressReport.objects.create(
            case=case, reported_by=boss, reported_at=moment, text="同时", percent=40
        )
        ProgressReport.objects.create(
            case=case, reported_by=boss, reported_at=moment, text="同时二", percent=0
        )
        case.co_units.set(units)
        case.pollution_types.set(PollutionType.objects.order_by("-sort_order")[:2])


def test_inline_lists_equal_prefetched_ones_for_every_demo_case(
    settings, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    boss = User.objects.get(username="supervisor")
    every_kind_of_row(boss, list(Case.objects.order_by("pk")[:3]))
    request = APIRequestFactory().get("/")
    request.user = boss
    context = {"request": request}
    cases = case_list(fetched_by=boss).order_by("pk")
    before = [CaseDetailSerializer(case, context=context).data for case in prefetched(cases)]
    connection.queries_log.clear()
    with django_assert_num_queries(1):  # the lists come with the cases
        read = list(inline(cases, *CASE_PAGE_LISTS))
    after = [CaseDetailSerializer(case, context=context).data for case in read]
    assert len(after) > 200
    first = after[0]
    assert [len(check["photos"]) for check in first["field_checks"]] == [2, 1]  # latest first
    assert first["field_checks"][0]["latitude"] == "27.123457"  # as stored (6 places)
    assert [m["sequence"] for m in first["milestones"]] == [1, 1, 2]
    assert len(first["co_units"]) == 2 and len(first["pollution_types"]) == 2
    assert first["attachments"] and first["follow_ups"] and first["extension_requests"]
    for one, other in zip(before, after, strict=True):
        assert one == other
