"""The curated front page and section fronts: zones, pins, rules, schedules, the staff
preview, purges, and the breaking-news banner."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from frontpage import services
from frontpage.models import Banner, Pin, Zone
from frontpage.selection import selection_build, selection_for
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory
from tests.html_checks import check_html

pytestmark = pytest.mark.django_db

FRONT = "/"


@pytest.fixture(autouse=True)
def no_default_zones(db):
    # The data migration's zones; each test arranges its own page.
    Zone.objects.all().delete()


@pytest.fixture
def clock(monkeypatch):
    """Moves the time our code and the local-memory cache see, for schedules and expiry."""

    class Clock:
        offset = 0.0

        def advance(self, **delta):
            self.offset += timedelta(**delta).total_seconds()

    moved = Clock()
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + moved.offset)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=moved.offset))
    return moved


def story(minutes_ago=60, **fields):
    published = timezone.now() - timedelta(minutes=minutes_ago)
    return ArticleFactory(published_at=published, **fields)


def zone(title="Zone", **fields):
    fields.setdefault("position", Zone.objects.count() * 10)
    return Zone.objects.create(title=title, **fields)


def pin(zone, article, position=0, **fields):
    return Pin.objects.create(zone=zone, article=article, position=position, **fields)


def shown(page_id=None, at=None):
    selection = selection_build(page_id=page_id, at=at or timezone.now())
    return {block.zone.title: [s.title for s in block.stories] for block in selection.blocks}


def test_pins_come_first_in_their_order_then_the_rule_fills_the_rest():
    newest = story(1, title="Newest")
    story(2, title="Second newest")
    first = story(300, title="Pinned first")
    second = story(200, title="Pinned second")
    lead = zone("Lead", layout=Zone.Layout.LEAD, size=4)
    pin(lead, second, position=2)
    pin(lead, first, position=1)

    assert shown()["Lead"] == ["Pinned first", "Pinned second", "Newest", "Second newest"]
    assert newest.title in shown()["Lead"]


def test_the_rule_takes_the_newest_stories_of_its_section_tag_or_the_featured_ones():
    sport, politics = CategoryFactory(name="Sport"), CategoryFactory(name="Politics")
    old_goal = story(90, title="Old goal", category=sport)
    story(30, title="New goal", category=sport)
    story(10, title="Vote", category=politics)
    tagged = story(50, title="Tagged", category=politics)
    tagged.tags.add("Elections")
    story(70, title="Featured", category=politics, is_featured=True)
    from taggit.models import Tag

    zone("Sport", section=sport, size=2, allow_repeats=True)
    zone("Elections", tag=Tag.objects.get(name="Elections"), size=3, allow_repeats=True)
    zone("Featured", featured_only=True, size=3, allow_repeats=True)
    zone("Latest", size=1, allow_repeats=True)

    assert shown() == {
        "Sport": ["New goal", "Old goal"],
        "Elections": ["Tagged"],
        "Featured": ["Featured"],
        "Latest": ["Vote"],
    }
    assert old_goal.title in shown()["Sport"]


def test_a_story_shows_once_on_the_front_page_the_highest_zone_takes_it():
    politics = CategoryFactory(name="Politics")
    stories = [story(n, title=f"Politics {n}", category=politics) for n in range(1, 6)]
    lead = zone("Lead", layout=Zone.Layout.LEAD, size=1)
    pin(lead, stories[2])
    zone("Latest", size=2)
    zone("Politics", section=politics, size=3)

    assert shown() == {
        "Lead": ["Politics 3"],
        "Latest": ["Politics 1", "Politics 2"],
        # Filled on past the stories above: still three.
        "Politics": ["Politics 4", "Politics 5"],
    }


def test_a_zone_that_opts_out_repeats_stories_and_does_not_use_them_up():
    politics = CategoryFactory(name="Politics")
    for n in range(1, 4):
        story(n, title=f"Politics {n}", category=politics)
    zone("Lead", layout=Zone.Layout.LEAD, size=1)
    zone("Most discussed", size=2, allow_repeats=True)
    zone("Politics", section=politics, size=2)

    assert shown() == {
        "Lead": ["Politics 1"],
        "Most discussed": ["Politics 1", "Politics 2"],
        "Politics": ["Politics 2", "Politics 3"],
    }


def test_a_pinned_story_also_pinned_higher_up_shows_once():
    repeated = story(5, title="Everywhere")
    story(1, title="Fresh")
    top, second = zone("Top", size=1), zone("Second", size=1)
    pin(top, repeated)
    pin(second, repeated)

    assert shown() == {"Top": ["Everywhere"], "Second": ["Fresh"]}


def test_unpublished_or_scheduled_stories_never_show_even_when_pinned():
    draft = ArticleFactory(status="draft", title="Draft")
    later = story(-60, title="Scheduled")
    story(5, title="Public")
    top = zone("Top", size=2)
    pin(top, draft)
    pin(top, later)

    assert shown() == {"Top": ["Public"]}


def test_a_pin_shows_from_its_start_until_its_end():
    story(1, title="Newest")
    planned = story(60, title="Planned")
    now = timezone.now()
    top = zone("Top", size=1)
    pin(top, planned, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=4))

    assert shown(at=now) == {"Top": ["Newest"]}
    assert shown(at=now + timedelta(hours=3)) == {"Top": ["Planned"]}
    assert shown(at=now + timedelta(hours=4)) == {"Top": ["Newest"]}
    selection = selection_build(page_id=None, at=now)
    assert selection.until == now + timedelta(hours=2)


def test_the_selection_ends_when_a_scheduled_story_goes_out():
    story(5)
    goes_out = story(-30)
    zone("Latest", size=3)

    selection = selection_build(page_id=None, at=timezone.now())

    assert selection.until == goes_out.published_at


def test_the_cached_front_page_changes_at_the_pins_start_time(client, clock):
    story(1, title="Newest story")
    planned = story(60, title="The six o'clock story")
    lead = zone("Lead", layout=Zone.Layout.LEAD, size=1)
    pin(lead, planned, starts_at=timezone.now() + timedelta(seconds=20))

    first = client.get(FRONT)
    assert "Newest story" in first.content.decode()
    # The copy is shared only until the pin starts, and the browser is told so too.
    assert 0 < int(first["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 20
    assert "Newest story" in client.get(FRONT).content.decode()

    clock.advance(seconds=21)

    assert "The six o&#x27;clock story" in client.get(FRONT).content.decode()


def test_the_front_page_renders_its_zones_in_the_editors_order(client):
    politics = CategoryFactory(name="Politics", slug="politics")
    sport = CategoryFactory(name="Sport", slug="sport")
    story(1, title="A sport story", category=sport)
    story(2, title="A politics story", category=politics)
    story(3, title="The lead", is_featured=True, category=politics)
    zone("Top stories", layout=Zone.Layout.LEAD, size=1, featured_only=True, position=1)
    zone("Politics", section=politics, position=30)
    zone("Sport", section=sport, position=20)
    zone("Hidden", is_visible=False, position=40)

    response = client.get(FRONT)

    html = response.content.decode()
    check_html(html)
    assert html.index("The lead") < html.index("A sport story") < html.index("A politics story")
    assert "article-card--lead" in html.split("The lead")[0].rsplit("<article", 1)[1]
    assert '<a href="/section/sport/">Sport</a>' in html
    assert "Hidden" not in html
    assert "Most read" in html and "Top rated" in html


def test_a_site_without_zones_still_shows_its_stories(client):
    story(1, title="Only story")
    assert "Only story" in client.get(FRONT).content.decode()


def test_the_front_page_with_no_stories_says_so(client):
    zone("Latest")
    response = client.get(FRONT)
    assert "No stories have been published yet." in response.content.decode()


# The staff preview -------------------------------------------------------------------


def test_staff_preview_the_front_page_as_of_a_time_never_cached(client, staff_user):
    story(1, title="Now")
    top = zone("Top", size=1)
    evening = timezone.localtime() + timedelta(hours=5)
    pin(top, story(30, title="Evening story"), starts_at=evening - timedelta(minutes=1))
    client.force_login(staff_user)

    response = client.get(FRONT, {"at": evening.strftime("%Y-%m-%dT%H:%M")})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Evening story" in html and "You are looking at the front page as it will be" in html
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Evening story" not in client.get(FRONT).content.decode()


def test_readers_cannot_preview_the_front_page(client, user):
    top = zone("Top", size=1)
    pin(top, story(30, title="Secret"), starts_at=timezone.now() + timedelta(hours=1))
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")

    assert client.get(FRONT, {"at": later}).status_code == 403
    client.force_login(user)
    response = client.get(FRONT, {"at": later})
    assert response.status_code == 403
    assert "Secret" not in response.content.decode()


def test_a_preview_time_that_is_not_a_time_is_a_400_with_a_message(client, staff_user):
    client.force_login(staff_user)
    response = client.get(FRONT, {"at": "tomorrow-ish"})
    assert response.status_code == 400
    assert "2026-12-02T18:00" in response.content.decode()


# Purges --------------------------------------------------------------------------------


def zone_form(zone, **changes) -> dict:
    data = {
        "title": zone.title,
        "page": zone.page_id or "",
        "position": zone.position,
        "layout": zone.layout,
        "is_visible": "on",
        "size": zone.size,
        "section": zone.section_id or "",
        "tag": "",
        "pins-TOTAL_FORMS": "0",
        "pins-INITIAL_FORMS": "0",
        "pins-MIN_NUM_FORMS": "0",
        "pins-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_pinning_a_story_in_the_admin_shows_on_the_cached_front_page_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    story(1, title="Yesterday's lead")
    scoop = story(600, title="The scoop")
    lead = zone("Lead", layout=Zone.Layout.LEAD, size=1)
    assert "The scoop" not in client.get(FRONT).content.decode()  # now cached

    client.force_login(editor)
    form = zone_form(
        lead,
        **{"pins-TOTAL_FORMS": "1", "pins-0-article": scoop.pk, "pins-0-position": "1"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:frontpage_zone_change", args=[lead.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    assert "The scoop" in client.get(FRONT).content.decode()


def test_a_section_zone_change_purges_that_section_page(
    client, editor, django_capture_on_commit_callbacks
):
    sport = CategoryFactory(name="Sport", slug="sport")
    story(1, title="Match report", category=sport)
    top = zone("Top in sport", page=sport, size=1)
    url = sport.get_absolute_url()
    assert "Top in sport" in client.get(url).content.decode()

    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:frontpage_zone_change", args=[top.pk]),
            zone_form(top, title="Sport's big stories"),
        )
    client.logout()

    assert "Sport&#x27;s big stories" in client.get(url).content.decode()


def test_section_pages_show_their_own_pinned_stories_on_the_first_page_only(client):
    sport = CategoryFactory(name="Sport", slug="sport")
    for n in range(25):
        story(n + 1, category=sport)
    feature = story(900, title="The season preview", category=sport)
    top = zone("Sport's top stories", page=sport, size=1, layout=Zone.Layout.LEAD)
    pin(top, feature)
    zone("Front page only", size=1)

    first = client.get(sport.get_absolute_url()).content.decode()
    second = client.get(sport.get_absolute_url() + "?page=2").content.decode()

    check_html(first)
    assert "The season preview" in first.split("card-grid")[0]
    assert "Front page only" not in first
    assert "Sport&#x27;s top stories" not in second


def test_an_edited_story_leaves_the_cached_selection_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    from articles.services import article_unpublish

    gone = story(1, title="Pulled story")
    zone("Latest", size=2)
    assert "Pulled story" in client.get(FRONT).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=gone)

    assert "Pulled story" not in client.get(FRONT).content.decode()


# The breaking-news banner ------------------------------------------------------------------


def banner_add(**fields):
    fields.setdefault("expires_at", timezone.now() + timedelta(hours=1))
    banner = Banner.objects.create(**fields)
    services.banners_changed()
    return banner


def test_a_new_banner_shows_on_every_cached_page_at_once(
    client, django_capture_on_commit_callbacks
):
    sport = CategoryFactory(name="Sport", slug="sport")
    article = story(1, category=sport)
    zone("Latest")
    pages = [FRONT, sport.get_absolute_url(), article.get_absolute_url()]
    for url in pages:
        assert "Breaking" not in client.get(url).content.decode()  # cached without it

    with django_capture_on_commit_callbacks(execute=True):
        banner_add(text="Storm closes the harbour bridge", link="/section/sport/")

    for url in pages:
        html = client.get(url).content.decode()
        assert "Storm closes the harbour bridge" in html, url
        assert '<a href="/section/sport/">Storm closes' in html


def test_a_banner_is_gone_from_cached_pages_at_its_expiry(
    client, clock, django_capture_on_commit_callbacks
):
    story(1)
    zone("Latest")
    with django_capture_on_commit_callbacks(execute=True):
        banner_add(text="Polls close at ten", expires_at=timezone.now() + timedelta(seconds=30))
    assert "Polls close at ten" in client.get(FRONT).content.decode()
    assert "Polls close at ten" in client.get(FRONT).content.decode()  # the cached copy

    clock.advance(seconds=31)

    assert "Polls close at ten" not in client.get(FRONT).content.decode()


def test_a_hidden_or_expired_banner_is_never_shown(client, django_capture_on_commit_callbacks):
    zone("Latest")
    with django_capture_on_commit_callbacks(execute=True):
        banner_add(text="Taken down", is_shown=False)
        banner_add(text="Old news", expires_at=timezone.now() - timedelta(minutes=1))
    assert "Breaking" not in client.get(FRONT).content.decode()


def test_pages_read_the_banner_without_a_query(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        banner_add(text="Live: the count")
    client.get(reverse("articles:archive"))
    with CaptureQueriesContext(connection) as queries:
        assert "Live: the count" in client.get(reverse("articles:archive")).content.decode()
    assert not [q for q in queries if "frontpage_banner" in q["sql"]]


def test_a_banner_link_must_be_a_web_address():
    from django.core.exceptions import ValidationError

    banner = Banner(text="x", link="javascript:alert(1)", expires_at=timezone.now())
    with pytest.raises(ValidationError):
        banner.full_clean()


# Query budget -------------------------------------------------------------------------

FRONT_BUDGET = 9


def front_queries(client, django_assert_max_num_queries) -> int:
    from django.core.cache import caches

    # Cold: the page cache and the rendered pieces of pages (core.fragments) alike.
    for each in caches.all():
        each.clear()
    with django_assert_max_num_queries(FRONT_BUDGET), CaptureQueriesContext(connection) as q:
        assert client.get(FRONT).status_code == 200
    return len(q)


def test_the_front_page_query_count_does_not_grow_with_zones_pins_or_stories(
    client, django_assert_max_num_queries
):
    story(1, authors=[AuthorFactory()], is_featured=True)
    zone("Lead", layout=Zone.Layout.LEAD, size=5, featured_only=True)
    few = front_queries(client, django_assert_max_num_queries)

    for n in range(30):
        section = CategoryFactory()
        block = zone(f"Block {n}", section=section, size=4)
        for m in range(4):
            article = story(n * 5 + m, category=section, authors=AuthorFactory.create_batch(2))
            article.tags.add("x", "y")
            if m % 2:
                pin(block, article, position=m)
    many = front_queries(client, django_assert_max_num_queries)

    assert many == few
    selection = selection_for(page_id=None)
    assert len(selection.blocks) == 31
    assert all(len(block.stories) == 4 for block in selection.blocks[1:])


def test_a_warm_front_page_reads_nothing_from_the_database_for_its_zones(client):
    story(1)
    zone("Latest")
    client.get(FRONT)
    with CaptureQueriesContext(connection) as queries:
        client.get(FRONT + "?utm_source=x&x=1")  # not a cached address: rendered
    assert not [q for q in queries if "frontpage_" in q["sql"] or "articles_article" in q["sql"]]
