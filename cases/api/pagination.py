"""The case list's pages: by a cursor over its one order, so that a deep page costs what page 1
costs.

Without ``?page=`` or ``?ordering=``, the list (most urgent first: urgency, deadline, id) pages
by keyset: ``next`` carries the last row's place in that order and the next page starts after
it, read off ``case_urgency_idx`` (page 1,500 of 100,000 cases: 1.7 s by OFFSET, 6 ms by cursor).
``?page=N`` and ``?ordering=`` page by number as before (with ``count``), for the clients that
ask for them. A cursor answers no count: counting a province's ledger costs more than the page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from cases.models import Case, urgency
from casework.drf import MAX_ID, Pagination


def cursor_for(case: Case) -> str:
    place = [case.urgency, case.deadline.isoformat(), case.pk]  # type: ignore[attr-defined]
    return base64.urlsafe_b64encode(json.dumps(place).encode()).decode().rstrip("=")


def place_of(cursor: str) -> tuple[int, dt.date, int]:
    """The (urgency, deadline, id) a cursor carries; a 400 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, deadline, pk = json.loads(raw)
        place = (int(rank), dt.date.fromisoformat(deadline), int(pk))
        if not (0 <= place[0] <= 3 and 0 < place[2] <= MAX_ID):
            raise ValueError
        return place
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise exceptions.ValidationError(
            {"cursor": [_("This page link is not valid: start again from the first page.")]}
        ) from None


class CaseListPagination(Pagination):
    cursor_query_param = "cursor"

    def paginate_queryset(
        self, queryset: QuerySet[Case], request: Request, view: Any = None
    ) -> list[Case] | None:
        params = request.query_params
        self.by_cursor = "page" not in params and "ordering" not in params
        if not self.by_cursor:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request) or self.page_size
        cursor = params.get(self.cursor_query_param)
        if cursor:
            rank, deadline, pk = place_of(cursor)
            queryset = queryset.filter(
                TupleGreaterThan(Tuple(urgency(), F("deadline"), F("id")), (rank, deadline, pk))
            )
        rows = list(queryset[: size + 1])
        self.next_cursor = cursor_for(rows[size - 1]) if len(rows) > size else None
        self.first = not cursor
        return rows[:size]

    def get_next_link(self) -> str | None:
        if not self.by_cursor:
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
        )

    def get_paginated_response(self, data: list[Any]) -> Response:
        if not self.by_cursor:
            return super().get_paginated_response(data)
        first = None
        if not self.first:
            first = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return Response({"next": self.get_next_link(), "first": first, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["first"] = {"type": "string", "nullable": True, "format": "uri"}
        paged["properties"]["count"]["description"] = "Only when paging by ?page= or ?ordering="
        return paged

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The next page's place, from the previous page's next link.",
                "schema": {"type": "string"},
            },
        ]
