from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.test import Client

from casework.checks import archived_django_fsm_not_installed

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyzABCDEF"


def import_production(
    code: str = "import django; django.setup()", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = import_production(DJANGO_ALLOWED_HOSTS="casework.example.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_placeholder_secret_key() -> None:
    result = import_production(
        DJANGO_SECRET_KEY="django-insecure-" + "x1y2z3" * 10,
        DJANGO_ALLOWED_HOSTS="casework.example.cn",
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = import_production(DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug() -> None:
    result = import_production(
        DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="casework.example.cn", DJANGO_DEBUG="true"
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_starts_with_a_secure_configuration() -> None:
    result = import_production(
        DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="casework.example.cn"
    )
    assert result.returncode == 0, result.stderr


def test_production_keeps_database_connections_between_requests_unless_told_not_to() -> None:
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    secure = {"DJANGO_SECRET_KEY": GOOD_KEY, "DJANGO_ALLOWED_HOSTS": "casework.example.cn"}
    kept = import_production(show, **secure)
    assert kept.stdout.split() == ["60", "True"], kept.stderr
    pooled = import_production(show, DJANGO_CONN_MAX_AGE="0", **secure)
    assert pooled.stdout.split() == ["0", "True"], pooled.stderr


def test_production_passes_djangos_deployment_checklist_without_a_warning() -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="casework.example.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_repeated_short_string_is_no_secret_key() -> None:
    result = import_production(
        DJANGO_SECRET_KEY="abcde" * 12, DJANGO_ALLOWED_HOSTS="casework.example.cn"
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_the_archived_django_fsm_is_not_installed_and_django_fsm_2_is() -> None:
    from importlib import metadata

    assert archived_django_fsm_not_installed() == []
    assert metadata.version("django-fsm-2").startswith("4.")
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("django-fsm")


def test_language_and_time_defaults(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_scan(client: Client) -> None:
    from django.utils import timezone

    from notifications.models import Heartbeat

    Heartbeat.objects.create(name="scan", last_success_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["scan"]["status"] == "ok"
    assert body["status"] == "ok"
    assert body["time"].endswith("+08:00")


@pytest.mark.django_db
def test_healthz_is_503_when_the_scan_has_stopped(client: Client) -> None:
    import datetime as dt

    from django.utils import timezone

    from notifications.models import Heartbeat

    assert client.get("/healthz").json()["checks"]["scan"]["status"] == "unknown"
    Heartbeat.objects.create(name="scan", last_success_at=timezone.now() - dt.timedelta(minutes=20))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scan"]["status"] == "error"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["database"]["status"] == "error"


@pytest.mark.django_db
def test_healthz_reports_a_broker_outage_without_failing(
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from config.celery_app import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"] == {
        "status": "error",
        "transport": "redis",
        "error": body["checks"]["broker"]["error"],
    }


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_does_not_jit_compile_the_pages_statements() -> None:
    """A statement PostgreSQL estimates as costly (a page's correlated subqueries) was compiled
    before it ran: 380 ms of a 20,000-row export's 700 ms. The connections turn it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
