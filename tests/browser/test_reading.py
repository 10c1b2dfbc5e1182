"""A reader's journey: front page → section → article → tag → author → search."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ARTICLE_URL = re.compile(r".*/[0-9]{4}/[0-9]{2}/[0-9]{2}/[^/]+/$")


@pytest.fixture
def newsroom():
    politics = CategoryFactory(name="Politics", slug="politics", position=1)
    sport = CategoryFactory(name="Sport", slug="sport", position=2)
    reporter = AuthorFactory(
        name="Grace Fraser", slug="grace-fraser", job_title="Political editor"
    )
    colleague = AuthorFactory(name="Tom Singh", slug="tom-singh")
    now = timezone.now()
    lead = ArticleFactory(
        title="Council budget approved after marathon session",
        standfirst="Councillors voted 31 to 29 after eleven hours of debate.",
        body="<p>The vote came just before midnight.</p><h2>What it means</h2>"
        "<p>Libraries stay open; bus routes are cut.</p>",
        category=politics,
        authors=[reporter, colleague],
        is_featured=True,
        published_at=now - timedelta(minutes=30),
    )
    lead.tags.add("Budget", "Local government")
    for n in range(6):
        other = ArticleFactory(
            title=f"Budget row deepens over library closures, part {n + 1}",
            category=politics,
            authors=[reporter],
            published_at=now - timedelta(hours=n + 2),
        )
        other.tags.add("Budget")
        ArticleFactory(
            title=f"Late goal settles the derby, match {n + 1}",
            category=sport,
            authors=[colleague],
            published_at=now - timedelta(hours=n + 3),
        )
    return lead


def walk(page, base_url, screenshot, label):
    page.goto(base_url + "/")
    assert page.locator("h1").count() == 1
    screenshot(f"reading-{label}-1-front")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Politics").click()
    page.wait_for_url("**/section/politics/")
    assert page.get_by_role("heading", level=1).inner_text() == "Politics"
    screenshot(f"reading-{label}-2-section")

    page.get_by_role("link", name="Council budget approved after marathon session").first.click()
    page.wait_for_url(ARTICLE_URL)
    assert "marathon session" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("time[datetime]").count() >= 2
    assert page.get_by_role("complementary").get_by_text("Related stories").is_visible()
    screenshot(f"reading-{label}-3-article")

    page.get_by_role("link", name="Budget", exact=True).click()
    page.wait_for_url("**/tag/budget/")
    assert page.get_by_role("heading", level=1).inner_text() == "Budget"
    screenshot(f"reading-{label}-4-tag")

    page.go_back()
    page.get_by_role("link", name="Grace Fraser").first.click()
    page.wait_for_url("**/authors/grace-fraser/")
    assert page.get_by_role("heading", level=1).inner_text() == "Grace Fraser"
    assert page.get_by_text("Political editor").is_visible()
    screenshot(f"reading-{label}-5-author")

    search = page.get_by_role("searchbox").first
    search.fill("library closures")
    search.press("Enter")
    page.wait_for_url("**/search/?*")
    assert page.get_by_text("Budget row deepens over library closures").first.is_visible()
    screenshot(f"reading-{label}-6-search")


def test_a_reader_walks_from_the_front_page_to_search_on_a_desktop(
    live_server, page, screenshot, newsroom
):
    walk(page, live_server.url, screenshot, "desktop")


def test_a_reader_walks_from_the_front_page_to_search_on_a_phone(live_server, browser, newsroom):
    from tests.browser.conftest import SCREENSHOT_DIR

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def shot(name):
        phone.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)

    try:
        walk(phone, live_server.url, shot, "phone")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    finally:
        context.close()


def test_article_page_works_without_javascript(live_server, browser, newsroom):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + newsroom.get_absolute_url())
        assert "marathon session" in page.locator("h1").inner_text()
        assert page.get_by_text("Libraries stay open").is_visible()
    finally:
        context.close()


def test_article_page_in_dark_mode_and_print(live_server, browser, newsroom):
    from tests.browser.conftest import SCREENSHOT_DIR

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(live_server.url + newsroom.get_absolute_url())
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 18, 18)"
        page.screenshot(path=str(SCREENSHOT_DIR / "reading-desktop-dark-article.png"))

        page.emulate_media(media="print", color_scheme="light")
        assert not page.locator(".page__sidebar").is_visible()
        assert not page.locator(".section-nav").is_visible()
        assert page.locator(".article__body").is_visible()
        page.screenshot(path=str(SCREENSHOT_DIR / "reading-print-article.png"), full_page=True)
    finally:
        context.close()
