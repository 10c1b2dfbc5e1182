"""The editors' dashboard on the admin index and the 30-day views charts."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from articles.models import Article
from newsportal.templatetags import desk
from readership import charts
from readership.models import ArticleViewDay
from readership.most_read import most_read
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db


def at_local(days_ago=0, hour=12):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def views(article, days_ago, count):
    ArticleViewDay.objects.create(
        article=article,
        day=timezone.localdate() - datetime.timedelta(days=days_ago),
        views=count,
    )


def test_published_today_counts_only_articles_public_since_midnight():
    now = timezone.now()
    # Halfway between local midnight and now: "today" even when the suite runs at 00:01.
    today = ArticleFactory(published_at=now - (now - at_local(hour=0)) / 2)
    ArticleFactory(published_at=at_local(days_ago=1))
    ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(published_at=now + datetime.timedelta(hours=1))  # scheduled
    assert desk.published_today(now) == [today]


def test_scheduled_next_lists_future_articles_soonest_first(editor):
    now = timezone.now()
    later = ArticleFactory(published_at=now + datetime.timedelta(days=2))
    sooner = ArticleFactory(published_at=now + datetime.timedelta(hours=3))
    ArticleFactory(published_at=now - datetime.timedelta(hours=3))
    ArticleFactory(status=Article.Status.DRAFT, published_at=now + datetime.timedelta(hours=1))
    assert desk.scheduled_next(editor, now=now) == [sooner, later]


def test_the_desk_most_read_sums_today_and_yesterday_only_for_public_articles():
    hit, steady, old_news = ArticleFactory(), ArticleFactory(), ArticleFactory()
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    views(hit, 0, 50)
    views(hit, 1, 30)
    views(steady, 0, 40)
    views(old_news, 3, 1000)
    views(draft, 0, 999)
    chart = most_read(days=1)
    assert [(article, article.recent_views) for article in chart] == [(hit, 80), (steady, 40)]


def test_daily_views_fill_every_day_of_the_window_with_zeros():
    article, other = ArticleFactory(), ArticleFactory()
    views(article, 0, 7)
    views(article, 29, 3)
    views(article, 30, 100)  # outside the 30 days
    views(other, 0, 5)
    site = charts.daily_views()
    assert len(site) == 30
    assert site[0] == (timezone.localdate() - datetime.timedelta(days=29), 3)
    assert site[-1] == (timezone.localdate(), 12)
    assert sum(v for _d, v in site) == 15
    own = charts.daily_views(article)
    assert own[-1][1] == 7
    assert sum(v for _d, v in own) == 10


def test_chart_bars_scale_to_the_busiest_day():
    article = ArticleFactory()
    views(article, 0, 100)
    views(article, 1, 50)
    chart = charts.views_chart(article)
    assert chart.total == 150
    assert chart.peak == 100
    tallest, half = chart.bars[-1], chart.bars[-2]
    assert tallest.y + tallest.height == chart.height
    assert half.height == pytest.approx(tallest.height / 2, abs=0.1)
    assert chart.bars[0].height == 0


def test_chart_of_a_site_without_views_has_flat_bars():
    chart = charts.views_chart()
    assert chart.total == 0
    assert all(bar.height == 0 for bar in chart.bars)


def test_pending_comments_are_counted():
    from comments.models import Comment

    article = ArticleFactory()
    for status in ("pending", "pending", "approved", "spam"):
        Comment.objects.create(article=article, user=UserFactory(), body="Hi", status=status)
    assert desk.pending_comment_count() == 2


def test_admin_index_shows_the_dashboard_with_an_accessible_chart(editor_client):
    article = ArticleFactory(title="Tram line opens")
    views(article, 0, 321)
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published today" in html
    assert "Scheduled next" in html
    assert "Comments waiting" in html
    assert "Tram line opens" in html
    assert "321 views" in html
    assert '<svg viewBox="0 0 600 180" role="img"' in html
    assert "<table>" in html and '<th scope="col">Views</th>' in html


def test_dashboard_makes_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    for n in range(12):
        article = ArticleFactory()
        views(article, 0, n + 1)
        ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=n + 1))
        ArticleFactory(
            status=Article.Status.REVIEW,
            published_at=None,
            authors=[AuthorFactory(), AuthorFactory()],
        )
    # 14 before the review queue, which adds its list, its bylines and its count.
    with django_assert_max_num_queries(17):
        assert editor_client.get(reverse("admin:index")).status_code == 200


def test_article_change_page_has_its_own_views_chart(editor_client):
    article = ArticleFactory()
    views(article, 0, 42)
    other = ArticleFactory()
    views(other, 0, 1000)
    response = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = response.content.decode()
    assert "Views of this article, last 30 days" in html
    assert "42 views" in html
    assert "1042" not in html


def test_a_reader_with_staff_access_but_no_article_rights_sees_no_dashboard(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Published today" not in response.content.decode()


def author_account():
    user = roles.role_assign(user=UserFactory(), role=roles.AUTHOR)
    return user, roles.author_for(user)


def test_an_author_sees_only_what_they_may_open(client, editor):
    """Issue 11, defect 11: the desk showed every author's scheduled headlines."""
    me, my_profile = author_account()
    _colleague, their_profile = author_account()
    soon = timezone.now() + datetime.timedelta(hours=2)
    mine = ArticleFactory(title="My embargoed scoop", published_at=soon, authors=[my_profile])
    ArticleFactory(title="Their embargoed scoop", published_at=soon, authors=[their_profile])
    today = timezone.now() - datetime.timedelta(minutes=5)
    theirs_public = ArticleFactory(
        title="Their story out today", published_at=today, authors=[their_profile]
    )
    views(theirs_public, 0, 9)

    client.force_login(me)
    html = client.get(reverse("admin:index")).content.decode()
    assert "My embargoed scoop" in html
    assert reverse("admin:articles_article_change", args=[mine.pk]) in html
    assert "Their embargoed scoop" not in html
    # Public stories stay on the desk, linked to the page any reader may open.
    assert "Their story out today" in html
    assert theirs_public.get_absolute_url() in html
    assert reverse("admin:articles_article_change", args=[theirs_public.pk]) not in html
    # The moderation queue is not theirs to open.
    assert "Comments waiting" not in html

    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert "My embargoed scoop" in html and "Their embargoed scoop" in html
    assert reverse("admin:articles_article_change", args=[theirs_public.pk]) in html
    assert "Comments waiting" in html


