"""The site's URLs plus the HTTP benchmark's floor: the case list's first page fetched by hand
with one SQL query and returned as JSON, no framework in between (``config.settings.bench``)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site

FLOOR_SQL = """
    SELECT c.id, c.acceptance_number, c.kind, c.state, c.summary, c.deadline, c.assigned_on,
           c.updated_at, c.version, r.name, u.name, s.name
    FROM cases_case c
    JOIN casework_region r ON r.id = c.region_id
    JOIN casework_responsibleunit u ON u.id = c.unit_id
    JOIN cases_source s ON s.id = c.source_id
    ORDER BY CASE WHEN c.state IN ('assigned', 'rectifying') THEN 0 WHEN c.state = 'submitted'
             THEN 1 WHEN c.state = 'verified' THEN 2 ELSE 3 END, c.deadline, c.id
    LIMIT 50
"""
NAMES = (
    "id",
    "acceptance_number",
    "kind",
    "state",
    "summary",
    "deadline",
    "assigned_on",
    "updated_at",
    "version",
    "region",
    "unit",
    "source",
)


def floor(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = [dict(zip(NAMES, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/floor/", floor), *site]
