"""Deleting users, articles, polls and answers, by every path the admin offers, leaves every
denormalised counter equal to a fresh aggregate of its rows (issue 11, defect 10)."""

from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from articles.models import Article
from comments.models import Comment
from comments.services import comment_report
from polls.models import Poll, PollChoice, PollVote
from polls.services import poll_vote_cast
from ratings.models import Rating
from ratings.services import rating_set
from tests.concurrency import run_in_threads
from tests.counter_checks import counter_mismatches
from tests.factories import ArticleFactory, CommentFactory, PollFactory, UserFactory
from votes.models import Vote
from votes.services import comment_vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """Two readers who rated two articles, answered a poll, commented, voted on each
    other's comments, and one of whom reported the other's comment."""
    first, second = ArticleFactory(), ArticleFactory()
    doomed, other = UserFactory(), UserFactory()
    poll = PollFactory(article=first, answers=["Yes", "No"])
    yes, no = poll.choices.order_by("position")
    for reader, stars, choice in ((doomed, 5, yes), (other, 2, no)):
        rating_set(article=first, user=reader, stars=stars)
        rating_set(article=second, user=reader, stars=stars)
        poll_vote_cast(poll=poll, choice=choice, user=reader)
    theirs = CommentFactory(article=first, user=doomed)
    others = CommentFactory(article=first, user=other)
    comment_vote_cast(user=doomed, comment=others, value=1)
    comment_vote_cast(user=other, comment=theirs, value=-1)
    comment_report(comment=others, user=doomed, reason="spam")
    assert counter_mismatches() == []
    return SimpleNamespace(
        first=first, second=second, doomed=doomed, other=other, poll=poll, yes=yes, no=no,
        theirs=theirs, others=others,
    )  # fmt: skip


def assert_doomed_is_forgotten(world):
    assert not User.objects.filter(pk=world.doomed.pk).exists()
    assert counter_mismatches() == []
    first = Article.objects.get(pk=world.first.pk)
    assert (first.rating_count, first.rating_sum, first.comment_count) == (1, 2, 2)
    assert PollChoice.objects.get(pk=world.yes.pk).vote_count == 0
    assert PollChoice.objects.get(pk=world.no.pk).vote_count == 1
    others = Comment.objects.get(pk=world.others.pk)
    # Their comment and their vote outlive the account; their report does not.
    assert (others.report_count, others.score) == (0, 1)
    assert Comment.objects.get(pk=world.theirs.pk).user is None


def test_user_delete_takes_their_ratings_poll_votes_and_reports_out_of_the_counters(world):
    world.doomed.delete()
    assert_doomed_is_forgotten(world)


def test_deleting_users_as_a_queryset_moves_the_counters_for_each(world):
    User.objects.filter(pk__in=[world.doomed.pk, world.other.pk]).delete()
    assert counter_mismatches() == []
    first = Article.objects.get(pk=world.first.pk)
    assert (first.rating_count, first.rating_sum) == (0, 0)
    assert list(world.poll.choices.values_list("vote_count", flat=True)) == [0, 0]


def test_the_auth_admins_delete_page_keeps_the_counters_exact(client, staff_user, world):
    client.force_login(staff_user)
    url = reverse("admin:accounts_user_delete", args=[world.doomed.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert_doomed_is_forgotten(world)


def test_the_auth_admins_bulk_delete_action_keeps_the_counters_exact(client, staff_user, world):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [world.doomed.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert_doomed_is_forgotten(world)


@pytest.mark.parametrize("how", ["page", "action"])
def test_deleting_an_article_in_the_admin_leaves_the_other_counters_exact(
    client, staff_user, world, how
):
    client.force_login(staff_user)
    if how == "page":
        url = reverse("admin:articles_article_delete", args=[world.first.pk])
        response = client.post(url, {"post": "yes"})
    else:
        response = client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [world.first.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=world.first.pk).exists()
    assert not Comment.objects.filter(article=world.first.pk).exists()
    assert counter_mismatches() == []
    second = Article.objects.get(pk=world.second.pk)
    assert (second.rating_count, second.rating_sum) == (2, 7)


def test_deleting_a_poll_in_the_admin_or_one_of_its_answers_keeps_the_counts_exact(
    editor_client, world
):
    world.yes.delete()  # what the poll form's inline does for a ticked "delete"
    assert list(world.poll.choices.values_list("vote_count", flat=True)) == [1]
    assert PollVote.objects.filter(poll=world.poll).count() == 1
    assert counter_mismatches() == []
    url = reverse("admin:polls_poll_delete", args=[world.poll.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Poll.objects.exists()
    assert counter_mismatches() == []


def test_counted_rows_cannot_be_deleted_one_by_one_in_the_admin(client, staff_user, world):
    """Comments are hidden, not deleted; ratings and votes change only through their
    services: even a superuser has no delete page or action that would bypass them."""
    client.force_login(staff_user)
    comment_delete = reverse("admin:comments_comment_delete", args=[world.others.pk])
    assert client.post(comment_delete, {"post": "yes"}).status_code == 403
    rating = Rating.objects.filter(user=world.other).first()
    rating_delete = reverse("admin:ratings_rating_delete", args=[rating.pk])
    assert client.post(rating_delete, {"post": "yes"}).status_code == 403
    for page, delete in (
        (reverse("admin:comments_comment_change", args=[world.others.pk]), comment_delete),
        (reverse("admin:ratings_rating_change", args=[rating.pk]), rating_delete),
    ):
        assert delete not in client.get(page).content.decode()  # no link to a refusal
    changelist = client.get(reverse("admin:comments_comment_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [world.others.pk], "post": "yes"},
    )
    assert Comment.objects.filter(pk=world.others.pk).exists()
    assert Vote not in admin.site._registry and PollVote not in admin.site._registry
    assert counter_mismatches() == []


def test_a_counter_that_had_drifted_low_does_not_stop_a_user_being_deleted(world):
    Article.objects.filter(pk=world.first.pk).update(rating_count=0, rating_sum=0)
    PollChoice.objects.filter(pk=world.yes.pk).update(vote_count=0)
    world.doomed.delete()
    first = Article.objects.get(pk=world.first.pk)
    assert (first.rating_count, first.rating_sum) == (0, 0)  # left for recount to fix
    assert PollChoice.objects.get(pk=world.yes.pk).vote_count == 0


@pytest.mark.django_db(transaction=True)
def test_users_deleted_while_others_rate_and_vote_leave_every_counter_exact():
    article = ArticleFactory()
    poll = PollFactory(article=article, answers=["Yes", "No"])
    choices = list(poll.choices.order_by("position"))
    leaving = [UserFactory() for _ in range(4)]
    staying = [UserFactory() for _ in range(4)]
    for index, reader in enumerate(leaving + staying):
        rating_set(article=article, user=reader, stars=1 + index % 5)
        poll_vote_cast(poll=poll, choice=choices[index % 2], user=reader)

    def work(index):
        if index % 2:
            User.objects.get(pk=leaving[index // 2].pk).delete()
            return
        reader = staying[index // 2]
        for round_ in range(5):
            rating_set(article=article, user=reader, stars=1 + (index + round_) % 5)
            poll_vote_cast(poll=poll, choice=choices[round_ % 2], user=reader)

    run_in_threads(8, work)
    assert counter_mismatches() == []
    article.refresh_from_db()
    assert article.rating_count == 4
    assert sum(c.vote_count for c in poll.choices.all()) == 4
