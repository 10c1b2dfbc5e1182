import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_has_header_date_and_skip_link(live_server, page, screenshot, section):
    page.goto(live_server.url + "/")

    header = page.locator("header.site-header")
    assert "The Newsportal" in header.inner_text()
    assert header.locator("time.site-header__date").get_attribute("datetime")
    assert page.get_by_role("navigation", name="Sections").get_by_text("Politics").is_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    screenshot("home-skip-link")
    skip.press("Enter")
    assert page.evaluate("location.hash") == "#main"
