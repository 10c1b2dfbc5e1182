"""Running a live page: an editor posts in the admin while a reader's open page updates."""

import pytest

from accounts import roles
from liveblog import services
from tests.factories import PASSWORD, ArticleFactory, AuthorFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    editor = UserFactory(username="live-editor")
    roles.role_assign(user=editor, role=roles.EDITOR)
    article = ArticleFactory(
        title="Election night: the count as it happens",
        standfirst="Results from all twelve wards, as they are declared.",
        body="<p>Polls closed at ten; the count is under way at the civic centre.</p>",
        category=CategoryFactory(name="Politics", slug="politics"),
        authors=[AuthorFactory(name="Ada Reporter")],
    )
    coverage = services.live_coverage_start(article=article)
    services.live_entry_post(coverage=coverage, body="<p>Ballot boxes are arriving.</p>")
    return editor, article, coverage


def test_an_entry_posted_in_the_admin_appears_on_the_readers_open_page(
    live_server, browser, page, screenshot, scene, settings
):
    settings.LIVEBLOG_POLL_SECONDS = 1
    editor, article, coverage = scene

    page.goto(live_server.url + article.get_absolute_url())
    page.wait_for_selector("#live-entries .live-entry")
    page.evaluate("window.__notReloaded = true")
    assert page.locator("#live-key-events").is_hidden()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(10_000)
    admin = desk.new_page()
    admin.goto(f"{live_server.url}/admin/login/?next=/admin/")
    admin.fill("#id_username", editor.username)
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.goto(f"{live_server.url}/admin/liveblog/liveentry/add/?coverage={coverage.pk}")
    admin.fill("#id_headline", "First result: Harbour ward")
    admin.click(".prose-editor div.ProseMirror[contenteditable=true]")
    admin.keyboard.type("Labour hold Harbour ward with a majority of 412.")
    admin.check("#id_is_key_event")
    screenshot("live-desk-entry-form", admin)
    admin.click("input[name=_save]")
    admin.wait_for_selector(".messagelist")
    assert "Entry posted" in admin.inner_text(".messagelist")

    # The reader's page shows it on the next poll, on top, without reloading.
    newest = page.locator("#live-entries .live-entry").first
    newest.get_by_text("Labour hold Harbour ward").wait_for()
    assert page.evaluate("window.__notReloaded") is True
    assert page.locator("#live-entries .live-entry").count() == 2
    page.locator("#live-key-events").get_by_text("First result: Harbour ward").wait_for()
    screenshot("live-page-reader-updated")

    # Closing the page: the reader's page says so and stops asking.
    admin.goto(f"{live_server.url}/admin/liveblog/livecoverage/")
    admin.locator("#result_list tr", has_text=article.title).locator("input.action-select").check()
    admin.select_option("select[name=action]", "close")
    admin.click("button[name=index]")
    admin.wait_for_selector(".messagelist")
    page.get_by_text("This live coverage ended").wait_for()
    assert page.locator("[data-hx-trigger]").count() == 0
    assert page.evaluate("window.__notReloaded") is True
    screenshot("live-page-closed")
    desk.close()


def test_the_live_page_reads_without_javascript(live_server, browser, scene):
    _editor, article, _coverage = scene
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert "Ballot boxes are arriving." in page.inner_text("#live-entries")
    assert page.get_by_role("link", name="Reload").count() == 1
    context.close()
