"""manage.py seed_demo: a realistic site, idempotent, and fast in bulk."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from taggit.models import TaggedItem

from accounts.models import Author
from articles.models import Article, ArticleAuthor, Category, Correction
from articles.services import ArticleNotPublishable
from demo.builders import article_row
from liveblog.models import LiveEntry
from pages.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def seed(**options):
    call_command("seed_demo", no_progress=True, images=2, stdout=io.StringIO(), **options)


def counts():
    return (
        Category.objects.count(),
        Author.objects.count(),
        Article.objects.count(),
        ArticleAuthor.objects.count(),
        TaggedItem.objects.count(),
        apps.get_model("ratings", "Rating").objects.count(),
        apps.get_model("comments", "Comment").objects.count(),
        apps.get_model("polls", "PollVote").objects.count(),
        Page.objects.count(),
        LiveEntry.objects.count(),
        Correction.objects.count(),
        sum(Article.objects.values_list("rating_count", flat=True)),
    )


def test_seed_demo_builds_a_realistic_site():
    seed(articles=60)
    assert Category.objects.count() >= 24
    assert Author.objects.count() >= 24
    assert Article.objects.count() == 60
    published = Article.objects.published()
    assert published.count() >= 55
    assert Article.objects.filter(status=Article.Status.DRAFT).exists()
    assert published.filter(is_featured=True).exists()
    article = published.exclude(image="").first()
    assert article.image_renditions["webp"] and article.image_alt
    assert article.image_width and article.reading_time >= 1
    assert article.bylines.exists() and article.tags.exists()
    assert "<script" not in article.body
    assert published.filter(rating_count__gt=0).exists()
    assert apps.get_model("comments", "Comment").objects.exists()
    assert apps.get_model("polls", "Poll").objects.exists()
    # No story shows "Updated" but the one with the demo's correction.
    assert Article.objects.filter(edited_at__gt=F("published_at")).count() == 1
    assert Correction.objects.count() == 1
    assert set(Page.objects.values_list("slug", flat=True)) == {
        "about",
        "contact",
        "corrections-policy",
        "terms",
    }
    assert LiveEntry.objects.filter(is_key_event=True).exists()


def test_seed_demo_run_twice_adds_nothing_the_second_time():
    seed(articles=40)
    first = counts()
    seed(articles=40)
    assert counts() == first


def test_seed_demo_tops_up_to_a_larger_number():
    seed(articles=20)
    seed(articles=45, batch_size=10)
    assert Article.objects.count() == 45


def test_seeded_pages_render(client):
    seed(articles=30)
    assert client.get("/").status_code == 200
    article = Article.objects.published().first()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_bulk_row_gets_what_save_would_fill_in():
    row = article_row(
        title="Budget day",
        slug="budget-day",
        standfirst="The numbers.",
        body="<p>Words <script>x</script></p>",
        category=Category.objects.create(name="Money", slug="money"),
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    assert "<script" not in row.body
    assert row.reading_time == 1
    assert row.publish_date == timezone.localdate()


def test_a_bulk_row_is_held_to_the_publish_rules():
    with pytest.raises(ArticleNotPublishable):
        article_row(
            title="No section",
            slug="no-section",
            standfirst="The numbers.",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
        )
    assert article_row(title="A draft may lack one", slug="draft").publish_date is None


def test_the_demo_readers_comments_are_shown_not_held(client):
    seed(articles=30)
    comment_model = apps.get_model("comments", "Comment")
    comments = comment_model.objects.all()
    assert comments.exists()
    assert not comments.filter(status=comment_model.Status.PENDING).exists()
    article = Article.objects.published().filter(comment_count__gt=0).first()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "No comments yet" not in html
    assert comments.filter(article=article).first().body[:40] in html


def test_a_second_seed_shows_the_comments_an_older_seed_held():
    seed(articles=30)
    comment_model = apps.get_model("comments", "Comment")
    comment_model.objects.update(status=comment_model.Status.PENDING)
    Article.objects.update(comment_count=0)
    seed(articles=30)
    assert not comment_model.objects.filter(status=comment_model.Status.PENDING).exists()
    shown = comment_model.objects.count()
    assert sum(Article.objects.values_list("comment_count", flat=True)) == shown


def test_seed_demo_curates_the_front_page_with_pins_and_a_hidden_banner(client):
    from frontpage.models import Banner, Pin, Zone

    seed(articles=60)
    pins = Pin.objects.count()
    lead = Zone.objects.get(page__isnull=True, layout=Zone.Layout.LEAD)
    pinned = lead.pins.filter(starts_at__isnull=True).order_by("position").first().article
    assert Zone.objects.filter(page__isnull=False).exists()  # a section page's own zone
    assert lead.pins.filter(starts_at__gt=timezone.now()).exists()  # a scheduled pin
    assert Banner.objects.filter(is_shown=False).exists()

    html = client.get("/").content.decode()
    assert pinned.title in html.split("article-card--lead")[1].split("</article>")[0]
    assert "Breaking" not in html

    seed(articles=60)
    assert Pin.objects.count() == pins


def test_seed_demo_gives_stories_as_many_comments_as_a_real_newsroom_and_counts_them():
    from django.db.models import Count, Q

    from demo.engagement import FRESH_COMMENTS

    seed(articles=200)
    comments = apps.get_model("comments", "Comment").objects
    public = Article.objects.published()
    # The newest stories are talked about as much as issue 12's WordPress site's.
    assert comments.count() >= public.count() * FRESH_COMMENTS / 2
    assert comments.filter(parent__isnull=False).exists()
    assert not comments.filter(created_at__gt=timezone.now()).exists()
    assert not comments.exclude(article__in=public).exists()
    miscounted = Article.objects.annotate(
        real=Count("comments", filter=Q(comments__status="approved"))
    ).exclude(comment_count=F("real"))
    assert not miscounted.exists()
