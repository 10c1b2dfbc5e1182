"""The desk's workflow: scheduling, e-mails to the authors, restoring a whole revision."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, ArticleAuthor
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.test_admin_articles import change_url, form_data

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
