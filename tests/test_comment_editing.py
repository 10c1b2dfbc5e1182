"""After posting: the author edits or deletes; readers report."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Report
from comments.services import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_moderate,
    comment_report,
)
from tests.comment_helpers import counted
from tests.factories import CommentFactory, UserFactory

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


def test_editing_is_refused_once_comments_are_closed(client, article, regular):
    comment = comment_create(article=article, user=regular, body="Before closing.")
    Article.objects.filter(pk=article.pk).update(comments_mode=Article.Comments.CLOSED)
    client.force_login(regular)
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "After."})
    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()


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