def test_every_link_on_an_authors_desk_opens(client):
    me, my_profile = author_account()
    _colleague, their_profile = author_account()
    soon = timezone.now() + datetime.timedelta(hours=2)
    for profile in (my_profile, their_profile):
        ArticleFactory(published_at=soon, authors=[profile])
        views(ArticleFactory(authors=[profile]), 0, 3)
    client.force_login(me)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    desk = html[html.index('<section class="desk-dashboard"') :]
    desk = desk[: desk.index("</section>")]
    links = re.findall(r'<a href="([^"#]+)"', desk)
    assert len(links) >= 3
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_desk_shows_what_waits_in_review_and_whose_it_is(client, editor):
    me, my_profile = author_account()
    _colleague, their_profile = author_account()
    waiting = timezone.now() - datetime.timedelta(hours=3)
    mine = ArticleFactory(
        title="My draft for review",
        status=Article.Status.REVIEW,
        published_at=None,
        authors=[my_profile],
    )
    ArticleFactory(
        title="Their draft for review",
        status=Article.Status.REVIEW,
        published_at=None,
        authors=[their_profile],
    )
    ArticleFactory(title="Still a draft", status=Article.Status.DRAFT, published_at=None)
    Article.objects.filter(pk=mine.pk).update(updated_at=waiting)

    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    card = html[html.index('id="desk-in-review"') :]
    card = card[: card.index("</div>")]
    assert "Waiting for your review" in card
    assert '<p class="desk-number">2</p>' in card
    # Longest waiting first, each with its authors and how long it has waited.
    assert card.index("My draft for review") < card.index("Their draft for review")
    assert f"by {my_profile.name} · waiting 3" in card
    assert f"by {their_profile.name}" in card
    assert "Still a draft" not in card
    assert reverse("admin:articles_article_change", args=[mine.pk]) in card

    client.force_login(me)
    html = client.get(reverse("admin:index")).content.decode()
    card = html[html.index('id="desk-in-review"') :]
    card = card[: card.index("</div>")]
    assert "Yours, waiting for an editor" in card
    assert "My draft for review" in card
    assert "Their draft for review" not in card
