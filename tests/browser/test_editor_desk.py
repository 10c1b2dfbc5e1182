"""An editor's day at the desk, in a real browser: write, schedule, publish, moderate."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from accounts import roles
from articles.models import Article
from readership.models import ArticleViewDay
from tests.factories import PASSWORD, ArticleFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 60, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def choose_autocomplete(page, field: str, text: str):
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.fill(".select2-container--open .select2-dropdown .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def run_action(page, url: str, title: str, action: str):
    page.goto(url)
    page.locator("#result_list tr", has_text=title).locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")


@pytest.fixture
def editor(db):
    user = UserFactory(username="desk-editor")
    roles.role_assign(user=user, role=roles.EDITOR)
    return user


def test_editor_writes_schedules_publishes_and_moderates(
    live_server, page, screenshot, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    transport = CategoryFactory(name="Transport", slug="transport")
    # Yesterday's lead story, read over the last month, for the dashboard to show.
    lead = ArticleFactory(title="Ferry timetable changes for winter", category=transport)
    for days_ago in range(20):
        ArticleViewDay.objects.create(
            article=lead,
            day=timezone.localdate() - datetime.timedelta(days=days_ago),
            views=40 + (days_ago * 37) % 90,
        )
    admin = f"{live_server.url}/admin/"

    page.goto(f"{admin}login/?next=/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#desk-published-today")
    assert "Ferry timetable changes for winter" in page.inner_text("#desk-most-read")
    screenshot("editor-desk-dashboard")

    # Write the article, with an image, and schedule it for tomorrow.
    page.goto(f"{admin}articles/article/add/")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.fill("#id_title", "Night trams start running on the harbour line")
    page.dispatch_event("#id_title", "change")  # what typing ends with; fill() only inputs
    assert page.input_value("#id_slug") == "night-trams-start-running-on-the-harbour-line"
    page.fill("#id_standfirst", "Trams will run every 20 minutes until 2am from Friday.")
    page.click(".prose-editor div.ProseMirror[contenteditable=true]")
    page.keyboard.type("The first night tram leaves the harbour at 23:40.")
    page.set_input_files(
        "#id_image", files=[{"name": "tram.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.fill("#id_image_alt", "A tram at the harbour stop at night")
    choose_autocomplete(page, "category", "Transport")
    page.locator("#id_tags + .select2 .select2-selection").click()
    page.keyboard.type("night trams")
    page.wait_for_selector(".select2-results__option:has-text('night trams')")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.select_option("#id_status", "published")
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("#id_published_at_0", tomorrow.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", "07:00:00")
    with page.expect_navigation():
        page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    screenshot("editor-desk-change-form")
    assert errors == []

    article = Article.objects.get(slug="night-trams-start-running-on-the-harbour-line")
    assert article.status == Article.Status.PUBLISHED
    assert not article.is_public  # scheduled
    assert article.image
    assert "first night tram" in article.body
    assert list(article.tags.names()) == ["night trams"]
    assert page.locator(".field-image_preview img").count() == 1
    page.goto(live_server.url + "/")
    assert "Night trams start running" not in page.content()

    # Publish it now from the list; it is on the front page.
    changelist = f"{admin}articles/article/"
    run_action(page, changelist, "Night trams", "publish_now")
    article.refresh_from_db()
    assert article.is_public
    page.goto(live_server.url + "/")
    assert page.locator("text=Night trams start running on the harbour line").count() >= 1

    # Close its comments.
    run_action(page, changelist, "Night trams", "close_comments")
    article.refresh_from_db()
    assert article.comments_mode == Article.Comments.CLOSED

    # Moderate a comment that was waiting from before comments were closed.
    from comments.models import Comment

    reader = UserFactory(username="tram-fan")
    pending = Comment.objects.create(
        article=article, user=reader, body="About time!", status=Comment.Status.PENDING
    )
    run_action(page, f"{admin}comments/comment/", "About time!", "mark_approved")
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED
    article.refresh_from_db()
    assert article.comment_count == 1
