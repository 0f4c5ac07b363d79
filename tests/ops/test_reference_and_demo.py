from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from cases.models import SourceStream
from casework.models import Membership, Region, ResponsibleUnit, Role, User
from ops.reference import DEFAULT_REFERENCE_FILE

pytestmark = pytest.mark.django_db
DEMO_LOGINS = ("supervisor", "jizhou", "qingyuan", "inspector", "leader")


def counts() -> tuple[int, int, int]:
    return Region.objects.count(), ResponsibleUnit.objects.count(), SourceStream.objects.count()


def test_loading_reference_twice_duplicates_nothing() -> None:
    out = io.StringIO()
    call_command("load_reference", stdout=out)
    first = counts()
    assert first == (18, 23, 4)
    call_command("load_reference", stdout=out)
    assert counts() == first
    assert "region: 0 created, 0 updated, 18 unchanged" in out.getvalue()
    assert "pollution_type: 0 created, 0 updated, 10 unchanged" in out.getvalue()


def test_the_four_source_streams_of_the_one_plus_four_mechanism() -> None:
    call_command("load_reference", stdout=io.StringIO())
    assert list(SourceStream.objects.values_list("code", "short_name")) == [
        ("central", "中央督察"),
        ("provincial", "省督察"),
        ("yangtze_film", "长江警示片"),
        ("provincial_film", "省警示片"),
    ]


def test_reloading_an_edited_file_updates_in_place(tmp_path) -> None:  # type: ignore[no-untyped-def]
    call_command("load_reference", stdout=io.StringIO())
    data = json.loads(DEFAULT_REFERENCE_FILE.read_text(encoding="utf-8"))
    data["source_streams"][0]["short_name"] = "中央督察组"
    edited = tmp_path / "reference.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_reference", file=edited, stdout=out)
    assert SourceStream.objects.get(code="central").short_name == "中央督察组"
    assert "source_stream: 0 created, 1 updated, 3 unchanged" in out.getvalue()
    assert counts() == (18, 23, 4)


@override_settings(DEBUG=False)
def test_load_demo_refuses_without_debug() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()


@override_settings(DEBUG=False)
def test_load_demo_runs_when_forced_and_prints_the_logins() -> None:
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    people = User.objects.count()
    call_command("load_demo", force=True, stdout=io.StringIO())  # twice: nothing duplicated
    assert User.objects.count() == people
    roles = dict(
        Membership.objects.filter(user__username__in=DEMO_LOGINS)
        .values_list("user__username", "role")
        .distinct()
    )
    assert roles == {
        "supervisor": Role.CITY_SUPERVISOR,
        "jizhou": Role.COUNTY_OFFICER,
        "qingyuan": Role.COUNTY_OFFICER,
        "inspector": Role.FIELD_INSPECTOR,
        "leader": Role.LEADER,
    }
    text = out.getvalue()
    for username in roles:
        assert username in text
    assert "password: jian-demo-2026" in text
    assert User.objects.get(username="jizhou").check_password("jian-demo-2026")
    assert set(
        Region.objects.visible_to(User.objects.get(username="jizhou")).values_list(
            "name", flat=True
        )
    ) == {"吉州区"}
