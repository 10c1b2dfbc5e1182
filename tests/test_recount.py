"""`manage.py recount`: every denormalised counter recomputed from its rows, drift reported
(issue 11, defect 10)."""

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from comments.models import Comment
from comments.services import comment_moderate, comment_report
from polls.models import PollChoice
from polls.services import poll_vote_cast
from ratings.services import rating_set
from tests.concurrency import run_in_threads
from tests.counter_checks import counter_mismatches
from tests.factories import ArticleFactory, CommentFactory, PollFactory, UserFactory
from upkeep.recount import counters_recount
from votes.services import VoteError, comment_vote_cast

pytestmark = pytest.mark.django_db


def engaged_article():
    """An article with ratings, comments with votes and a report, and a poll, all counted
    by the services."""
    article = ArticleFactory()
    poll = PollFactory(article=article, answers=["Yes", "No"])
    readers = [UserFactory() for _ in range(3)]
    comments = [CommentFactory(article=article, user=reader) for reader in readers]
    for index, reader in enumerate(readers):
        rating_set(article=article, user=reader, stars=index + 2)
        poll_vote_cast(poll=poll, choice=poll.choices.all()[index % 2], user=reader)
        comment_vote_cast(user=reader, comment=comments[index - 1], value=1)
    comment_report(comment=comments[0], user=readers[1], reason="spam")
    return article


def drift(table, column, pk, by):
    """A raw UPDATE, as a bug or a hand-edit in psql would make."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {column} + %s WHERE id = %s", [by, pk])  # noqa: S608


def recount(*args) -> str:
    out = StringIO()
    call_command("recount", *args, stdout=out)
    return out.getvalue()


def test_exact_counters_are_left_alone_and_reported_exact():
    engaged_article()
    output = recount()
    assert "Every counter is exact." in output
    assert "articles.Article.rating_count: exact" in output
    assert "polls.PollChoice.vote_count: exact" in output
    assert "Every counter is exact." in recount("--check")


def test_recount_fixes_drift_made_by_raw_updates_and_says_how_much():
    article, other = engaged_article(), engaged_article()
    comment = Comment.objects.filter(article=article).first()
    choice = PollChoice.objects.filter(poll__article=article).first()
    drift("articles_article", "rating_count", article.pk, 3)
    drift("articles_article", "rating_count", other.pk, -1)
    drift("articles_article", "rating_sum", article.pk, 10)
    drift("articles_article", "comment_count", other.pk, 7)
    drift("comments_comment", "score", comment.pk, -4)
    drift("comments_comment", "report_count", comment.pk, 2)
    drift("polls_pollchoice", "vote_count", choice.pk, 5)
    assert len(counter_mismatches()) == 7

    output = recount("--batch-size", "1").splitlines()
    assert output == [
        "articles.Article.rating_count: 2 row(s) fixed, total drift 4 (net +2)",
        "articles.Article.rating_sum: 1 row(s) fixed, total drift 10 (net +10)",
        "articles.Article.comment_count: 1 row(s) fixed, total drift 7 (net +7)",
        "comments.Comment.report_count: 1 row(s) fixed, total drift 2 (net +2)",
        "comments.Comment.score: 1 row(s) fixed, total drift 4 (net -4)",
        "polls.PollChoice.vote_count: 1 row(s) fixed, total drift 5 (net +5)",
        "7 counter value(s) fixed.",
    ]
    assert counter_mismatches() == []
    assert "Every counter is exact." in recount()


def test_check_reports_drift_changes_nothing_and_fails():
    article = engaged_article()
    drift("articles_article", "comment_count", article.pk, 2)
    with pytest.raises(CommandError) as refused:
        recount("--check")
    assert refused.value.returncode == 1
    assert "1 counter value(s) have drifted." in str(refused.value)
    assert Article.objects.get(pk=article.pk).comment_count == 5


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        recount("--batch-size", "0")


@pytest.mark.django_db(transaction=True)
def test_recount_while_readers_write_finds_only_real_drift_and_ends_exact():
    article, quiet = engaged_article(), engaged_article()
    poll = article.polls.get()
    choices = list(poll.choices.all())
    comments = list(Comment.objects.filter(article=article))
    readers = [UserFactory() for _ in range(6)]
    # Real drift, on the article being written to and on one nobody writes to: the only
    # drift recount may find, to the unit, however the writes interleave with it.
    drift("articles_article", "rating_sum", article.pk, 3)
    drift("articles_article", "comment_count", article.pk, 2)
    drift("articles_article", "rating_count", quiet.pk, 2)
    found = []

    def work(index):
        if index == 0:
            for _ in range(6):
                found.extend(counters_recount(batch_size=2))
            return
        reader = readers[index - 1]
        for round_ in range(6):
            rating_set(article=article, user=reader, stars=1 + (index + round_) % 5)
            poll_vote_cast(poll=poll, choice=choices[round_ % 2], user=reader)
            with contextlib.suppress(VoteError):  # the comment may be hidden just now
                comment_vote_cast(user=reader, comment=comments[round_ % 3], value=1)
            status = ("hidden", "approved")[round_ % 2]
            comment_moderate(comments=[comments[index % 3]], status=status, moderator=None)

    run_in_threads(7, work)
    assert counter_mismatches() == []
    assert sorted((d.counter, d.rows, d.net) for d in found if d.rows) == [
        ("articles.Article.comment_count", 1, 2),
        ("articles.Article.rating_count", 1, 2),
        ("articles.Article.rating_sum", 1, 3),
    ]
