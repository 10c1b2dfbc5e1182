"""Embeds in the browser: nothing loads from the provider until the reader clicks."""

import pytest
from playwright.sync_api import expect

from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAYER = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


@pytest.fixture
def story():
    return ArticleFactory(
        title="Council meeting ends in uproar",
        body="<p>The video of the meeting:</p>"
        '<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p><p>More to follow.</p>",
    )


def _is_local(url: str) -> bool:
    return url.startswith(("http://localhost:", "http://127.0.0.1:"))


def _offline(page):
    """Answer every request off 127.0.0.1 ourselves: the test never reaches the internet."""
    outside = []

    def answer(route):
        outside.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>stand-in player</p>")

    page.route(lambda url: not _is_local(url), answer)
    return outside


def test_clicking_the_placeholder_swaps_in_the_privacy_enhanced_player(
    live_server, page, screenshot, story
):
    outside = _offline(page)
    page.goto(live_server.url + story.get_absolute_url())
    embed = page.locator("figure.embed")
    load = embed.get_by_role("button", name="Play the video from YouTube")
    expect(load).to_be_visible()
    expect(embed.get_by_role("link", name="Open on YouTube")).to_have_attribute(
        "href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    )
    assert embed.locator("iframe").count() == 0
    assert outside == [], "the page asked a provider for something before the click"
    embed.scroll_into_view_if_needed()
    screenshot("embed-placeholder")

    load.click()
    frame = embed.locator("iframe")
    expect(frame).to_have_attribute("src", PLAYER)
    expect(frame).to_have_attribute("title", "Play the video from YouTube")
    expect(frame).to_be_focused()
    assert outside == [PLAYER]
    screenshot("embed-loaded")


def test_the_keyboard_loads_the_player_too(live_server, page, story):
    outside = _offline(page)
    page.goto(live_server.url + story.get_absolute_url())
    page.get_by_role("button", name="Play the video from YouTube").focus()
    page.keyboard.press("Enter")
    expect(page.locator("figure.embed iframe")).to_have_attribute("src", PLAYER)
    assert outside == [PLAYER]


def test_without_javascript_the_placeholder_is_a_link_to_the_original(live_server, browser, story):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.route(lambda url: not _is_local(url), lambda route: route.abort())
    page.goto(live_server.url + story.get_absolute_url())
    link = page.get_by_role("link", name="Play the video from YouTube")
    expect(link).to_have_attribute("href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert page.locator("iframe").count() == 0
    context.close()
