"""The importer against what real exports hold: bad dates and replies to replies.

A bad date skips its item with a reason (never "today", never a crash of the whole import);
every reply stays in its thread, whatever order or dates the export gives it.
"""

import random
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from comments.models import Comment
from tests.wxr import ZERO, comment, export, post

pytestmark = pytest.mark.django_db


def run(path) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def thread(article: Article) -> dict[str, list[str]]:
    """Each top-level comment's text and its replies' texts, in the order shown."""
    roots = Comment.objects.filter(article=article, parent=None)
    return {
        root.body: list(root.replies.order_by("created_at", "id").values_list("body", flat=True))
        for root in roots
    }


def counted(article: Article) -> tuple[int, int]:
    article.refresh_from_db()
    return article.comment_count, Comment.objects.counted().filter(article=article).count()


# Dates ----------------------------------------------------------------------------------


BAD_DATES = [
    pytest.param("0001-01-01 00:00:00", None, "post_date_gmt 0001-01-01 00:00:00 is out of range"),
    pytest.param("9999-12-31 23:59:59", None, "post_date_gmt 9999-12-31 23:59:59 is out of range"),
    pytest.param("2024-02-30 10:00:00", None, "post_date_gmt “2024-02-30 10:00:00” is not a date"),
    pytest.param("last Tuesday", None, "post_date_gmt “last Tuesday” is not a date"),
    pytest.param("2024-03-14 09:30:00", "garbage", "post_date_gmt “garbage” is not a date"),
    pytest.param("0001-01-01 00:00:00", ZERO, "post_date 0001-01-01 00:00:00 is out of range"),
    pytest.param(ZERO, ZERO, "it has no date"),
    pytest.param("", "", "it has no date"),
]


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(("date", "gmt", "reason"), BAD_DATES)
def test_a_post_with_a_bad_date_is_skipped_with_the_reason(
    settings, tmp_path, zone, date, gmt, reason
):
    settings.TIME_ZONE = zone
    output = run(export(tmp_path, post(20, date=date, gmt=gmt), post(21)))
    assert f"post 20 “Story 20”: {reason}" in output
    assert list(Article.objects.values_list("title", flat=True)) == ["Story 21"]


def test_a_bad_date_never_becomes_today(tmp_path):
    run(export(tmp_path, post(22, date=ZERO), post(23, status="future", date="garbage")))
    assert not Article.objects.exists()


def test_a_wordpress_draft_without_a_utc_date_comes_in_as_a_draft(tmp_path):
    """WordPress leaves post_date_gmt at zero until a post is published or scheduled."""
    run(export(tmp_path, post(24, status="draft", date="2024-03-17 10:00:00", gmt=ZERO)))
    draft = Article.objects.get(title="Story 24")
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at is None


def test_a_draft_needs_no_date_at_all(tmp_path):
    run(export(tmp_path, post(25, status="pending", date=ZERO)))
    assert Article.objects.get(title="Story 25").status == Article.Status.REVIEW


def test_a_published_post_with_only_a_local_date_uses_it_in_the_site_time_zone(settings, tmp_path):
    settings.TIME_ZONE = "Europe/London"
    run(export(tmp_path, post(26, date="2024-07-01 09:30:00", gmt=ZERO)))
    article = Article.objects.get(slug="story-26")
    assert article.published_at == datetime(2024, 7, 1, 8, 30, tzinfo=UTC)  # BST is UTC+1


def test_a_comment_with_a_bad_date_is_skipped_and_its_reply_keeps_the_thread(tmp_path):
    comments = (
        comment(1, date="2024-03-14 10:00:00"),
        comment(2, 1, date="0001-01-01 00:00:00"),
        comment(3, 2, date="2024-03-14 10:20:00"),
        comment(4, date="2024-03-14 10:30:00", gmt="soon"),
    )
    output = run(export(tmp_path, post(27, comments=comments)))
    article = Article.objects.get(slug="story-27")
    assert "comment 2 on post 27: comment_date_gmt 0001-01-01 00:00:00 is out of range" in output
    assert "comment 4 on post 27: comment_date_gmt “soon” is not a date" in output
    assert thread(article) == {"Comment 1.": ["Comment 3."]}
    assert counted(article) == (2, 2)
    assert Comment.objects.get(body="Comment 3.").created_at == datetime(
        2024, 3, 14, 10, 20, tzinfo=UTC
    )


# Threads --------------------------------------------------------------------------------


def test_a_reply_dated_before_what_it_answers_stays_in_its_thread(tmp_path):
    """Clocks differ (a comment synced from elsewhere, a server's wrong time): the export's
    order and dates cannot be trusted to put a comment before its replies."""
    comments = (
        comment(5, 4, date="2024-03-14 09:00:00"),
        comment(4, 3, date="2024-03-14 09:05:00"),
        comment(3, 2, date="2024-03-14 09:10:00"),
        comment(2, 1, date="2024-03-14 09:15:00"),
        comment(1, date="2024-03-14 10:00:00"),
    )
    run(export(tmp_path, post(30, comments=comments)))
    article = Article.objects.get(slug="story-30")
    assert thread(article) == {
        "Comment 1.": ["Comment 5.", "Comment 4.", "Comment 3.", "Comment 2."]
    }
    assert counted(article) == (5, 5)


def test_replies_written_in_the_same_second_keep_their_thread(tmp_path):
    same = "2024-03-14 09:00:00"
    comments = (comment(9, date=same), comment(10, 9, date=same), comment(100, 10, date=same))
    run(export(tmp_path, post(31, comments=comments)))
    article = Article.objects.get(slug="story-31")
    assert thread(article) == {"Comment 9.": ["Comment 10.", "Comment 100."]}


