"""The share links under a story: each network's own share address with the story's
address and headline encoded, the copy button copying it, the browser's share sheet where
it has one, and not one request leaving this machine."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOT_DIR
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Rates rise & savers cheer: “50% more”?"


@pytest.fixture
def site(live_server, settings) -> str:
    """The live server by its address, so "nothing leaves 127.0.0.1" means just that."""
    settings.SITE_URL = live_server.url.replace("//localhost:", "//127.0.0.1:")
    return settings.SITE_URL


@pytest.fixture
def story(section, site):
    return ArticleFactory(title=HEADLINE, category=section)


def watch_requests(page) -> list[str]:
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def query(href: str) -> tuple[str, dict]:
    parts = urlsplit(href)
    where = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else f"{parts.scheme}:"
    return where, parse_qs(parts.query)


def test_share_links_carry_the_story_and_nothing_leaves_this_machine(
    page, site, story, screenshot
):
    requests = watch_requests(page)
    address = site + story.get_absolute_url()
    page.goto(address)
    share = page.get_by_role("region", name="Share this story")
    share.scroll_into_view_if_needed()
    screenshot("share-links-article")
    share.screenshot(path=str(SCREENSHOT_DIR / "share-links.png"))

    def href(name: str) -> str:
        return share.get_by_role("link", name=name).get_attribute("href")

    text = f"{HEADLINE} {address}"
    assert query(href("E-mail")) == ("mailto:", {"subject": [HEADLINE], "body": [address]})
    assert query(href("WhatsApp (opens in a new tab)")) == ("https://wa.me/", {"text": [text]})
    assert query(href("X (opens in a new tab)")) == (
        "https://x.com/intent/post",
        {"text": [HEADLINE], "url": [address]},
    )
    assert query(href("Facebook (opens in a new tab)")) == (
        "https://www.facebook.com/sharer/sharer.php",
        {"u": [address]},
    )
    assert query(href("LinkedIn (opens in a new tab)")) == (
        "https://www.linkedin.com/sharing/share-offsite/",
        {"url": [address]},
    )
    assert query(href("Bluesky (opens in a new tab)")) == (
        "https://bsky.app/intent/compose",
        {"text": [text]},
    )
    # Encoded, not merely escaped: the headline's & and ? stay inside their parameter.
    assert "&url=" in href("X (opens in a new tab)") and "%26" in href("X (opens in a new tab)")
    for link in share.get_by_role("link").all():
        if link.get_attribute("target") == "_blank":
            assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}

    page.wait_for_load_state("networkidle")
    elsewhere = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
    assert not elsewhere, elsewhere


def test_the_copy_button_copies_the_address(browser, site, story):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(site + story.get_absolute_url())
        share = page.get_by_role("region", name="Share this story")
        share.get_by_role("button", name="Copy link").click()
        # The status is written once the clipboard's promise settles: waited for.
        expect(share.get_by_role("status")).to_have_text("Link copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == site + story.get_absolute_url()
    finally:
        context.close()


def test_the_share_sheet_button_appears_only_where_the_browser_has_one(browser, site, story):
    context = browser.new_context()
    # A browser with the Web Share API; what it was asked to share is kept to look at.
    context.add_init_script(
        "navigator.share = (data) => { window.sharedData = data; return Promise.resolve(); };"
    )
    page = context.new_page()
    without = browser.new_page()
    try:
        page.goto(site + story.get_absolute_url())
        share = page.get_by_role("region", name="Share this story")
        share.get_by_role("button", name="Share…").click()
        shared = page.evaluate("window.sharedData")
        assert shared == {"title": HEADLINE, "url": site + story.get_absolute_url()}

        without.add_init_script("delete Navigator.prototype.share;")
        without.goto(site + story.get_absolute_url())
        plain = without.get_by_role("region", name="Share this story")
        assert plain.get_by_role("button", name="Share…").count() == 0
        assert plain.get_by_role("button", name="Copy link").is_visible()
    finally:
        without.close()
        context.close()


def test_without_javascript_the_links_remain_and_the_buttons_are_hidden(browser, site, story):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + story.get_absolute_url())
        share = page.get_by_role("region", name="Share this story")
        assert share.get_by_role("button").count() == 0
        assert share.get_by_role("link").count() == 6
    finally:
        context.close()
