import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from polls.models import Poll
from tests.browser.conftest import log_in_as
from tests.factories import PASSWORD, ArticleFactory, PollFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def story():
    article = ArticleFactory(title="Council approves the new budget")
    PollFactory(
        article=article, question="Is the budget fair?", answers=["Yes", "No", "Undecided"]
    )
    return article


def log_in_from_the_rating_widget(page, live_server, story, user, screenshot=None):
    page.goto(live_server.url + story.get_absolute_url())
    rating = page.locator("#rating")
    expect(rating).to_contain_text("0/5 · 0 ratings")
    login_link = rating.get_by_role("link", name="Log in to rate")
    expect(login_link).to_be_visible()
    expect(page.locator(".poll")).to_contain_text("Log in to vote")
    if screenshot:
        screenshot("rating-anonymous")
    login_link.click()
    page.get_by_label("Username or email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form").filter(has=page.get_by_label("Password")).locator(
        "button[type=submit], input[type=submit]"
    ).first.click()
    # Back on the article, at the rating.
    expect(page).to_have_url(re.compile(re.escape(story.get_absolute_url())))
    expect(page.locator("#rating legend")).to_contain_text("Your rating")


def test_a_reader_logs_in_rates_and_votes_without_page_reloads(
    live_server, page, screenshot, story
):
    user = UserFactory()
    log_in_from_the_rating_widget(page, live_server, story, user, screenshot)
    screenshot("rating-before")

    # A marker on window survives only if the page is not reloaded.
    page.evaluate("window.__samePage = true")
    rating = page.locator("#rating")
    rating.locator("label[for$='-4']").click()
    rating.get_by_role("button", name="Rate").click()
    expect(rating.locator("#rating-status")).to_contain_text("your rating of 4 stars is saved")
    expect(rating).to_contain_text("4.0/5 · 1 rating")
    expect(rating.locator("input[value='4']")).to_be_checked()
    expect(rating.locator("legend")).to_contain_text("Your rating: 4 out of 5")

    # Keyboard: focus the checked star, arrow to the next, submit.
    rating.locator("input[value='4']").focus()
    page.keyboard.press("ArrowRight")
    expect(rating.locator("input[value='5']")).to_be_checked()
    rating.get_by_role("button", name="Change my rating").click()
    expect(rating).to_contain_text("5.0/5 · 1 rating")
    screenshot("rating-after")

    poll = page.locator(".poll")
    poll.get_by_label("No").check()
    poll.get_by_role("button", name="Vote").click()
    expect(poll.locator("[role=status]")).to_contain_text("your vote is counted")
    expect(poll).to_contain_text("100% · 1 vote")
    expect(poll.locator("meter")).to_have_count(3)
    screenshot("poll-after-vote")

    assert page.evaluate("window.__samePage") is True


def test_without_javascript_every_action_posts_and_redirects_back(
    live_server, browser, screenshot, story
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        user = UserFactory()
        log_in_from_the_rating_widget(page, live_server, story, user)

        rating = page.locator("#rating")
        rating.locator("label[for$='-3']").click()
        rating.get_by_role("button", name="Rate").click()
        expect(page).to_have_url(re.compile(r"#rating$"))
        expect(page.locator(".messages")).to_contain_text("your rating of 3 stars is saved")
        expect(rating).to_contain_text("3.0/5 · 1 rating")
        expect(rating.locator("input[value='3']")).to_be_checked()

        rating.get_by_role("button", name="Remove my rating").click()
        expect(page.locator("#rating")).to_contain_text("0/5 · 0 ratings")

        poll = page.locator(".poll")
        poll.get_by_label("Yes").check()
        poll.get_by_role("button", name="Vote").click()
        expect(page).to_have_url(re.compile(r"#poll-\d+$"))
        expect(page.locator(".poll")).to_contain_text("100% · 1 vote")
        screenshot("rating-and-poll-no-js", page)
    finally:
        context.close()


def test_a_refused_htmx_vote_shows_its_reason_next_to_the_form(
    live_server, page, screenshot, story
):
    log_in_as(page, live_server, UserFactory())
    page.goto(live_server.url + story.get_absolute_url())
    page.evaluate("window.__samePage = true")
    poll = page.locator(".poll")
    poll.get_by_label("Yes").check()
    # The poll closes while the reader is choosing.
    Poll.objects.update(closes_at=timezone.now() - timezone.timedelta(seconds=1))
    poll.get_by_role("button", name="Vote").click()
    expect(poll.locator("[role=alert]")).to_have_text("This poll has closed.")
    assert page.evaluate("window.__samePage") is True
    screenshot("poll-refused-htmx")


def test_a_keyboard_reader_rates_with_the_stars(live_server, page, screenshot, story):
    user = UserFactory()
    log_in_from_the_rating_widget(page, live_server, story, user)
    rating = page.locator("#rating")
    group = rating.get_by_role("group", name="Your rating (1 to 5 stars)")
    expect(group.get_by_role("radio")).to_have_count(5)
    expect(rating.locator(".star-meter .star-meter__star--empty")).to_have_count(5)

    group.get_by_role("radio", name="1 star", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(group.get_by_role("radio", name="3 stars")).to_be_checked()
    screenshot("rating-keyboard-focus")
    page.keyboard.press("Tab")
    expect(rating.get_by_role("button", name="Rate")).to_be_focused()
    page.keyboard.press("Enter")

    expect(rating).to_contain_text("3.0/5 · 1 rating")
    expect(rating.locator(".star-meter .star-meter__star--full")).to_have_count(3)
    expect(rating.get_by_role("radio", name="3 stars")).to_be_checked()
    screenshot("rating-keyboard-done")