def test_a_reply_whose_parent_is_spam_joins_the_nearest_imported_ancestor(tmp_path):
    comments = (
        comment(1, date="2024-03-14 09:00:00"),
        comment(2, 1, date="2024-03-14 09:10:00", approved="spam"),
        comment(3, 2, date="2024-03-14 09:20:00"),
    )
    output = run(export(tmp_path, post(32, comments=comments)))
    article = Article.objects.get(slug="story-32")
    assert thread(article) == {"Comment 1.": ["Comment 3."]}
    assert counted(article) == (2, 2)
    assert (
        "comment 3 on post 32: its parent, comment 2, was not imported (marked as spam); "
        "it joins the thread of comment 1" in output
    )


def test_a_reply_with_no_imported_ancestor_becomes_a_comment_of_its_own(tmp_path):
    comments = (
        comment(1, date="2024-03-14 09:00:00", approved="0"),
        comment(2, 1, date="2024-03-14 09:10:00"),
        comment(3, 99, date="2024-03-14 09:20:00"),
    )
    output = run(export(tmp_path, post(33, comments=comments)))
    article = Article.objects.get(slug="story-33")
    assert thread(article) == {"Comment 2.": [], "Comment 3.": []}
    assert counted(article) == (2, 2)
    assert (
        "comment 2 on post 33: its parent, comment 1, was not imported (never approved); "
        "it is now a top-level comment" in output
    )
    assert "comment 3 on post 33: its parent, comment 99, is not in the export" in output


def test_replies_whose_parents_point_at_each_other_are_imported_once(tmp_path):
    comments = (comment(1, 2), comment(2, 1), comment(3, 2))
    run(export(tmp_path, post(34, comments=comments)))
    article = Article.objects.get(slug="story-34")
    assert counted(article) == (3, 3)
    assert sum(len(replies) + 1 for replies in thread(article).values()) == 3


def test_a_long_thread_keeps_every_reply_and_the_counts_exact(tmp_path):
    """Like the export in the report (334 approved replies, 127 of them lost), smaller:
    replies at any depth, in no useful order, some under spam, clocks that disagree."""
    rng = random.Random(11)  # noqa: S311 - test data, not security
    roots, last = 12, 150
    parents, comments, root_of, approved = {}, [], {}, {}
    for number in range(1, last + 1):
        parent = 0 if number <= roots else rng.randrange(1, number)
        parents[number] = parent
        approved[number] = number <= roots or rng.random() > 0.1
        minute = rng.randrange(0, 600)  # unrelated to who answers whom
        comments.append(
            comment(
                number,
                parent,
                date=f"2024-03-14 {minute // 60 + 8:02d}:{minute % 60:02d}:00",
                approved="1" if approved[number] else "spam",
            )
        )
        root_of[number] = root_of[parent] if parent else number
    rng.shuffle(comments)
    run(export(tmp_path, post(35, comments=tuple(comments))))

    article = Article.objects.get(slug="story-35")
    expected: dict[str, list[str]] = {f"Comment {n}.": [] for n in range(1, roots + 1)}
    for number in range(roots + 1, last + 1):
        if approved[number]:
            expected[f"Comment {root_of[number]}."].append(f"Comment {number}.")
    shown = thread(article)
    assert {root: sorted(replies) for root, replies in shown.items()} == {
        root: sorted(replies) for root, replies in expected.items()
    }
    total = sum(approved.values())
    assert counted(article) == (total, total)


def test_importing_again_keeps_threads_and_counts(tmp_path):
    comments = (
        comment(3, 2, date="2024-03-14 09:00:00"),
        comment(2, 1, date="2024-03-14 09:05:00"),
        comment(1, date="2024-03-14 09:10:00"),
    )
    path = export(tmp_path, post(36, comments=comments))
    run(path)
    article = Article.objects.get(slug="story-36")
    first = thread(article)
    run(path)
    assert thread(article) == first == {"Comment 1.": ["Comment 3.", "Comment 2."]}
    assert counted(article) == (3, 3)


def test_importing_again_mends_a_thread_an_earlier_import_broke(tmp_path):
    comments = (comment(1), comment(2, 1), comment(3, 2))
    path = export(tmp_path, post(37, comments=comments))
    run(path)
    article = Article.objects.get(slug="story-37")
    Comment.objects.filter(body="Comment 3.").update(parent=None)  # as the old importer left it
    run(path)
    assert thread(article) == {"Comment 1.": ["Comment 2.", "Comment 3."]}
    assert counted(article) == (3, 3)


def test_an_article_row_is_written_once_with_its_comments_counted(tmp_path):
    """Each UPDATE of the wide article row leaves a dead copy of it (27,330 dead tuples on
    2,018 imported stories): a new article's row is inserted already counting the comments
    that come with it, and never updated for them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    comments = tuple(comment(100 + n, text=f"Reader comment number {n}.") for n in range(8))
    path = export(tmp_path, post(1, comments=comments), post(2))
    with CaptureQueriesContext(connection) as queries:
        run(path)
    article_updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "articles_article"') and "comment_count" in q["sql"]
    ]
    assert article_updates == []
    article_inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "articles_article"')
    ]
    assert len(article_inserts) == 2
    assert Article.objects.get(slug="story-1").comment_count == 8
    assert Article.objects.get(slug="story-2").comment_count == 0
    # A second run changes nothing and still counts exactly.
    run(path)
    assert Article.objects.get(slug="story-1").comment_count == 8
    assert Comment.objects.count() == 8
