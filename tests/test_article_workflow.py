"""The desk's workflow: scheduling, e-mails to the authors, restoring a whole revision."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from accounts import roles
from articles import services
from articles.models import Article, ArticleAuthor
from core.exceptions import ServiceError
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.test_admin_articles import CHANGELIST, change_url, draft_by, form_data, make_user

pytestmark = pytest.mark.django_db


def test_restoring_a_revision_restores_its_tags_authors_and_pinned_stories(editor_client):
    first, second = AuthorFactory(name="Ada First"), AuthorFactory(name="Bo Second")
    pinned, other = ArticleFactory(title="Pinned at first"), ArticleFactory(title="Pinned later")
    article = ArticleFactory(
        title="First headline",
        status=Article.Status.DRAFT,
        published_at=None,
        authors=[first],
        category=CategoryFactory(),
    )
    article.tags.add("Budget")
    article.pinned_related.add(pinned)
    data = form_data(editor_client.get(change_url(article)))
    assert editor_client.post(change_url(article), data).status_code == 302

    page = editor_client.get(change_url(article))
    data = form_data(
        page, title="Second headline", tags=["Transport"], pinned_related=[str(other.pk)]
    )
    data["bylines-0-author"] = str(second.pk)
    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert [t.name for t in article.tags.all()] == ["Transport"]
    assert article.byline_authors == [second]

    oldest = Version.objects.get_for_object(article).last()
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, oldest.pk])
    page = editor_client.get(revision_url)
    assert editor_client.post(revision_url, form_data(page)).status_code == 302

    article.refresh_from_db()
    assert article.title == "First headline"
    assert [t.name for t in article.tags.all()] == ["Budget"]
    assert [line.author for line in ArticleAuthor.objects.filter(article=article)] == [first]
    assert list(article.pinned_related.all()) == [pinned]


# E-mails to the authors and the desk's buttons ----------------------------------------------


@pytest.fixture
def reporter():
    return make_user(roles.AUTHOR)


@pytest.fixture
def in_review(reporter):
    return draft_by(reporter.author, title="Bridge to close", status=Article.Status.REVIEW)


def test_the_author_is_mailed_when_an_editor_publishes_from_the_form(
    editor_client, in_review, reporter, django_capture_on_commit_callbacks
):
    data = form_data(editor_client.get(change_url(in_review)), status="published")
    data["note_to_authors"] = "Lovely piece."
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(in_review), data).status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reporter.email]
    assert message.subject == "[The Newsportal] Published: Bridge to close"
    in_review.refresh_from_db()
    assert in_review.get_absolute_url() in message.body
    assert "Lovely piece." in message.body


def test_no_mail_before_the_commit_and_none_for_a_rolled_back_save(in_review, editor):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.article_publish(article=in_review, actor=editor)
        raise RuntimeError("the save fails later")
    assert mail.outbox == []


def test_the_publish_action_mails_every_author_with_an_address_but_not_the_editor(
    editor_client, reporter, editor, django_capture_on_commit_callbacks
):
    wire = AuthorFactory(name="Wire agency")  # no account: nobody to mail
    editor_as_author = AuthorFactory(user=editor)
    article = draft_by(reporter.author, status=Article.Status.REVIEW)
    ArticleAuthor.objects.create(article=article, author=wire, position=1)
    ArticleAuthor.objects.create(article=article, author=editor_as_author, position=2)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]})
    assert [message.to for message in mail.outbox] == [[reporter.email]]


def test_scheduling_has_its_own_button_and_mails_the_time(
    editor_client, in_review, reporter, django_capture_on_commit_callbacks
):
    page = editor_client.get(change_url(in_review))
    html = page.content.decode()
    assert 'name="_schedule" value="Schedule for the publish time above"' in html
    assert 'name="_send_back"' in html
    at = timezone.localtime() + datetime.timedelta(days=1)
    at = at.replace(hour=18, minute=0, second=0, microsecond=0)
    data = form_data(page, published_at_0=at.strftime("%Y-%m-%d"), published_at_1="18:00:00")
    data["_schedule"] = "Schedule for the publish time above"
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(in_review), data).status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.PUBLISHED
    assert in_review.published_at == at
    assert not in_review.is_public
    assert mail.outbox[0].subject.startswith(
        f"[The Newsportal] Scheduled for {at:%-d %B %Y}, 18:00"
    )


def test_scheduling_for_a_past_time_is_refused_with_a_message(editor_client, in_review):
    page = editor_client.get(change_url(in_review))
    past = timezone.localtime() - datetime.timedelta(days=1)
    data = form_data(page, published_at_0=past.strftime("%Y-%m-%d"), published_at_1="09:00:00")
    data["_schedule"] = "Schedule"
    response = editor_client.post(change_url(in_review), data)
    assert response.status_code == 200
    assert (
        "Pick a publish time in the future to schedule the article." in response.content.decode()
    )
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW


def test_sending_back_returns_the_draft_and_mails_the_note(
    editor_client, in_review, reporter, django_capture_on_commit_callbacks
):
    data = form_data(editor_client.get(change_url(in_review)))
    data["_send_back"] = "Send back to the authors"
    data["note_to_authors"] = "Needs a second source for the closure date."
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(in_review), data).status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.DRAFT
    (message,) = mail.outbox
    assert message.to == [reporter.email]
    assert message.subject == "[The Newsportal] Sent back to you: Bridge to close"
    assert "Needs a second source for the closure date." in message.body
    assert change_url(in_review) in message.body


def test_authors_get_no_desk_buttons_and_cannot_press_them(
    client, in_review, reporter, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    page = client.get(change_url(in_review))
    html = page.content.decode()
    assert 'name="_schedule"' not in html and 'name="_send_back"' not in html
    assert "note_to_authors" not in html
    data = form_data(page)
    data["_schedule"] = "Schedule"
    response = client.post(change_url(in_review), data)
    assert response.status_code == 200
    assert "Only an editor can schedule an article." in response.content.decode()
    # An author taking their own story back to draft mails no one.
    data = form_data(page, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change_url(in_review), data).status_code == 302
    assert mail.outbox == []


def test_saving_a_published_article_again_mails_no_one(
    editor_client, reporter, django_capture_on_commit_callbacks
):
    article = ArticleFactory(authors=[reporter.author])
    data = form_data(editor_client.get(change_url(article)), title="A corrected headline")
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(change_url(article), data).status_code == 302
    assert mail.outbox == []


def test_send_back_service_refuses_an_article_not_in_review(reporter):
    article = draft_by(reporter.author)
    with pytest.raises(ServiceError, match="Only an article in review can be sent back."):
        services.article_send_back(article=article)


def test_schedule_service_refuses_a_time_in_the_past(in_review):
    with pytest.raises(ServiceError, match="in the future"):
        services.article_schedule(article=in_review, at=timezone.now())
