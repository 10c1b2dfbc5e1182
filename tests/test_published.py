"""What the public may see: published() against past, future, draft and archived articles."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def preview_url(article) -> str:
    return reverse("articles:preview", kwargs={"pk": article.pk})


@pytest.fixture
def articles(section):
    return {
        "past": ArticleFactory(category=section, published_at=NOW() - timedelta(minutes=1)),
        "future": ArticleFactory(category=section, published_at=NOW() + timedelta(hours=2)),
        "draft": ArticleFactory(category=section, status=Article.Status.DRAFT),
        "review": ArticleFactory(category=section, status=Article.Status.REVIEW),
        "archived": ArticleFactory(category=section, status=Article.Status.ARCHIVED),
    }


def test_published_contains_only_past_published_articles(articles):
    assert list(Article.objects.published()) == [articles["past"]]


@pytest.mark.parametrize("kind", ["future", "draft", "review", "archived"])
def test_hidden_articles_are_404_to_the_public(client, articles, kind, user):
    url = articles[kind].get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("articles:preview", args=[articles[kind].pk])).status_code == 404


@pytest.mark.parametrize("kind", ["future", "draft", "archived"])
def test_hidden_articles_stay_out_of_every_list(client, articles, kind, section):
    title = articles[kind].title
    articles[kind].tags.add("everything")
    for url in (
        "/",
        section.get_absolute_url(),
        reverse("articles:tag", args=["everything"]),
        reverse("articles:archive"),
    ):
        assert title not in client.get(url).content.decode(), url


def test_a_scheduled_article_appears_by_itself_once_its_time_comes(client, articles):
    scheduled = articles["future"]
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=scheduled.pk).update(published_at=NOW() - timedelta(seconds=1))
    scheduled.refresh_from_db()
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_staff_preview_a_draft_with_a_clear_banner(client, articles, staff_user):
    client.force_login(staff_user)
    response = client.get(preview_url(articles["draft"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="preview-banner"' in html and "not visible to the public" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "private" in response["Cache-Control"]


def test_staff_see_a_scheduled_article_at_its_address_with_a_banner(client, articles, staff_user):
    client.force_login(staff_user)
    html = client.get(articles["future"].get_absolute_url()).content.decode()
    assert "Scheduled for" in html


def test_published_article_has_no_preview_banner(client, articles, staff_user):
    client.force_login(staff_user)
    html = client.get(articles["past"].get_absolute_url()).content.decode()
    assert "preview-banner" not in html


def test_anonymous_preview_is_404_not_a_login_hint(client, articles):
    assert client.get(preview_url(articles["draft"])).status_code == 404


# Slug per day ----------------------------------------------------------------------------


def test_slug_is_unique_per_publish_day_in_the_database(section):
    when = NOW() - timedelta(days=2)
    ArticleFactory(category=section, slug="same", published_at=when)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(category=section, slug="same", published_at=when + timedelta(minutes=5))
    ArticleFactory(category=section, slug="same", published_at=when + timedelta(days=1))


def test_drafts_without_a_publish_time_may_share_a_slug(section):
    ArticleFactory(category=section, slug="same", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(category=section, slug="same", status=Article.Status.DRAFT, published_at=None)

    assert Article.objects.filter(slug="same").count() == 2


def test_model_validation_reports_a_clash_clearly(section):
    when = NOW() - timedelta(days=2)
    ArticleFactory(category=section, slug="same", published_at=when)
    clash = Article(title="x", slug="same", published_at=when, category=section)
    clash.publish_date = timezone.localdate(when)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="same day already has this slug"):
        clash.validate_constraints()


def test_publish_date_is_the_local_calendar_day(section, settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 UTC in July is 00:30 the next day in London (BST).
    summer = datetime(2026, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    article = ArticleFactory(category=section, published_at=summer)
    assert str(article.publish_date) == "2026-07-02"
    assert article.get_absolute_url().startswith("/2026/07/02/")
    winter = datetime(2026, 1, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert str(ArticleFactory(category=section, published_at=winter).publish_date) == "2026-01-01"


def test_publishing_without_a_time_sets_it_now(section):
    article = ArticleFactory(category=section, published_at=None)
    assert article.published_at is not None
    assert article.publish_date == timezone.localdate(article.published_at)


def test_saving_only_the_publish_time_keeps_the_publish_date_in_step(section):
    article = ArticleFactory(category=section)
    article.published_at = NOW() - timedelta(days=10)
    article.save(update_fields=["published_at"])
    article.refresh_from_db()
    assert article.publish_date == timezone.localdate(article.published_at)


def test_staff_only_means_is_staff(client, articles):
    client.force_login(UserFactory(is_staff=False, is_superuser=False))
    assert client.get(preview_url(articles["draft"])).status_code == 404


def _newsroom_user(role):
    from accounts import roles

    user = UserFactory()
    roles.role_assign(user=user, role=role)
    user.refresh_from_db()
    return user


def test_an_author_previews_their_own_draft_but_not_a_colleagues(client, articles):
    author_user = _newsroom_user("author")
    own = ArticleFactory(status=Article.Status.DRAFT, authors=[author_user.author])
    client.force_login(author_user)

    assert client.get(preview_url(own)).status_code == 200
    assert client.get(preview_url(articles["draft"])).status_code == 404
    assert client.get(articles["future"].get_absolute_url()).status_code == 404


def test_an_editor_previews_any_draft_and_scheduled_article(client, articles):
    client.force_login(_newsroom_user("editor"))

    assert client.get(preview_url(articles["draft"])).status_code == 200
    assert client.get(articles["future"].get_absolute_url()).status_code == 200
