from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from casework.models import User

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_the_admin_login_page_is_in_chinese(client: Client) -> None:
    page = client.get("/admin/login/").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "用户名" in page and "密码" in page and "登录" in page
    assert "吉安市生态环境督察整改与信访件办理系统" in page


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_says(client: Client) -> None:
    page = client.get("/admin/login/", headers={"accept-language": "en-US,en"}).content.decode()
    assert "用户名" in page


@pytest.mark.django_db
def test_english_is_available_by_choice(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    page = client.get("/admin/login/").content.decode()
    assert "Username" in page
    assert "Casework: inspection rectification and petition cases" in page


@pytest.mark.django_db
def test_the_supervisor_logs_in_and_sees_a_chinese_index(client: Client, supervisor: User) -> None:
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "supervisor", "password": "pw-for-tests"},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "台账管理" in page
    assert "组织机构" in page and "责任单位" in page


def test_every_project_string_has_a_chinese_translation() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = []
    for entry in entries:
        if entry.startswith("#~") or not entry.strip():
            continue
        if "#, fuzzy" in entry:
            untranslated.append(entry)
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"\n?((?:".*"\n?)*)', entry, re.M)
        if not msgstrs or any(not (first or rest.strip('"\n')) for first, rest in msgstrs):
            untranslated.append(entry)
    assert untranslated == []
