from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _check_database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health check: database unreachable: %s", exc)
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "ok", "vendor": connection.vendor}


def _check_broker() -> dict[str, str]:
    transport = celery_app.conf.broker_url.split("://", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises many kinds; any of them means "not reachable"
        logger.warning("health check: broker unreachable: %s", exc)
        return {"status": "error", "transport": transport, "error": exc.__class__.__name__}
    return {"status": "ok", "transport": transport}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and people: 503 when the database, the source of truth, is down.

    A broker outage is reported but does not fail the check: the database keeps the work and the
    periodic scans catch up once the broker is back.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    if checks["database"]["status"] != "ok":
        status, http_status = "error", 503
    elif any(check["status"] != "ok" for check in checks.values()):
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    return JsonResponse(
        {"status": status, "time": timezone.localtime().isoformat(), "checks": checks},
        status=http_status,
    )
