import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import PASSWORD, ArticleFactory, AuthorFactory, CommentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    """An article with one comment by someone else, and a reader whose comments go
    straight through (they had one approved before)."""
    article = ArticleFactory(authors=[AuthorFactory()], title="Council approves the budget")
    other = CommentFactory(
        article=article, user=UserFactory(username="councillor"), body="Proud of this budget."
    )
    reader = UserFactory(username="alice")
    CommentFactory(article=ArticleFactory(), user=reader)
    return article, other, reader


def log_in(page, username):
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def comments(page):
    return page.locator("#comments")


def test_reader_comments_replies_and_votes_in_place_with_javascript(
    live_server, page, screenshot, scene
):
    article, other, reader = scene
    page.goto(live_server.url + article.get_absolute_url())
    expect(comments(page)).to_contain_text("Proud of this budget.")
    comments(page).get_by_role("link", name="Log in to comment").click()
    log_in(page, "alice")
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "#comments$"))

    # A marker on window survives only if the page is never reloaded.
    page.evaluate("window.__samePage = true")
    box = page.get_by_label("Your comment", exact=True)
    box.fill("Finally, the potholes!")
    expect(comments(page).locator("#body-new-counter")).to_have_text(
        "4978 of 5000 characters left."
    )
    comments(page).get_by_role("button", name="Post comment").click()
    mine = comments(page).locator(".comment", has_text="Finally, the potholes!")
    expect(mine).to_be_visible()
    expect(box).to_have_value("")
    expect(comments(page).locator("#comments-count")).to_have_text("(2)")

    thread = page.locator(f"#item-{other.pk}")
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply to councillor").fill("What about the buses?")
    thread.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{other.pk}")).to_contain_text("What about the buses?")

    widget = page.locator(f"#comment-{other.pk} .vote")
    widget.get_by_role("button", name="Vote up").click()
    expect(widget.locator(".vote__score")).to_have_text(re.compile(r"^1\b"))
    expect(widget.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__samePage") is True
    screenshot("comments-in-place")

    # Voting up again withdraws the vote, still in place.
    widget = page.locator(f"#comment-{other.pk} .vote")
    widget.get_by_role("button", name="Vote up").click()
    expect(widget.locator(".vote__score")).to_have_text(re.compile(r"^0\b"))
    assert page.evaluate("window.__samePage") is True

    # A refused post says why next to the form, without losing the text.
    box.fill("Finally, the potholes!")
    comments(page).get_by_role("button", name="Post comment").click()
    expect(comments(page).locator("[data-htmx-error]")).to_contain_text("already posted")
    expect(box).to_have_value("Finally, the potholes!")

    assert Comment.objects.filter(article=article, user=reader).count() == 2
    assert Comment.objects.get(pk=other.pk).score == 0


def test_reader_comments_replies_and_votes_without_javascript(
    live_server, browser, screenshot, scene
):
    article, other, reader = scene
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(live_server.url + article.get_absolute_url())
        comments(page).get_by_role("link", name="Log in to comment").click()
        log_in(page, "alice")
        expect(page).to_have_url(re.compile("#comments$"))

        page.get_by_label("Your comment", exact=True).fill("Posted the old-fashioned way.")
        comments(page).get_by_role("button", name="Post comment").click()
        posted = Comment.objects.get(body="Posted the old-fashioned way.")
        expect(page).to_have_url(re.compile(f"#comment-{posted.pk}$"))
        expect(page.locator(".messages")).to_contain_text("Your comment is posted.")

        thread = page.locator(f"#item-{other.pk}")
        thread.locator("summary", has_text="Reply").click()  # <details>: no script needed
        thread.get_by_label("Your reply to councillor").fill("A reply with no script.")
        thread.get_by_role("button", name="Post reply").click()
        reply = Comment.objects.get(body="A reply with no script.")
        expect(page).to_have_url(re.compile(f"#comment-{reply.pk}$"))
        expect(page.locator(f"#replies-{other.pk}")).to_contain_text("A reply with no script.")

        page.locator(f"#comment-{other.pk} .vote").get_by_role("button", name="Vote down").click()
        expect(page.locator(".messages")).to_contain_text("Your vote is counted.")
        widget = page.locator(f"#comment-{other.pk} .vote")
        expect(widget.locator(".vote__score")).to_have_text(re.compile(r"^-1\b"))
        expect(widget.get_by_role("button", name="Vote down")).to_have_attribute(
            "aria-pressed", "true"
        )
        screenshot("comments-no-javascript", target=page)
    finally:
        context.close()
    assert reply.parent_id == other.pk
    assert Comment.objects.get(pk=other.pk).score == -1


def test_newcomer_sees_the_counter_stop_an_over_long_comment_and_waits_for_moderation(
    live_server, page, screenshot, scene, settings
):
    settings.COMMENTS_MAX_LENGTH = 40
    article, _other, _reader = scene
    UserFactory(username="newbie")
    page.goto(live_server.url + article.get_absolute_url())
    screenshot("comments-anonymous")
    comments(page).get_by_role("link", name="Log in to comment").click()
    log_in(page, "newbie")

    box = page.get_by_label("Your comment", exact=True)
    button = comments(page).get_by_role("button", name="Post comment")
    box.fill("This is far too long for the tiny limit set here.")
    counter = comments(page).locator("#body-new-counter")
    expect(counter).to_have_text("9 characters too many (the limit is 40).")
    expect(counter).to_have_attribute("role", "alert")
    expect(button).to_be_disabled()
    box.fill("Short and sweet.")
    expect(button).to_be_enabled()
    button.click()
    waiting = comments(page).locator(".comment--pending", has_text="Short and sweet.")
    expect(waiting).to_contain_text("Awaiting moderation")
    screenshot("comments-pending-in-place")
    assert Comment.objects.get(body="Short and sweet.").status == "pending"


def test_editor_clears_the_queue_in_bulk_and_views_a_comment_in_place(
    live_server, page, screenshot, scene
):
    from accounts import roles

    article, _other, _reader = scene
    editor = roles.role_assign(user=UserFactory(username="desk"), role=roles.EDITOR)
    waiting = [
        CommentFactory(article=article, status="pending", body=f"Waiting number {n}.")
        for n in range(3)
    ]
    page.goto(f"{live_server.url}/admin/login/?next=/admin/comments/comment/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_contain_text("Pending")
    screenshot("comments-moderation-queue")

    for comment in waiting[:2]:
        rows.filter(has_text=comment.body).locator("input.action-select").check()
    page.select_option("select[name=action]", "mark_approved")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("2 comments approved.")

    with page.expect_popup() as popup:
        rows.filter(has_text=waiting[2].body).get_by_role("link", name="View").click()
    in_place = popup.value
    expect(in_place).to_have_url(re.compile(f"#comment-{waiting[2].pk}$"))
    expect(in_place.locator(f"#comment-{waiting[2].pk}")).to_contain_text("Awaiting moderation")
    article.refresh_from_db()
    assert article.comment_count == 3
