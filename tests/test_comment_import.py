"""`comment_import`: comments another site approved arrive approved and counted exactly once;
re-importing never undoes what a moderator decided here."""

from datetime import UTC, datetime

import pytest

from articles.models import Article
from comments.models import Comment
from comments.services import (
    CommentError,
    comment_delete,
    comment_import,
    comment_moderate,
    commenter_ban,
)
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTED = datetime(2019, 5, 1, 12, 30, tzinfo=UTC)


def counted(article) -> int:
    return Comment.objects.counted().filter(article=article).count()


def count_of(article) -> int:
    return Article.objects.values_list("comment_count", flat=True).get(pk=article.pk)


def test_a_new_imported_comment_is_approved_and_counted_once(article, user):
    comment = comment_import(article=article, user=user, body="  From the old site.\r\n")
    assert comment.status == Comment.Status.APPROVED
    assert comment.body == "From the old site."
    assert count_of(article) == 1 == counted(article)


def test_import_skips_the_live_posting_rules(user):
    """Closed comments, a banned or brand-new reader and a repeated text do not stop it."""
    article = ArticleFactory(comments_mode=Article.Comments.CLOSED)
    commenter_ban(user=user)
    for _ in range(2):
        comment_import(article=article, user=user, body="Same words twice.")
    assert count_of(article) == 2 == counted(article)


def test_the_original_date_is_kept(article, user):
    comment = comment_import(article=article, user=user, body="Old news.", created_at=POSTED)
    assert comment.created_at == POSTED
    assert Comment.objects.get(pk=comment.pk).created_at == POSTED


def test_a_reply_to_a_reply_joins_the_thread(article, user):
    root = comment_import(article=article, user=user, body="Root.")
    reply = comment_import(article=article, user=user, body="Reply.", parent=root)
    deeper = comment_import(article=article, user=user, body="Deeper.", parent=reply)
    assert reply.parent == root
    assert deeper.parent == root


def test_a_reply_on_another_article_is_refused(article, user):
    elsewhere = CommentFactory()
    with pytest.raises(CommentError, match="same article"):
        comment_import(article=article, user=user, body="Reply.", parent=elsewhere)
    assert count_of(article) == 0


def test_an_empty_comment_is_refused(article, user):
    with pytest.raises(CommentError, match="needs some text"):
        comment_import(article=article, user=user, body=" \n ")
    assert not Comment.objects.exists()


def test_re_importing_updates_the_text_without_counting_again(article, user):
    comment = comment_import(article=article, user=user, body="First version.")
    again = comment_import(article=article, user=user, body="Second version.", existing=comment)
    assert again.pk == comment.pk
    assert Comment.objects.get(pk=comment.pk).body == "Second version."
    assert count_of(article) == 1 == counted(article)


@pytest.mark.parametrize("decision", [Comment.Status.HIDDEN, Comment.Status.SPAM])
def test_re_importing_leaves_a_moderators_decision_alone(article, user, decision):
    comment = comment_import(article=article, user=user, body="Rude words.")
    comment_import(article=article, user=user, body="Keeps me counted.")
    comment_moderate(comments=[comment], status=decision, moderator=None)
    again = comment_import(article=article, user=user, body="Rude words!", existing=comment)
    assert again.status == decision
    assert Comment.objects.get(pk=comment.pk).status == decision
    assert count_of(article) == 1 == counted(article)


def test_re_importing_leaves_a_comment_in_the_queue_there(article, user):
    comment = comment_import(article=article, user=user, body="Reported a lot.")
    comment_moderate(comments=[comment], status=Comment.Status.PENDING, moderator=None)
    comment_import(article=article, user=user, body="Reported a lot.", existing=comment)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
    assert count_of(article) == 0 == counted(article)


def test_re_importing_a_comment_its_author_deleted_keeps_it_deleted(article, user):
    comment = comment_import(article=article, user=user, body="Regret this.")
    comment_delete(comment=comment, user=user)
    comment_import(article=article, user=user, body="Regret this.", existing=comment)
    comment.refresh_from_db()
    assert comment.is_deleted
    assert comment.body == ""
    assert count_of(article) == 0 == counted(article)


def test_re_importing_can_move_a_comment_into_a_thread_with_its_replies(article, user):
    first = comment_import(article=article, user=user, body="First.")
    second = comment_import(article=article, user=user, body="Second.")
    reply = comment_import(article=article, user=user, body="Reply.", parent=second)
    comment_import(article=article, user=user, body="Second.", parent=first, existing=second)
    second.refresh_from_db()
    reply.refresh_from_db()
    assert second.parent == first
    assert reply.parent == first  # still one level deep
    assert count_of(article) == 3 == counted(article)


def test_a_comment_cannot_be_re_imported_as_a_reply_to_its_own_reply(article, user):
    root = comment_import(article=article, user=user, body="Root.")
    reply = comment_import(article=article, user=user, body="Reply.", parent=root)
    with pytest.raises(CommentError, match="reply to itself"):
        comment_import(article=article, user=user, body="Root.", parent=reply, existing=root)
    assert Comment.objects.get(pk=root.pk).parent is None


def test_a_re_imported_comment_cannot_move_to_another_article(article, user):
    comment = comment_import(article=article, user=user, body="Here.")
    other = ArticleFactory()
    with pytest.raises(CommentError, match="another article"):
        comment_import(article=other, user=user, body="Here.", existing=comment)
    assert count_of(article) == 1 == counted(article)
    assert count_of(other) == 0


@pytest.mark.django_db(transaction=True)
def test_re_imports_racing_a_moderator_keep_the_count_exact():
    article = ArticleFactory()
    user = UserFactory()
    rows = [comment_import(article=article, user=user, body=f"Comment {n}.") for n in range(6)]

    def work(index):
        comment = rows[index // 2]
        if index % 2:
            comment_moderate(comments=[comment], status=Comment.Status.HIDDEN, moderator=None)
        else:
            comment_import(article=article, user=user, body="Again.", existing=comment)

    run_in_threads(len(rows) * 2, work)
    assert not Comment.objects.filter(status=Comment.Status.APPROVED).exists()
    assert count_of(article) == 0 == counted(article)


def test_comments_import_brings_a_whole_thread_in_three_statements():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comments.services import ImportedComment, comments_import

    article = ArticleFactory()
    user = UserFactory()
    dates = [datetime(2024, 3, day, 9, 0, tzinfo=UTC) for day in (1, 2, 3)]
    with CaptureQueriesContext(connection) as queries:
        first, reply, reply_to_reply = comments_import(
            article=article,
            comments=[
                ImportedComment(user=user, body=" Thread ", created_at=dates[0]),
                ImportedComment(user=user, body="Reply", created_at=dates[1], parent=0),
                ImportedComment(user=user, body="Deeper", created_at=dates[2], parent=1),
            ],
        )
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert len(writes) == 3
    rows = {c.pk: c for c in Comment.objects.filter(article=article)}
    assert rows[first.pk].body == "Thread" and rows[first.pk].parent_id is None
    # Threads are one level deep: a reply to a reply joins the thread.
    assert rows[reply.pk].parent_id == rows[reply_to_reply.pk].parent_id == first.pk
    assert [rows[c.pk].created_at for c in (first, reply, reply_to_reply)] == dates
    assert all(c.status == Comment.Status.APPROVED for c in rows.values())
