import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, Report
from comments.services import (
    CommentDuplicate,
    CommentError,
    CommentForbidden,
    comment_create,
    comment_delete,
    comment_edit,
    comment_moderate,
    comment_report,
    commenter_ban,
    commenter_trust,
)
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, CommentFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def regular(db, article):
    """A reader with an approved comment behind them: new comments go straight through."""
    user = UserFactory()
    CommentFactory(article=ArticleFactory(), user=user)
    return user


def post_comment(client, article, body="A perfectly ordinary comment.", **data):
    url = reverse("comments:create", kwargs={"article_id": article.pk})
    extra = data.pop("headers", {})
    return client.post(url, {"body": body, **data}, **extra)


def counted(article) -> int:
    return Comment.objects.counted().filter(article=article).count()


# Who may post, and where ---------------------------------------------------------------


def test_new_readers_first_comment_waits_for_a_moderator(article, user):
    comment = comment_create(article=article, user=user, body="Hello there.")
    article.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert article.comment_count == 0


def test_a_reader_with_an_approved_comment_posts_straight_away(article, regular):
    comment = comment_create(article=article, user=regular, body="Straight through.")
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert article.comment_count == 1 == counted(article)


def test_a_comment_with_many_links_waits_even_from_a_regular(article, regular, settings):
    settings.COMMENTS_MAX_LINKS = 2
    body = "See https://a.example https://b.example and www.c.example"
    comment = comment_create(article=article, user=regular, body=body)
    assert comment.status == Comment.Status.PENDING
    two_links = comment_create(article=article, user=regular, body="https://a.example b.com")
    assert two_links.status == Comment.Status.APPROVED


def test_trusted_readers_skip_the_queue_even_with_links(article, user):
    commenter_trust(user=user)
    comment = comment_create(article=article, user=user, body="x https://a.example " * 5)
    assert comment.status == Comment.Status.APPROVED


def test_editors_comments_skip_the_queue(article, staff_user):
    comment = comment_create(article=article, user=staff_user, body="From the desk.")
    assert comment.status == Comment.Status.APPROVED


def test_banned_reader_is_refused_with_403(client, article, regular):
    commenter_ban(user=regular)
    client.force_login(regular)
    response = post_comment(client, article)
    assert response.status_code == 403
    assert "cannot post comments" in response.content.decode()
    assert not Comment.objects.filter(article=article).exists()


def test_banning_a_trusted_reader_removes_the_trust(user):
    commenter_trust(user=user)
    status = commenter_ban(user=user)
    assert status.is_banned and not status.is_trusted
    status = commenter_trust(user=user)
    assert status.is_trusted and not status.is_banned


def test_closed_article_refuses_posts_with_403_and_keeps_comments_visible(
    client, article, regular
):
    CommentFactory(article=article, body="Said before closing.")
    article.comments_mode = Article.Comments.CLOSED
    article.save()
    client.force_login(regular)
    response = post_comment(client, article)
    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed" in page
    assert "Said before closing." in page
    assert 'name="body"' not in page


def test_hidden_comments_show_nothing_and_refuse_posts(client, article, regular):
    CommentFactory(article=article, body="Not to be seen.")
    article.comments_mode = Article.Comments.HIDDEN
    article.save()
    client.force_login(regular)
    assert post_comment(client, article).status_code == 403
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Not to be seen." not in page
    assert 'id="comments"' not in page


def test_comments_close_by_themselves_after_the_configured_days(client, regular, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 7
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=8))
    fresh = ArticleFactory(published_at=timezone.now() - timedelta(days=6))
    client.force_login(regular)
    assert post_comment(client, old).status_code == 403
    assert "Comments are closed" in client.get(old.get_absolute_url()).content.decode()
    assert post_comment(client, fresh).status_code == 302


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleFactory(status=Article.Status.DRAFT, published_at=None),
        lambda: ArticleFactory(published_at=timezone.now() + timedelta(days=1)),
        lambda: ArticleFactory(status=Article.Status.ARCHIVED),
    ],
    ids=["draft", "scheduled", "archived"],
)
def test_unpublished_articles_take_no_comments(client, regular, make):
    article = make()
    client.force_login(regular)
    assert post_comment(client, article).status_code == 404
    with pytest.raises(CommentForbidden):
        comment_create(article=article, user=regular, body="Sneaky.")


