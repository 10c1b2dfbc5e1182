"""Posting comments and replies: who may post where, what input is refused, rate limits, races."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment
from comments.services import (
    CommentDuplicate,
    CommentError,
    CommentForbidden,
    comment_create,
    comment_delete,
    comment_moderate,
    commenter_ban,
    commenter_trust,
)
from tests.comment_helpers import HTMX, counted, post_comment
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, CommentFactory, UserFactory

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


def test_link_count_matches_what_becomes_clickable():
    assert services.link_count("no links here") == 0
    assert services.link_count("https://a.example and www.b.example and example.com") == 3
    assert services.link_count("javascript:alert(1)") == 0


def test_rate_limited_htmx_post_gets_a_429_fragment(client, article, regular, settings):
    settings.RATELIMITS = {"comments-user": (1, 60)}
    client.force_login(regular)
    assert post_comment(client, article, body="One.", headers=HTMX).status_code == 201
    response = post_comment(client, article, body="Two.", headers=HTMX)
    assert response.status_code == 429
    assert response.content.decode().startswith('<p class="form-error" role="alert">')


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


def test_a_comment_from_an_account_deleted_meanwhile_is_refused_and_counts_nothing(article):
    user = UserFactory()
    services.comment_create(article=article, user=user, body="My first word on this.")
    user_id = user.pk
    get_user_model().objects.filter(pk=user_id).delete()  # another request deleted it
    user.pk = user_id  # the request still holds the user it loaded

    with pytest.raises(services.CommentForbidden, match="no longer exists"):
        services.comment_create(article=article, user=user, body="And my last.")

    article.refresh_from_db()
    assert article.comment_count == Comment.objects.counted().filter(article=article).count()
