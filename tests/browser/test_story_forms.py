"""A look at the corrections and standing pages in a real browser (screenshots for people)."""

import pytest

from articles.models import Correction
from articles.services import correction_save
from pages.models import Page
from pages.services import page_save
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_corrections_and_pages_in_the_browser(live_server, page, screenshot):
    story = ArticleFactory(title="Council sets the date of the budget vote")
    correction_save(
        correction=Correction(
            article=story, note="An earlier version gave the wrong date: the vote is Thursday."
        )
    )
    page_save(page=Page(title="About us", slug="about", body="<p>An independent newsroom.</p>"))
    page_save(page=Page(title="Contact", slug="contact", position=1, body="<p>Write to us.</p>"))

    page.goto(live_server.url + story.get_absolute_url())
    assert "the vote is Thursday" in page.inner_text(".corrections")
    assert "Updated" in page.inner_text(".article__dates")
    screenshot("story-with-correction")

    page.click(".footer-pages >> text=About us")
    page.wait_for_url("**/about/")
    assert page.inner_text("h1") == "About us"
    screenshot("page-about")

    page.goto(live_server.url + "/corrections/")
    assert "Council sets the date" in page.inner_text(".corrections-list")
    screenshot("corrections-page")
