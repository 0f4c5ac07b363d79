"""Real-browser tests: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = Path(os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium"))
# Where the browser tests leave their screenshots for a person to look at after `make test`:
# var/screenshots/ (git-ignored), or CASEWORK_SHOTS.
SHOTS = Path(
    os.environ.get("CASEWORK_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
# Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
# between page steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = "Chromium is not installed: apt-get install chromium fonts-wqy-microhei"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    # Every page runs under the Content-Security-Policy: anything it blocks fails the test.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert blocked == [], blocked


def log_in(page, username: str, password: str = "pw-for-tests") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{page.base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{page.base_url}/admin/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#logout-form button")
    page.wait_for_load_state()


def shot(page, name: str, *, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot of the page as SHOTS/<name>.png; returns its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
