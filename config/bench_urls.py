"""The site's URLs plus the HTTP benchmark's floor: the case list's first page fetched by hand
with one SQL query and returned as JSON, no framework in between (``config.settings.bench``)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as site

# The page's 50 rows with every column the API's page shows (its joins, the pollution types'
# codes, the reminder's rung, whether overdue and the days left), in the one order.
FLOOR_SQL = """
    SELECT c.id, c.kind, s.name AS source, st.code AS source_stream, b.number AS batch,
           c.acceptance_number, c.summary, r.name AS region, r.gb_code AS region_code,
           u.name AS unit, c.state, c.assigned_on, c.deadline, c.deadline_provisional,
           c.state IN ('assigned', 'rectifying') AND c.deadline < current_date AS is_overdue,
           c.deadline - current_date AS days_left, m.level AS escalation_level, c.is_priority,
           c.channel,
           (SELECT string_agg(t.code, ',' ORDER BY t.sort_order) FROM cases_case_pollution_types x
            JOIN cases_pollutiontype t ON t.id = x.pollutiontype_id WHERE x.case_id = c.id)
             AS pollution_types,
           c.address, c.latitude, c.longitude, c.reopen_count, c.feedback_deadline,
           c.feedback_outcome, c.rectification_deadline, c.version, c.updated_at
    FROM cases_case c
    JOIN cases_source s ON s.id = c.source_id JOIN cases_sourcestream st ON st.id = s.stream_id
    JOIN casework_region r ON r.id = c.region_id
    JOIN casework_responsibleunit u ON u.id = c.unit_id
    LEFT JOIN cases_batch b ON b.id = c.batch_id
    LEFT JOIN notifications_casereminder m ON m.case_id = c.id
    ORDER BY CASE WHEN c.state IN ('assigned', 'rectifying') THEN 0 WHEN c.state = 'submitted'
             THEN 1 WHEN c.state = 'verified' THEN 2 ELSE 3 END, c.deadline, c.id
    LIMIT 50
"""


def floor(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        names = [column.name for column in cursor.description]  # the SQL's own names
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/floor/", floor), *site]
