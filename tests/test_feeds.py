from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from articles.feeds import FeedView
from articles.models import Article, Correction
from articles.services import article_save
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"

pytestmark = pytest.mark.django_db


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ElementTree.fromstring(response.content).findall("./channel/item")


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


@pytest.fixture
def hidden_articles(section, author):
    """A draft, a scheduled and an archived article: none may appear anywhere public."""
    future = timezone.now() + timedelta(days=1)
    return [
        ArticleFactory(
            title="Secret draft",
            status=Article.Status.DRAFT,
            published_at=None,
            category=section,
            authors=[author],
        ),
        ArticleFactory(
            title="Secret scheduled", published_at=future, category=section, authors=[author]
        ),
        ArticleFactory(
            title="Secret archived",
            status=Article.Status.ARCHIVED,
            category=section,
            authors=[author],
        ),
    ]


def test_site_rss_lists_published_articles_with_authors_categories_and_dates(
    client, section, hidden_articles
):
    writer = AuthorFactory(name="Ada Reporter")
    second = AuthorFactory(name="Bob Sidekick")
    story = ArticleFactory(
        title="Council passes budget",
        standfirst="It was close.",
        category=section,
        authors=[writer, second],
    )
    story.tags.add("Budget", "Council")

    items = rss_items(client.get(reverse("articles:feed-rss")))

    assert [item.findtext("title") for item in items] == ["Council passes budget"]
    item = items[0]
    assert item.findtext("description") == "It was close."
    assert item.findtext("link").endswith(story.get_absolute_url())
    assert item.findtext("link").startswith("http")
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false"
    host = urlsplit(settings.SITE_URL).hostname
    assert guid.text == f"tag:{host},{story.created_at:%Y-%m-%d}:article:{story.pk}"
    assert item.findtext(f"{DC}creator") == "Ada Reporter, Bob Sidekick"
    assert [c.text for c in item.findall("category")] == ["Politics", "Budget", "Council"]
    assert parsedate_to_datetime(item.findtext("pubDate")) == story.published_at.replace(
        microsecond=0
    )


def test_site_atom_has_published_and_updated_dates_and_authors(client, article, hidden_articles):
    entries = atom_entries(client.get(reverse("articles:feed-atom")))

    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == article.title
    published = entry.findtext(f"{ATOM}published")
    updated = entry.findtext(f"{ATOM}updated")
    assert timezone.datetime.fromisoformat(published) == article.published_at
    assert timezone.datetime.fromisoformat(updated) >= timezone.datetime.fromisoformat(published)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == article.bylines.get().author.name
    assert entry.findtext(f"{ATOM}summary") == article.standfirst


def test_items_come_newest_first(client, section):
    now = timezone.now()
    ArticleFactory(title="Older", published_at=now - timedelta(days=2), category=section)
    ArticleFactory(title="Newer", published_at=now - timedelta(hours=2), category=section)

    items = rss_items(client.get(reverse("articles:feed-rss")))

    assert [item.findtext("title") for item in items] == ["Newer", "Older"]


