"""The case page's lists and related rows read inside the case's row (casework.inline) answer
exactly what ``prefetch_related`` and ``select_related`` answer, value for value, in one query
instead of ten."""

from __future__ import annotations

import io

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
from cases.selectors import PAGE_RELATED, case_list
from casework.inline import inline
from casework.models import ResponsibleUnit, User
from notifications.models import CaseReminder
from tests.factories import every_kind_of_row

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
    # Cases without a batch and without a reminder: the page reads None for them, no query.
    CaseReminder.objects.filter(case__in=Case.objects.order_by("pk")[3:6]).delete()
    assert Case.objects.filter(batch=None).exists() and Case.objects.exclude(batch=None).exists()
    cases = case_list(fetched_by=boss).order_by("pk")
    before = [CaseDetailSerializer(case, context=context).data for case in prefetched(cases)]
    connection.queries_log.clear()
    # The lists, and the single rows select_related joined (source and its stream, region,
    # unit, batch, reminder), come with the cases.
    with django_assert_num_queries(1):
        read = list(inline(cases.select_related(None), *CASE_PAGE_LISTS, related=PAGE_RELATED))
    with django_assert_num_queries(0):
        assert {case.source.stream.code for case in read} >= {"central", "provincial"}
        assert all(case.region.name and case.unit.name for case in read)
        assert {case.batch is None for case in read} == {True, False}
        assert {hasattr(case, "reminder") for case in read} == {True, False}
        assert all(case.reminder.case is case for case in read if hasattr(case, "reminder"))
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


def test_a_related_value_read_by_subquery_equals_the_joined_one(supervisor, jizhou) -> None:  # type: ignore[no-untyped-def]
    """``RelatedValue`` answers what a join answers, NULL where a row on the way is missing (a
    case without a batch, one without a reminder), forward and reverse, one step or two, and
    inside a subquery (where the case table has another alias)."""
    from cases.models import Batch
    from casework.inline import RelatedValue
    from notifications.models import CaseReminder
    from tests.factories import new_case, source

    batch = Batch.objects.create(source=source(), number=7, handed_down_on="2026-01-05")
    new_case(supervisor, jizhou, batch=batch)
    without = new_case(supervisor, jizhou, source=source("省级督察", stream="provincial"))
    CaseReminder.objects.filter(case=without).delete()
    paths = ("source__name", "source__stream__code", "batch__number", "reminder__level")
    joined = list(Case.objects.order_by("pk").values("pk", *paths))
    read = Case.objects.annotate(**{f"v{n}": RelatedValue(Case, p) for n, p in enumerate(paths)})
    by_subquery = [
        {"pk": row["pk"], **{p: row[f"v{n}"] for n, p in enumerate(paths)}}
        for row in read.order_by("pk").values("pk", *(f"v{n}" for n in range(len(paths))))
    ]
    assert by_subquery == joined
    assert {row["batch__number"] is None for row in joined} == {True, False}
    assert {row["reminder__level"] is None for row in joined} == {True, False}
    # Inside another query, twice over (aliases U0, then V0): the subquery follows the case
    # table's alias there, not the outer query's case.
    code = joined[0]["source__stream__code"]
    named = read.filter(v1=code).values("pk")
    twice = Case.objects.filter(pk__in=Case.objects.filter(pk__in=named).values("pk"))
    assert set(twice.values_list("pk", flat=True)) == {
        row["pk"] for row in joined if row["source__stream__code"] == code
    }
    assert 'U0."source_id"' in str(Case.objects.filter(pk__in=named).query)


def test_a_relation_named_as_a_column_is_refused() -> None:
    """Each row is its columns with its relations' rows added under their names: a name that is
    also a column would silently write over that column's value."""
    from casework.inline import _object

    for vendor in ("postgresql", "sqlite"):
        assert "'actor'" in _object(CaseEvent, "i0", vendor, ["'actor'", "NULL"])
        with pytest.raises(ValueError, match="actor_id"):
            _object(CaseEvent, "i0", vendor, ["'actor_id'", "NULL"])
