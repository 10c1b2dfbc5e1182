import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, ReplyNotice
from comments.services import comment_create, comment_moderate
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    """A comment by a reader who wants reply e-mails."""
    return CommentFactory(user=UserFactory(notify_replies=True), article=ArticleFactory())


def replier():
    """A reader whose replies are approved at once (they have an approved comment)."""
    user = UserFactory()
    CommentFactory(user=user)
    return user


def reply(thread, user=None, body="I disagree, and here is why.", capture=None):
    with capture(execute=True):
        return comment_create(
            article=thread.article, user=user or replier(), body=body, parent=thread
        )


def test_a_visible_reply_mails_the_thread_author(thread, django_capture_on_commit_callbacks):
    answer = reply(thread, capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [thread.user.email]
    assert "I disagree" in message.body
    assert answer.get_absolute_url() in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/comments/replies/stop/" in message.extra_headers["List-Unsubscribe"]


def test_readers_who_did_not_opt_in_get_nothing(django_capture_on_commit_callbacks):
    thread = CommentFactory()  # notify_replies defaults to off
    reply(thread, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_nobody_is_mailed_about_their_own_reply(thread, django_capture_on_commit_callbacks):
    reply(thread, user=thread.user, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_held_reply_mails_only_when_a_moderator_approves_it(
    thread, django_capture_on_commit_callbacks
):
    newcomer = UserFactory()  # a first comment waits for review
    held = reply(thread, user=newcomer, capture=django_capture_on_commit_callbacks)
    assert held.status == Comment.Status.PENDING
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[held], status=Comment.Status.SPAM, moderator=None)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[held], status=Comment.Status.APPROVED, moderator=None)
    assert len(mail.outbox) == 1


def test_the_mail_waits_for_the_commit(thread, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment_create(article=thread.article, user=replier(), body="Later.", parent=thread)
    assert mail.outbox == []
    # The mail is one of the callbacks (another refreshes the article's cached page).
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_at_most_one_mail_per_thread_per_hour(thread, django_capture_on_commit_callbacks):
    start = timezone.now()
    for minutes, body in ((0, "First."), (30, "Second."), (59, "Third.")):
        with mock.patch(
            "comments.notifications.timezone.now",
            return_value=start + timezone.timedelta(minutes=minutes),
        ):
            reply(thread, body=body, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with mock.patch(
        "comments.notifications.timezone.now", return_value=start + timezone.timedelta(minutes=61)
    ):
        reply(thread, body="Fourth.", capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert ReplyNotice.objects.count() == 2


def test_another_thread_is_not_held_back_by_the_hourly_limit(
    thread, django_capture_on_commit_callbacks
):
    other = CommentFactory(user=thread.user, article=thread.article)
    reply(thread, capture=django_capture_on_commit_callbacks)
    reply(other, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_a_reply_approved_again_is_not_mailed_twice(
    thread, django_capture_on_commit_callbacks, settings
):
    settings.COMMENTS_REPLY_MAIL_SECONDS = 0
    answer = reply(thread, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=[answer], status=Comment.Status.HIDDEN, moderator=None)
        comment_moderate(comments=[answer], status=Comment.Status.APPROVED, moderator=None)
    assert len(mail.outbox) == 1


def test_the_stop_link_turns_the_mails_off_in_one_click(
    thread, django_capture_on_commit_callbacks
):
    reply(thread, capture=django_capture_on_commit_callbacks)
    url = re.search(r"http://[^\s]+/comments/replies/stop/[^\s]+/", mail.outbox[0].body).group(0)
    path = url.removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    assert client.get(path).status_code == 200
    thread.user.refresh_from_db()
    assert thread.user.notify_replies is True  # a GET only shows the button
    assert client.post(path).status_code == 200
    thread.user.refresh_from_db()
    assert thread.user.notify_replies is False


def test_a_forged_stop_link_is_404(client, thread):
    assert client.post(reverse("comments:replies-stop", args=["forged"])).status_code == 404


def test_the_profile_turns_reply_mails_on(reader_client, user):
    assert user.notify_replies is False
    response = reader_client.post(
        reverse("accounts:profile"), {"display_name": "Reader", "notify_replies": "on"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notify_replies is True


def test_the_profile_page_stays_within_its_query_budget(
    reader_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        response = reader_client.get(reverse("accounts:profile"))
    assert "notify_replies" in response.content.decode()
