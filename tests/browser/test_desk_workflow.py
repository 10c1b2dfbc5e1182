"""The desk's workflow in a browser: the review queue, a body picture from the picker,
sending a story back with a note, and the gallery on the reader's page."""

import io

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts import roles
from articles.models import Article, BodyImage, GalleryImage
from tests.factories import PASSWORD, ArticleFactory, UserFactory
from tests.test_images import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_an_editor_adds_a_picture_from_the_picker_and_sends_the_story_back(
    live_server, page, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    editor = roles.role_assign(user=UserFactory(username="desk-editor"), role=roles.EDITOR)
    reporter = roles.role_assign(user=UserFactory(username="reporter"), role=roles.AUTHOR)
    story = ArticleFactory(
        title="Harbour bridge to close for repairs",
        status=Article.Status.REVIEW,
        published_at=None,
        authors=[reporter.author],
    )
    log_in(page, live_server, editor)
    queue = page.locator("#desk-in-review")
    expect(queue).to_contain_text("Waiting for your review")
    expect(queue).to_contain_text(f"Harbour bridge to close for repairs by {reporter.author.name}")
    screenshot("desk-review-queue")
    queue.get_by_role("link", name="Harbour bridge to close for repairs").click()

    # The body editor's picture button opens our picker; an upload comes straight back.
    page.locator(".prose-editor [contenteditable=true]").click()
    page.locator(".prose-editor button[title=figure]").click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as popup_info:
        dialog.get_by_role("button", name="Browse...").click()
    picker = popup_info.value
    picker.set_input_files(
        "#id_image",
        files=[
            {"name": "bridge.jpg", "mimeType": "image/jpeg", "buffer": image_bytes((1700, 1000))}
        ],
    )
    picker.fill("#id_alt", "The harbour bridge under scaffolding")
    screenshot("body-image-picker", picker)
    with picker.expect_event("close"):
        picker.get_by_role("button", name="Upload").click()
    uploaded = BodyImage.objects.get()
    expect(dialog.locator("input[name=imageUrl]")).to_have_value(uploaded.image.url)
    expect(dialog.locator("input[name=altText]")).to_have_value(
        "The harbour bridge under scaffolding"
    )
    dialog.get_by_role("button", name="Insert").click()

    page.fill("#id_note_to_authors", "Add the closure dates, please.")
    screenshot("desk-workflow-buttons")
    page.get_by_role("button", name="Send back to the authors").click()
    expect(page.locator(".messagelist")).to_be_visible()
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert uploaded.image.url in story.body
    (message,) = mail.outbox
    assert message.to == [reporter.email]
    assert "Add the closure dates, please." in message.body


def test_the_reader_sees_the_gallery_in_order(live_server, page, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    story = ArticleFactory(title="The storm, in pictures")
    for position, (caption, colour) in enumerate(
        [("Waves over the pier", (30, 80, 160)), ("Fallen trees on the park road", (40, 120, 60))]
    ):
        data = io.BytesIO()
        from PIL import Image

        Image.new("RGB", (1400, 900), colour).save(data, "JPEG")
        GalleryImage.objects.create(
            article=story,
            image=upload(data.getvalue(), f"storm{position}.jpg"),
            alt=caption,
            caption=caption,
            credit="Sam Lens",
            position=position,
        )
    page.goto(live_server.url + story.get_absolute_url())
    gallery = page.get_by_role("region", name="Gallery")
    expect(gallery.get_by_role("img")).to_have_count(2)
    expect(gallery.locator("figcaption").first).to_contain_text(
        "Waves over the pier Photo: Sam Lens"
    )
    gallery.scroll_into_view_if_needed()
    screenshot("article-gallery")