def test_description_falls_back_to_the_body_without_markup(client, section):
    ArticleFactory(standfirst="", body="<p>Plain <b>words</b> here.</p>", category=section)

    items = rss_items(client.get(reverse("articles:feed-rss")))

    assert items[0].findtext("description") == "Plain words here."


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_feed_lists_only_that_sections_public_articles(
    client, kind, section, hidden_articles
):
    ArticleFactory(title="In politics", category=section)
    ArticleFactory(title="In sport", category=CategoryFactory(slug="sport", name="Sport"))

    response = client.get(reverse(f"articles:feed-section-{kind}", kwargs={"slug": "politics"}))

    entries = rss_items(response) if kind == "rss" else atom_entries(response)
    titles = [e.findtext("title") or e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["In politics"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_feed_lists_only_tagged_public_articles(client, kind, section, hidden_articles):
    tagged = ArticleFactory(title="Tagged", category=section)
    tagged.tags.add("Elections")
    ArticleFactory(title="Untagged", category=section)
    for hidden in hidden_articles:
        hidden.tags.add("Elections")

    response = client.get(reverse(f"articles:feed-tag-{kind}", kwargs={"slug": "elections"}))

    entries = rss_items(response) if kind == "rss" else atom_entries(response)
    titles = [e.findtext("title") or e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["Tagged"]
    root = ElementTree.fromstring(response.content)
    links = [root.findtext("channel/link")] + [
        link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "alternate"
    ]
    assert settings.SITE_URL + reverse("articles:tag", kwargs={"slug": "elections"}) in links


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_author_feed_lists_only_that_authors_public_articles(
    client, kind, section, author, hidden_articles
):
    ArticleFactory(title="Mine", category=section, authors=[author])
    ArticleFactory(title="Someone else's", category=section, authors=[AuthorFactory()])

    response = client.get(reverse(f"articles:feed-author-{kind}", kwargs={"slug": author.slug}))

    entries = rss_items(response) if kind == "rss" else atom_entries(response)
    titles = [e.findtext("title") or e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["Mine"]


@pytest.mark.parametrize(
    "name",
    [
        "articles:feed-section-rss",
        "articles:feed-section-atom",
        "articles:feed-tag-rss",
        "articles:feed-tag-atom",
        "articles:feed-author-rss",
        "articles:feed-author-atom",
    ],
)
def test_unknown_slug_is_404(client, name):
    assert client.get(reverse(name, kwargs={"slug": "no-such-thing"})).status_code == 404


def test_pages_advertise_the_site_feeds(client):
    content = client.get(reverse("search:search")).content.decode()

    assert (
        'type="application/rss+xml" title="The Newsportal (RSS)" '
        f'href="{reverse("articles:feed-rss")}"' in content
    )
    assert f'href="{reverse("articles:feed-atom")}"' in content


def test_feed_query_count_does_not_grow_with_items(client, section, django_assert_max_num_queries):
    for _ in range(10):
        story = ArticleFactory(category=section, authors=[AuthorFactory(), AuthorFactory()])
        story.tags.add("One", "Two")

        Correction.objects.create(article=story, note="The vote is on Thursday.")
    # The stories with their bylines, tags and corrections in one statement; the others
    # are the site-wide lists every response reads once (then cached).
    with django_assert_max_num_queries(2):
        assert len(rss_items(client.get(reverse("articles:feed-rss")))) == 10


def test_feeds_are_shared_copies_served_before_the_middleware(
    client, section, django_assert_num_queries, monkeypatch
):
    ArticleFactory(title="First", category=section)
    client.get(reverse("articles:feed-rss"))
    # A hit is answered by the page cache's middleware: no view, no other middleware.
    monkeypatch.setattr(FeedView, "dispatch", None)

    with django_assert_num_queries(0):
        response = client.get(reverse("articles:feed-rss"))
    assert response.status_code == 200
    assert f"max-age={settings.PAGE_CACHE_SECONDS}" in response["Cache-Control"]
    assert "First" in response.content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_every_feed_showing_a_changed_story_is_purged_at_once(
    client, section, author, kind, django_capture_on_commit_callbacks
):
    story = ArticleFactory(title="Harbour opens", category=section, authors=[author])
    story.tags.add("Harbour")
    feeds = [
        reverse(f"articles:feed-{kind}"),
        reverse(f"articles:feed-section-{kind}", kwargs={"slug": section.slug}),
        reverse(f"articles:feed-tag-{kind}", kwargs={"slug": "harbour"}),
        reverse(f"articles:feed-author-{kind}", kwargs={"slug": author.slug}),
    ]
    for feed in feeds:
        assert "Harbour opens" in client.get(feed).content.decode(), feed
    story.title = "Harbour opening delayed"

    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=story)

    for feed in feeds:
        assert "Harbour opening delayed" in client.get(feed).content.decode(), feed
