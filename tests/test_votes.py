"""Up/down votes on comments. Readers may not vote on their own comments: a score says what
others think of a comment, and self-votes would only add noise."""

import threading

import pytest
from django.db import IntegrityError, connection
from django.db.models import Sum
from django.urls import reverse

from comments.models import Comment
from comments.services import commenter_ban
from tests.comment_helpers import HTMX
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, CommentFactory, UserFactory, VoteFactory
from votes.models import Vote
from votes.services import VoteError, comment_vote_cast


@pytest.fixture
def comment(article):
    return CommentFactory(article=article)


def vote(client, comment, value, **extra):
    return client.post(reverse("votes:vote", kwargs={"pk": comment.pk}), {"value": value}, **extra)


def score(comment) -> int:
    return Comment.objects.get(pk=comment.pk).score


def test_an_up_vote_counts_one(comment, user):
    result = comment_vote_cast(user=user, comment=comment, value=1)
    assert (result.score, result.value) == (1, 1)
    assert score(comment) == 1


def test_voting_the_same_way_again_withdraws_the_vote(comment, user):
    comment_vote_cast(user=user, comment=comment, value=-1)
    result = comment_vote_cast(user=user, comment=comment, value=-1)
    assert (result.score, result.value) == (0, 0)
    assert not Vote.objects.filter(comment=comment).exists()


def test_switching_moves_the_vote(comment, user):
    comment_vote_cast(user=user, comment=comment, value=1)
    result = comment_vote_cast(user=user, comment=comment, value=-1)
    assert (result.score, result.value) == (-1, -1)
    assert Vote.objects.get(comment=comment, user=user).value == -1


def test_readers_cannot_vote_on_their_own_comment(client, comment):
    client.force_login(comment.user)
    response = vote(client, comment, "up")
    assert response.status_code == 403
    assert "your own comment" in response.content.decode()
    assert score(comment) == 0


@pytest.mark.parametrize("value", ["", "0", "2", "-2", "sideways", "1.5"])
def test_a_vote_that_is_neither_up_nor_down_gives_400(client, comment, user, value):
    client.force_login(user)
    assert vote(client, comment, value).status_code == 400
    assert score(comment) == 0


def test_the_database_refuses_other_values_and_a_second_row(comment, user):
    with pytest.raises(IntegrityError):
        VoteFactory(comment=comment, user=user, value=5)


def test_the_database_refuses_a_second_vote_row(comment, user):
    VoteFactory(comment=comment, user=user, value=1)
    with pytest.raises(IntegrityError):
        VoteFactory(comment=comment, user=user, value=-1)


@pytest.mark.parametrize("status", ["pending", "hidden", "spam"])
def test_comments_that_are_not_shown_take_no_votes(article, user, status):
    comment = CommentFactory(article=article, status=status)
    with pytest.raises(VoteError):
        comment_vote_cast(user=user, comment=comment, value=1)


def test_banned_readers_cannot_vote(client, comment, user):
    commenter_ban(user=user)
    client.force_login(user)
    assert vote(client, comment, "up").status_code == 403


def test_votes_on_a_comment_of_an_unpublished_article_give_404(client, user):
    draft = ArticleFactory(status="draft", published_at=None)
    comment = CommentFactory(article=draft)
    client.force_login(user)
    assert vote(client, comment, "up").status_code == 404
    assert (
        client.post(reverse("votes:vote", kwargs={"pk": 999999}), {"value": "up"}).status_code
        == 404
    )


def test_anonymous_vote_redirects_to_login_and_htmx_gets_401(client, comment):
    response = vote(client, comment, "up")
    assert response.status_code == 302
    assert f"next={comment.article.get_absolute_url()}%23comments" in response["Location"]
    assert vote(client, comment, "up", **HTMX).status_code == 401
    assert score(comment) == 0


def test_get_is_not_allowed(client, comment, user):
    client.force_login(user)
    assert client.get(reverse("votes:vote", kwargs={"pk": comment.pk})).status_code == 405


def test_plain_vote_redirects_back_to_the_comment_with_a_message(client, comment, user):
    client.force_login(user)
    response = vote(client, comment, "up")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Your vote is counted." in page
    assert 'aria-pressed="true"' in page


def test_htmx_vote_returns_the_updated_widget(client, comment, user):
    client.force_login(user)
    response = vote(client, comment, "down", **HTMX)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.startswith('<form class="vote"')
    assert '<span class="vote__score" aria-live="polite">-1' in text
    assert 'value="down" class="vote__button vote__button--down" aria-pressed="true"' in text


def test_too_many_votes_a_minute_get_429(client, comment, user, settings):
    settings.RATELIMITS = {"comment-votes": (3, 60)}
    client.force_login(user)
    codes = [vote(client, comment, "up").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert score(comment) == 1  # up, withdrawn, up


def test_anonymous_page_shows_scores_but_no_vote_buttons(client, comment, user):
    comment_vote_cast(user=user, comment=comment, value=1)
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert '<span class="vote__score">1' in page
    assert "votes/comment/" not in page


@pytest.mark.django_db(transaction=True)
def test_scores_stay_exact_when_fifty_readers_vote_at_once():
    article = ArticleFactory()
    comments = [CommentFactory(article=article) for _ in range(3)]
    voters = [UserFactory() for _ in range(50)]

    def work(n):
        for i, comment in enumerate(comments):
            comment_vote_cast(user=voters[n], comment=comment, value=1 if (n + i) % 3 else -1)
        # Some change their minds, some withdraw.
        if n % 4 == 0:
            comment_vote_cast(user=voters[n], comment=comments[0], value=-1)
        if n % 5 == 0:
            comment_vote_cast(user=voters[n], comment=comments[1], value=1)

    run_in_threads(50, work)
    for comment in comments:
        fresh = Vote.objects.filter(comment=comment).aggregate(s=Sum("value"))["s"] or 0
        assert score(comment) == fresh
    assert Vote.objects.filter(comment=comments[2]).count() == 50


@pytest.mark.django_db(transaction=True)
def test_one_readers_simultaneous_clicks_leave_at_most_one_vote():
    comment = CommentFactory()
    user = UserFactory()
    barrier = threading.Barrier(6)
    errors = []

    def work():
        try:
            barrier.wait()
            comment_vote_cast(user=user, comment=comment, value=1)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = Vote.objects.filter(comment=comment).count()
    assert rows <= 1
    assert rows == 0  # six clicks, one after the other: up, withdraw, up, withdraw, ...
    assert score(comment) == 0
