"""The scripted phone client against a live server, over real HTTP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import FieldCheck
from casework.models import Region, User
from tests.factories import new_case

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mobile_e2e.py"


@pytest.mark.django_db(transaction=True)
def test_a_phone_files_one_check_despite_three_tries(
    live_server,
    settings,
    tmp_path,
    supervisor: User,
    inspector: User,
    jizhou: Region,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = new_case(supervisor, jizhou, acceptance_number="E2E-1")
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base-url",
            live_server.url,
            "--username",
            "inspector",
            "--password",
            "pw-for-tests",
            "--checked-at",  # the phone's clock agrees with the server's "today"
            timezone.now().isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   the case carries exactly one check" in result.stdout
    assert FieldCheck.objects.filter(case=case).count() == 1
