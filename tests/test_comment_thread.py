"""The comment thread on the article page: rendering, htmx answers, query budget, caching."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_create, comment_moderate
from tests.comment_helpers import HTMX, post_comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

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


def test_moderators_follow_the_permalink_of_a_hidden_comment(client, article, staff_user):
    comment = CommentFactory(article=article, status="hidden")
    client.force_login(staff_user)
    response = client.get(reverse("comments:permalink", kwargs={"pk": comment.pk}))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")


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
    # Anonymous, not cached yet: the thread's digest (its piece's key), the page with the
    # count, the replies.
    with django_assert_max_num_queries(3):
        html = render_thread(article, None)
    assert html.count('class="comment') >= roots * (1 + replies_each)
    with django_assert_max_num_queries(1):  # cached: the digest only
        assert render_thread(article, None) == html
    regular.refresh_from_db()
    with django_assert_max_num_queries(4):
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
    # The rest of the page belongs to other parts, with their own budgets. (The fifth is
    # the story's own statement, which brings the thread's digest.)
    assert len(ours[0]) == len(ours[1]) == 5


def test_anonymous_article_page_with_comments_stays_cacheable(client, article):
    CommentFactory(article=article)
    response = client.get(article.get_absolute_url())
    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_a_newly_approved_comment_reaches_anonymous_readers_when_the_cached_copy_expires(
    client, article
):
    from django.core.cache import cache

    from articles.page_copies import page_copies

    client.get(article.get_absolute_url())  # cached without the comment
    waiting = comment_create(article=article, user=UserFactory(), body="Approved later.")
    comment_moderate(comments=[waiting], status="approved", moderator=None)
    # Within PAGE_CACHE_SECONDS the shared copy may be stale: that is the agreed bound.
    assert "Approved later." not in client.get(article.get_absolute_url()).content.decode()
    # What the page cache's expiry does after PAGE_CACHE_SECONDS, here and in the cache:
    cache.clear()
    page_copies.forget()
    assert "Approved later." in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("asked", [None, "1", "2", "3", "9", "0", "-1", "two", "2.5"])
def test_the_counted_page_is_the_page_django_would_give(article, settings, asked):
    from django.core.paginator import Paginator

    from comments.selectors import counted_page, thread_roots

    settings.COMMENTS_PER_PAGE = 4
    fill_thread(article, 10, 1)
    roots = thread_roots(article, None)
    ours, djangos = counted_page(roots, asked), Paginator(roots, 4).get_page(asked)
    assert (ours.number, ours.paginator.count, ours.paginator.num_pages) == (
        djangos.number,
        djangos.paginator.count,
        djangos.paginator.num_pages,
    )
    assert [c.pk for c in ours] == [c.pk for c in djangos]


def test_the_first_page_of_a_thread_is_one_query_with_its_count(
    article, django_assert_num_queries
):
    from comments.selectors import counted_page, thread_roots

    fill_thread(article, 3, 0)
    with django_assert_num_queries(2):  # the page with the count, and the replies
        page = counted_page(thread_roots(article, None), None)
        assert (page.paginator.count, len(page.object_list)) == (3, 3)
    empty = ArticleFactory()
    with django_assert_num_queries(1):
        page = counted_page(thread_roots(empty, None), "1")
        assert (page.paginator.count, list(page), page.paginator.num_pages) == (0, [], 1)