def test_unknown_article_gives_404(client, regular):
    client.force_login(regular)
    response = client.post(
        reverse("comments:create", kwargs={"article_id": 999999}), {"body": "x"}
    )
    assert response.status_code == 404


# Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t"])
def test_empty_comment_gives_400_with_a_message(client, article, regular, body):
    client.force_login(regular)
    response = post_comment(client, article, body=body)
    assert response.status_code == 400
    assert "Write something" in response.content.decode()
    assert not Comment.objects.filter(article=article).exists()


def test_missing_body_field_gives_400(client, article, regular):
    client.force_login(regular)
    response = client.post(reverse("comments:create", kwargs={"article_id": article.pk}), {})
    assert response.status_code == 400


def test_too_long_comment_gives_400_and_keeps_the_text(client, article, regular, settings):
    settings.COMMENTS_MAX_LENGTH = 50
    client.force_login(regular)
    body = "word " * 20
    response = post_comment(client, article, body=body)
    text = response.content.decode()
    assert response.status_code == 400
    assert "at most 50 characters" in text
    assert body.strip() in text  # offered back to the reader to shorten
    assert not Comment.objects.filter(article=article).exists()
    assert post_comment(client, article, body="x" * 50).status_code == 302


def test_filled_honeypot_gives_400_and_saves_nothing(client, article, regular):
    client.force_login(regular)
    response = post_comment(client, article, website="http://spam.example")
    assert response.status_code == 400
    assert "automated" in response.content.decode()
    assert not Comment.objects.filter(article=article).exists()


def test_the_same_comment_twice_is_refused_as_a_duplicate(client, article, regular):
    client.force_login(regular)
    assert post_comment(client, article, body="Twice?").status_code == 302
    response = post_comment(client, article, body="  Twice?  ")
    assert response.status_code == 409
    assert "already posted" in response.content.decode()
    assert Comment.objects.filter(article=article).count() == 1
    # The same words on another article are fine.
    assert post_comment(client, ArticleFactory(), body="Twice?").status_code == 302


def test_duplicate_window_ends(article, regular, settings):
    settings.COMMENTS_DUPLICATE_MINUTES = 10
    first = comment_create(article=article, user=regular, body="Again later.")
    with pytest.raises(CommentDuplicate):
        comment_create(article=article, user=regular, body="Again later.")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    comment_create(article=article, user=regular, body="Again later.")


def test_too_many_comments_per_minute_get_429(client, article, regular):
    client.force_login(regular)
    codes = [post_comment(client, article, body=f"Number {n}").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]
    assert Comment.objects.filter(article=article, user=regular).count() == 5
    refused = post_comment(client, article, body="Keep my words.")
    assert "posting too often" in refused.content.decode()
    assert "Keep my words." in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_too_many_comments_from_one_address_get_429(client, article, settings):
    settings.RATELIMITS = {"comments-ip": (3, 600)}
    codes = []
    for n in range(4):
        client.force_login(UserFactory())
        codes.append(post_comment(client, article, body=f"From one address {n}").status_code)
    assert codes == [302, 302, 302, 429]


def test_get_on_an_action_gives_405(client, article, regular):
    client.force_login(regular)
    response = client.get(reverse("comments:create", kwargs={"article_id": article.pk}))
    assert response.status_code == 405


def test_post_without_csrf_token_is_refused(article, regular):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(regular)
    assert post_comment(client, article).status_code == 403
    assert not Comment.objects.filter(article=article).exists()


def test_anonymous_post_redirects_to_login_and_back_to_the_comments(client, article):
    response = post_comment(client, article)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={article.get_absolute_url()}%23comments" in response["Location"]
    assert not Comment.objects.exists()


def test_anonymous_htmx_post_gets_401(client, article):
    response = post_comment(client, article, headers=HTMX)
    assert response.status_code == 401
    assert "log in" in response.content.decode().lower()


# Replies ---------------------------------------------------------------------------------


def test_reply_to_a_reply_joins_the_top_level_thread(article, regular):
    root = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=root)
    answer = comment_create(article=article, user=regular, body="Indeed.", parent=reply)
    assert answer.parent_id == root.pk


