"""An editor curates the front page in the admin and readers see it at once."""

import datetime

import pytest
from django.utils import timezone

from accounts import roles
from frontpage.models import Zone
from tests.factories import PASSWORD, ArticleFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content")


def lead_headline(page) -> str:
    return page.locator(".article-card--lead .article-card__title").inner_text()


def test_an_editor_pins_a_story_into_the_lead_and_readers_see_it(
    live_server, browser, page, screenshot
):
    editor = roles.role_assign(user=UserFactory(username="front-editor"), role=roles.EDITOR)
    sections = [CategoryFactory(name=f"Desk {n}", slug=f"desk-{n}") for n in range(26)]
    now = timezone.now()
    for n in range(60):
        ArticleFactory(
            title=f"Routine story {n}",
            category=sections[n % 26],
            published_at=now - datetime.timedelta(minutes=10 + n),
        )
    ArticleFactory(
        title="Council agrees a new harbour bridge",
        category=sections[0],
        published_at=now - datetime.timedelta(days=2),
    )
    Zone.objects.all().delete()
    Zone.objects.create(title="Top stories", layout=Zone.Layout.LEAD, size=5)
    Zone.objects.create(title="Latest", layout=Zone.Layout.GRID, size=6, position=1)
    for n, section in enumerate(sections[:4]):
        Zone.objects.create(title=section.name, section=section, position=10 + n)

    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(live_server.url + "/")
    assert lead_headline(reader) == "Routine story 0"  # and now in the page cache

    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/frontpage/zone/")
    page.click("text=Top stories")
    page.locator("#pins-0 .field-article .select2-selection").click()
    page.fill(".select2-container--open .select2-search__field", "harbour bridge")
    page.click(".select2-results__option:has-text('Council agrees a new harbour bridge')")
    page.fill("#id_pins-0-position", "1")
    screenshot("front-curation-zone-form")
    with page.expect_navigation():
        page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    reader.reload()
    assert lead_headline(reader) == "Council agrees a new harbour bridge"
    # Once on the page: not again in its section's block.
    assert reader.locator("text=Council agrees a new harbour bridge").count() == 1
    reader.screenshot(path=str(screenshot_path("front-curated-desktop")), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/")
    height = phone.evaluate("document.documentElement.scrollHeight")
    phone.screenshot(path=str(screenshot_path("front-curated-phone")), full_page=True)
    assert height < 9000, height

    # A breaking-news banner from the admin shows on the (cached) front page at once.
    page.goto(f"{live_server.url}/admin/frontpage/banner/add/")
    page.fill("#id_text", "The harbour bridge is closed after a collision")
    later = timezone.localtime() + datetime.timedelta(hours=2)
    page.fill("#id_expires_at_0", later.strftime("%Y-%m-%d"))
    page.fill("#id_expires_at_1", later.strftime("%H:%M:%S"))
    with page.expect_navigation():
        page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    reader.reload()
    banner = reader.get_by_role("region", name="Breaking news")
    assert "The harbour bridge is closed" in banner.inner_text()


def screenshot_path(name: str):
    from tests.browser.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{name}.png"
