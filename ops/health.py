from __future__ import annotations

import logging

from celery import current_app as celery_app  # config.celery_app, a floor above
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework import clock, workdays

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


def _check_scan() -> dict[str, str | None]:
    """The reminder scan's liveness: a scheduler that silently stops is the classic failure."""
    from django.conf import settings

    from notifications.models import Heartbeat

    beat = Heartbeat.objects.filter(name="scan").first()
    if beat is None or beat.last_success_at is None:
        return {"status": "unknown", "last_success_at": None}
    age = (timezone.now() - beat.last_success_at).total_seconds()
    stale = age > settings.CASEWORK_SCAN_STALE_AFTER_SECONDS
    return {
        "status": "error" if stale else "ok",
        "last_success_at": timezone.localtime(beat.last_success_at).isoformat(),
        **({"error": beat.last_error} if beat.last_error else {}),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and people: 503 when the database (the source of truth) is
    down or the reminder scan has stopped running.

    A broker outage is reported but does not fail the check: the database keeps the work and the
    periodic scans catch up once the broker is back. A scan that has never run (a fresh install)
    is "unknown", not an error.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    if checks["database"]["status"] == "ok":
        checks["scan"] = _check_scan()
    if checks["database"]["status"] != "ok" or checks.get("scan", {}).get("status") == "error":
        status, http_status = "error", 503
    elif any(check["status"] != "ok" for check in checks.values()):  # broker down, scan unknown
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    body = {"status": status, "time": timezone.localtime().isoformat(), "checks": checks}
    if checks["database"]["status"] == "ok":
        body["warnings"] = _warnings()
    return JsonResponse(body, status=http_status)


def _warnings() -> list[dict[str, str]]:
    """Things an operator should act on soon; they do not change the status."""
    today = clock.today()
    warning = workdays.next_year_warning(today)
    if warning is None:
        return []
    return [
        {"code": "calendar_next_year_provisional", "year": str(today.year + 1), "message": warning}
    ]