def test_reply_to_a_comment_on_another_article_is_refused(client, article, regular):
    elsewhere = CommentFactory()
    client.force_login(regular)
    response = post_comment(client, article, parent=elsewhere.pk)
    assert response.status_code == 400
    assert not Comment.objects.filter(article=article).exists()


@pytest.mark.parametrize("status", ["pending", "hidden", "spam"])
def test_reply_to_a_comment_that_is_not_shown_is_refused(article, regular, status):
    root = CommentFactory(article=article, status=status)
    with pytest.raises(CommentError):
        comment_create(article=article, user=regular, body="Hmm.", parent=root)


def test_reply_with_a_malformed_parent_gives_400(client, article, regular):
    client.force_login(regular)
    assert post_comment(client, article, parent="abc").status_code == 400
    assert post_comment(client, article, parent="-3").status_code == 400


# Edit and delete -------------------------------------------------------------------------


def test_author_edits_within_the_window_and_it_shows_edited(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Frist!")
    client.force_login(regular)
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "First!"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First!"
    assert comment.edited_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "edited" in page and "First!" in page


def test_editing_after_fifteen_minutes_is_refused(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Old words.")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    client.force_login(regular)
    response = client.post(reverse("comments:edit", kwargs={"pk": comment.pk}), {"body": "New"})
    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old words."


def test_only_the_author_edits_or_deletes(client, article, regular):
    comment = CommentFactory(article=article)
    client.force_login(regular)
    assert (
        client.post(reverse("comments:edit", args=[comment.pk]), {"body": "X"}).status_code == 403
    )
    assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.deleted_at is None and comment.body != "X"


def test_an_edit_that_adds_links_goes_back_to_the_queue(article, regular, settings):
    settings.COMMENTS_MAX_LINKS = 1
    comment = comment_create(article=article, user=regular, body="Harmless.")
    article.refresh_from_db()
    assert article.comment_count == 1
    comment_edit(comment=comment, user=regular, body="Buy https://a.example https://b.example")
    article.refresh_from_db()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert article.comment_count == 0 == counted(article)


def test_edit_with_empty_or_too_long_text_gives_400(client, article, regular, settings):
    settings.COMMENTS_MAX_LENGTH = 20
    comment = comment_create(article=article, user=regular, body="Short.")
    client.force_login(regular)
    url = reverse("comments:edit", kwargs={"pk": comment.pk})
    assert client.post(url, {"body": " "}).status_code == 400
    assert client.post(url, {"body": "y" * 21}).status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Short."


def test_deleting_a_comment_with_replies_leaves_a_placeholder(client, article, regular):
    root = comment_create(article=article, user=regular, body="Start of a thread.")
    CommentFactory(article=article, parent=root, body="A reply that stays.")
    client.force_login(regular)
    response = client.post(reverse("comments:delete", kwargs={"pk": root.pk}))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Comment deleted" in page
    assert "Start of a thread." not in page
    assert "A reply that stays." in page
    article.refresh_from_db()
    assert article.comment_count == 1 == counted(article)


@pytest.mark.parametrize("status", ["hidden", "spam"])
def test_a_moderated_comment_with_replies_leaves_a_placeholder_so_every_count_shows(
    client, article, status
):
    root = CommentFactory(article=article, body="Offensive opening remark.")
    CommentFactory(article=article, parent=root, body="A measured reply.")
    lone = CommentFactory(article=article, body="Spam without replies.")
    comment_moderate(comments=[root, lone], status=status, moderator=None)

    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comment removed by a moderator" in page
    assert "Offensive opening remark." not in page
    assert "Spam without replies." not in page
    assert "A measured reply." in page
    assert f'id="comment-{lone.pk}"' not in page
    article.refresh_from_db()
    assert article.comment_count == 1 == counted(article)


def test_deleting_a_comment_without_replies_removes_it_from_the_page(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Regrettable.")
    client.force_login(regular)
    client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Regrettable." not in page
    assert "Comment deleted" not in page
    comment.refresh_from_db()
    assert comment.body == ""  # the author's words are gone, not just hidden
    comment_delete(comment=comment, user=regular)  # deleting twice is harmless
    article.refresh_from_db()
    assert article.comment_count == 0


# Reports ---------------------------------------------------------------------------------


def test_a_reader_reports_a_comment_once(client, article, regular):
    comment = CommentFactory(article=article)
    client.force_login(regular)
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    assert client.post(url, {"reason": "abuse"}).status_code == 302
    assert client.post(url, {"reason": "spam"}).status_code == 302
    assert Report.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_reporting_needs_a_known_reason_and_someone_elses_comment(client, article, regular):
    own = comment_create(article=article, user=regular, body="Mine.")
    other = CommentFactory(article=article)
    client.force_login(regular)
    assert (
        client.post(reverse("comments:report", args=[other.pk]), {"reason": "x"}).status_code
        == 400
    )
    assert client.post(reverse("comments:report", args=[other.pk]), {}).status_code == 400
    response = client.post(reverse("comments:report", args=[own.pk]), {"reason": "spam"})
    assert response.status_code == 403


def test_enough_reports_take_a_comment_back_to_the_queue(article, settings):
    settings.COMMENTS_REPORTS_TO_QUEUE = 3
    comment = CommentFactory(article=article)
    for _ in range(3):
        comment_report(comment=comment, user=UserFactory(), reason="abuse")
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert article.comment_count == 0 == counted(article)


# Rendering -------------------------------------------------------------------------------


def test_hostile_html_and_javascript_links_are_escaped(client, article):
    CommentFactory(
        article=article,
        body='<script>alert(1)</script> <a href="javascript:alert(2)">x</a> '
        'javascript:alert(3) <img src=x onerror=alert(4)> "quoted" rel="nofollow"',
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(4)&gt;" in page


def test_links_are_clickable_with_nofollow_ugc_noopener_and_lines_kept(client, article):
    CommentFactory(article=article, body="First line\nSee https://example.org/a?b=1&c=2 now")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "First line<br>See" in page
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>"
    ) in page


def test_anonymous_readers_see_comments_and_a_login_link_but_nothing_personal(client, article):
    CommentFactory(article=article, body="Public words.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Public words." in page
    assert "Log in to comment" in page
    login = reverse("account_login") + "?next=" + article.get_absolute_url()
    assert login + "%23comments" in page
    section = page[page.index('id="comments"') :]
    assert "csrfmiddlewaretoken" not in section
    assert 'name="body"' not in section
    assert "Vote up" not in section


def test_signed_in_reader_gets_the_form_with_counter_and_honeypot(client, article, regular):
    client.force_login(regular)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'name="body"' in page
    assert 'data-max-length="5000"' in page
    assert 'name="website"' in page and 'aria-hidden="true"' in page
    assert "js/comments.js" in page


def test_pending_comment_shows_to_its_author_and_moderators_only(
    client, article, user, staff_user
):
    comment_create(article=article, user=user, body="Waiting in line.")
    client.force_login(user)
    mine = client.get(article.get_absolute_url()).content.decode()
    assert "Waiting in line." in mine and "Awaiting moderation" in mine
    client.force_login(UserFactory())
    assert "Waiting in line." not in client.get(article.get_absolute_url()).content.decode()
    client.logout()
    assert "Waiting in line." not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(staff_user)
    assert "Waiting in line." in client.get(article.get_absolute_url()).content.decode()


def test_hidden_and_spam_comments_are_not_shown(client, article):
    CommentFactory(article=article, body="Visible one.")
    CommentFactory(article=article, body="Hidden one.", status="hidden")
    CommentFactory(article=article, body="Spam one.", status="spam")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Visible one." in page
    assert "Hidden one." not in page and "Spam one." not in page


def test_long_threads_are_paginated_newest_first(client, article, settings):
    settings.COMMENTS_PER_PAGE = 3
    comments = [CommentFactory(article=article, body=f"Thread {n:02d}.") for n in range(7)]
    first = client.get(article.get_absolute_url()).content.decode()
    assert "Thread 06." in first and "Thread 04." in first and "Thread 03." not in first
    assert "?cpage=2#comments" in first
    last = client.get(article.get_absolute_url() + "?cpage=3").content.decode()
    assert "Thread 00." in last and "Thread 01." not in last
    # A nonsense page number falls back to a real page rather than failing.
    assert client.get(article.get_absolute_url() + "?cpage=abc").status_code == 200
    # The permalink sends a reader to the page that holds the comment.
    response = client.get(reverse("comments:permalink", kwargs={"pk": comments[0].pk}))
    assert response["Location"].endswith(f"?cpage=3#comment-{comments[0].pk}")


def test_permalink_of_a_hidden_comment_is_404(client, article):
    comment = CommentFactory(article=article, status="hidden")
    assert client.get(reverse("comments:permalink", kwargs={"pk": comment.pk})).status_code == 404


# Post/Redirect/Get and htmx --------------------------------------------------------------


def test_plain_post_redirects_to_the_new_comment_with_a_message(client, article, regular):
    client.force_login(regular)
    response = post_comment(client, article, body="Redirect me.")
    comment = Comment.objects.get(body="Redirect me.")
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is posted." in page
    assert f'id="comment-{comment.pk}"' in page


def test_first_comment_redirect_says_it_awaits_moderation(client, article, user):
    client.force_login(user)
    response = post_comment(client, article, body="Hello, first time.")
    page = client.get(response["Location"]).content.decode()
    assert "once a moderator approves it" in page


def test_htmx_post_returns_the_new_comment_as_a_fragment(client, article, regular):
    client.force_login(regular)
    response = post_comment(client, article, body="In place.", headers=HTMX)
    comment = Comment.objects.get(body="In place.")
    text = response.content.decode()
    assert response.status_code == 201
    assert f'id="item-{comment.pk}"' in text and "In place." in text
    assert 'id="comments-count" data-hx-swap-oob="true">(1)</span>' in text
    assert "<html" not in text


def test_htmx_reply_returns_the_reply_fragment(client, article, regular):
    root = CommentFactory(article=article)
    client.force_login(regular)
    response = post_comment(client, article, body="Replying.", parent=root.pk, headers=HTMX)
    text = response.content.decode()
    assert response.status_code == 201
    assert 'class="thread__reply"' in text and "Replying." in text


def test_htmx_errors_are_short_fragments_with_the_right_status(client, article, regular):
    client.force_login(regular)
    response = post_comment(client, article, body="", headers=HTMX)
    assert response.status_code == 400
    assert response.content.decode().startswith('<p class="form-error" role="alert">')


def test_htmx_edit_and_delete_return_fragments(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Editable.")
    client.force_login(regular)
    edited = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Edited."}, **HTMX)
    assert edited.status_code == 200 and "Edited." in edited.content.decode()
    deleted = client.post(reverse("comments:delete", args=[comment.pk]), **HTMX)
    assert deleted.status_code == 200
    assert deleted["HX-Retarget"] == f"#item-{comment.pk}"


def test_htmx_report_answers_with_a_thank_you(client, article, regular):
    comment = CommentFactory(article=article)
    client.force_login(regular)
    response = client.post(
        reverse("comments:report", args=[comment.pk]), {"reason": "spam"}, **HTMX
    )
    assert "Thank you for the report" in response.content.decode()


# Query budget ----------------------------------------------------------------------------


def render_thread(article, user):
    request = RequestFactory().get(article.get_absolute_url())
    request.user = user
    template = Template("{% load comment_tags %}{% article_comments article %}")
    return template.render(Context({"article": article, "request": request}))


def fill_thread(article, roots: int, replies_each: int):
    users = [UserFactory() for _ in range(5)]
    for n in range(roots):
        root = CommentFactory(article=article, user=users[n % 5])
        for m in range(replies_each):
            CommentFactory(article=article, parent=root, user=users[(n + m + 1) % 5])


@pytest.mark.parametrize("roots, replies_each", [(1, 0), (30, 1)], ids=["1", "60"])
def test_comment_thread_renders_in_a_fixed_number_of_queries(
    article, regular, django_assert_max_num_queries, roots, replies_each
):
    fill_thread(article, roots, replies_each)
    article.refresh_from_db()
    with django_assert_max_num_queries(3):
        html = render_thread(article, None)
    assert html.count('class="comment') >= roots * (1 + replies_each)
    regular.refresh_from_db()
    with django_assert_max_num_queries(5):
        render_thread(article, regular)


def test_article_page_comment_queries_do_not_grow_with_comments(client, regular, settings):
    settings.COMMENTS_PER_PAGE = 100
    small, big = ArticleFactory(), ArticleFactory()
    fill_thread(small, 1, 0)
    fill_thread(big, 30, 1)
    client.force_login(regular)
    ours = []
    for article in (small, big):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(article.get_absolute_url()).content.decode()
        ours.append([q for q in queries if re.search(r"FROM \"(comments|votes)_", q["sql"])])
        assert page.count('class="comment"') == article.comments.count()
    # The rest of the page belongs to other parts, with their own budgets.
    assert len(ours[0]) == len(ours[1]) == 5


# Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_comment_count_stays_exact_under_concurrent_posting_and_moderation():
    article = ArticleFactory()
    trusted = [UserFactory() for _ in range(25)]
    for user in trusted:
        commenter_trust(user=user)
    newcomers = [UserFactory() for _ in range(25)]
    seeded = [CommentFactory(article=article) for _ in range(10)]

    def work(n):
        if n < 25:
            comment = comment_create(article=article, user=trusted[n], body=f"Trusted {n}")
            if n % 3 == 0:
                comment_delete(comment=comment, user=trusted[n])
        else:
            comment_create(article=article, user=newcomers[n - 25], body=f"New {n}")
            # Moderators race each other over the same seeded comments.
            status = ["hidden", "approved", "spam"][n % 3]
            comment_moderate(comments=seeded[n % 10 :], status=status, moderator=None)

    run_in_threads(50, work)
    pending = Comment.objects.filter(article=article, status="pending")
    comment_moderate(comments=pending, status="approved", moderator=None)
    article.refresh_from_db()
    fresh = Comment.objects.filter(article=article).aggregate(
        n=Count("pk", filter=Q(status="approved", deleted_at__isnull=True))
    )["n"]
    assert article.comment_count == fresh
    assert Comment.objects.filter(article=article).count() == 60


@pytest.mark.django_db(transaction=True)
def test_a_double_click_posts_one_comment():
    article = ArticleFactory()
    user = UserFactory()
    commenter_trust(user=user)
    outcomes = []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            comment_create(article=article, user=user, body="Only once, please.")
            outcomes.append("ok")
        except CommentDuplicate:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate"] * 7 + ["ok"]
    article.refresh_from_db()
    assert article.comment_count == 1


def test_link_count_matches_what_becomes_clickable():
    assert services.link_count("no links here") == 0
    assert services.link_count("https://a.example and www.b.example and example.com") == 3
    assert services.link_count("javascript:alert(1)") == 0


def test_anonymous_article_page_with_comments_stays_cacheable(client, article):
    CommentFactory(article=article)
    response = client.get(article.get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_a_newly_approved_comment_reaches_anonymous_readers_when_the_cached_copy_expires(
    client, article
):
    from django.core.cache import cache

    client.get(article.get_absolute_url())  # cached without the comment
    waiting = comment_create(article=article, user=UserFactory(), body="Approved later.")
    comment_moderate(comments=[waiting], status="approved", moderator=None)
    # Within PAGE_CACHE_SECONDS the shared copy may be stale: that is the agreed bound.
    assert "Approved later." not in client.get(article.get_absolute_url()).content.decode()
    cache.clear()  # what the page cache's expiry does after PAGE_CACHE_SECONDS
    assert "Approved later." in client.get(article.get_absolute_url()).content.decode()


def test_editing_is_refused_once_comments_are_closed(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Before closing.")
    Article.objects.filter(pk=article.pk).update(comments_mode=Article.Comments.CLOSED)
    client.force_login(regular)
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "After."})
    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()


def test_moderators_follow_the_permalink_of_a_hidden_comment(client, article, staff_user):
    comment = CommentFactory(article=article, status="hidden")
    client.force_login(staff_user)
    response = client.get(reverse("comments:permalink", kwargs={"pk": comment.pk}))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")


def test_rate_limited_htmx_post_gets_a_429_fragment(client, article, regular, settings):
    settings.RATELIMITS = {"comments-user": (1, 60)}
    client.force_login(regular)
    assert post_comment(client, article, body="One.", headers=HTMX).status_code == 201
    response = post_comment(client, article, body="Two.", headers=HTMX)
    assert response.status_code == 429
    assert response.content.decode().startswith('<p class="form-error" role="alert">')
