"""A corpus of bad input against every admin page the city office opens from the home page:
every filter and query parameter of every list, every text field of every add form and of the
case's change form and action pages. Never a 5xx (a refusal is a 4xx or the form again with
its error)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from casework.models import Region, User
from tests.factories import new_case

pytestmark = pytest.mark.django_db

CORPUS = [
    "a\x00b",  # NUL: PostgreSQL refuses it in text
    "9" * 40,  # past any integer column
    "-1",
    "2026-02-30",  # no such day
    "9999-12-31",
    "２０２６",  # full-width digits
    "'; DROP TABLE cases_case;--",
    '=HYPERLINK("http://evil.example/")',
    "😀" * 30,
    "x" * 6000,  # past every max_length
    "\u202e反向",  # right-to-left override
    "",
]
# Values a form accepts as text, so that they reach the services and the database.
ACCEPTED = ['=HYPERLINK("http://evil.example/")', "😀" * 30 + "\u202e反向"]
# What a list's parameters are tried with.
FOR_LISTS = ["a\x00b", "9" * 40, "-1", "2026-02-30", "２０２６", "'; DROP TABLE cases_case;--"]


def corpus_posts(form: FormFields, skip: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Every corpus value in every text field at once (each field validated with it), then each
    field alone with the values a form accepts (those reach the services)."""
    names = [n for n in form.text if not n.startswith(skip)]
    # Without the version the form was opened at: after the first save every later post would
    # otherwise be refused as stale before its values reached the service.
    values = {k: v for k, v in form.values.items() if k != "expected_version"}
    posts = [{**values, **dict.fromkeys(names, value)} for value in CORPUS]
    posts += [{**values, name: value} for name in names for value in ACCEPTED]
    return posts


class FormFields(HTMLParser):
    """The names of a form's text inputs and textareas, and every field's current value."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        name = a.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("text", "number", "email", "url", "tel", "date", "search"):
                self.text.append(name)
            if kind not in ("checkbox", "file", "submit", "button") or "checked" in a:
                self.values[name] = a.get("value", "")
        elif tag == "textarea":
            self.text.append(name)
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name  # its selected option, as the browser would send it

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_of(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def no_server_error(client: Client, method: str, url: str, data: dict | None = None) -> int:
    response = client.get(url) if method == "GET" else client.post(url, data or {})
    assert response.status_code < 500, (method, url, {k: v[:40] for k, v in (data or {}).items()})
    return response.status_code


@pytest.fixture
def web(supervisor: User, jizhou: Region) -> Client:
    new_case(supervisor, jizhou, acceptance_number="BAD-ADMIN-1")
    client = Client(raise_request_exception=False)
    client.force_login(supervisor)
    return client


def test_no_list_filter_or_parameter_value_breaks_a_list(web: Client) -> None:
    home = web.get("/admin/").content.decode()
    lists = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', home)))
    assert "/admin/cases/case/" in lists
    for url in lists:
        page = web.get(url).content.decode()
        params = {"q", "o", "p", "all"}
        for href in re.findall(r'href="(\?[^"]+)"', page):
            params |= {name for name, _ in parse_qsl(urlsplit(href.replace("&amp;", "&")).query)}
        for name in sorted(params):
            for value in FOR_LISTS:
                no_server_error(web, "GET", f"{url}?{urlencode({name: value})}")


def test_no_text_in_any_add_form_breaks_the_save(web: Client) -> None:
    home = web.get("/admin/").content.decode()
    adds = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/add/)"', home)))
    assert "/admin/cases/case/add/" in adds
    for url in adds:
        for data in corpus_posts(form_of(web.get(url).content.decode())):
            no_server_error(web, "POST", url, data)


def test_no_text_in_the_case_form_or_its_action_pages_breaks_them(
    supervisor: User, jizhou: Region, jizhou_officer: User
) -> None:
    case = new_case(supervisor, jizhou, acceptance_number="BAD-ADMIN-2")
    officer = Client(raise_request_exception=False)
    officer.force_login(jizhou_officer)
    change = f"/admin/cases/case/{case.pk}/change/"
    pages = [change]
    page = officer.get(change).content.decode()
    pages += sorted(set(re.findall(rf'href="(/admin/cases/case/{case.pk}/act/[a-z_]+/)"', page)))
    assert len(pages) > 2
    for url in pages:
        form = form_of(officer.get(url).content.decode())
        # (the read-only rows' inputs are hidden management fields, not text)
        posts = corpus_posts(form, skip=("events-", "attachments-", "field_checks-"))
        answers = [no_server_error(officer, "POST", url, data) for data in posts]
        if url == change:
            # Text fields took what forms accept and saved it: the corpus got past the form into
            # the service and the database (dates and numbers refuse it, as they should).
            assert answers.count(302) >= len(ACCEPTED), answers
