"""Browser tests: a real Chromium (Debian's package) driven by Playwright.

They run against Django's live server and skip, saying why, when Chromium is missing.
Screenshots go to artifacts/screenshots/ so a person can look at the pages.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    skip = pytest.mark.skip(
        reason="Chromium not found: install Debian's `chromium` package (apt-get install chromium)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
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
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    # Every browser test doubles as a check that our pages need nothing the CSP forbids.
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def screenshot(page):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str, target=None):
        (target or page).screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)

    return take


def log_in_as(page, live_server, user) -> None:
    """Give the page's browser a session for the user, without going through the log-in form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
