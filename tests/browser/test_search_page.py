import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stories():
    politics = CategoryFactory(name="Politics", slug="politics")
    sport = CategoryFactory(name="Sport", slug="sport")
    writer = AuthorFactory(name="Ada Reporter", slug="ada-reporter")
    ArticleFactory(
        title="Café owners fight the council's budget cuts",
        standfirst="Small businesses say the new rates will close them.",
        body="<p>Owners of the town's cafés met the council on Monday to oppose the budget.</p>",
        category=politics,
        authors=[writer],
    )
    ArticleFactory(title="Budget day: what it means for you", category=politics)
    ArticleFactory(title="Cup final tickets sell out", category=sport)


def test_a_reader_searches_filters_and_follows_a_suggestion(
    live_server, page, screenshot, stories
):
    page.goto(live_server.url + reverse("frontpage:home"))
    page.get_by_role("searchbox", name="Search articles").fill("cafe budg")
    page.keyboard.press("Enter")

    results = page.locator(".search-result")
    expect(results).to_have_count(1)
    expect(results.first.locator("mark").first).to_have_text("Café")
    screenshot("search-results-desktop")

    page.get_by_label("Section", exact=True).select_option("sport")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No results")).to_be_visible()

    page.get_by_label("Search for").fill("buget")
    page.get_by_label("Section", exact=True).select_option("")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".search-suggestion")).to_be_visible()
    screenshot("search-suggestion-desktop")
    page.get_by_role("link", name="budget").click()
    expect(page.locator(".search-result")).to_have_count(2)


def test_the_search_page_fits_a_phone(live_server, browser, screenshot, stories):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + reverse("search:search") + "?q=budget")

    expect(phone.locator(".search-result")).to_have_count(2)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot("search-results-phone", target=phone)
    context.close()


def test_results_follow_the_typing_with_javascript(live_server, page, stories):
    page.goto(live_server.url + reverse("search:search"))

    page.get_by_label("Search for").press_sequentially("caf", delay=30)

    expect(page.locator(".search-result")).to_have_count(1)
    assert "?q=caf&" in page.url
    page.get_by_label("Section", exact=True).select_option("sport")
    expect(page.get_by_role("heading", name="No results")).to_be_visible()


def test_search_works_without_javascript(live_server, browser, stories):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("search:search"))

    page.get_by_label("Search for").fill("budget")
    page.get_by_role("button", name="Search").click()

    expect(page.locator(".search-result")).to_have_count(2)
    context.close()
