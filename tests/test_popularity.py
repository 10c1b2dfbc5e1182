from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from articles.models import Article
from articles.top_rated import top_rated_recent
from readership.counting import view_record
from readership.folding import views_fold
from readership.models import ArticleViewDay
from readership.most_read import most_read, most_read_windows
from readership.recent import recent_readers
from tests.factories import ArticleFactory

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _database_buffer(settings):
    settings.VIEW_STORE = "database"
    settings.VIEW_FOLD_INTERVAL = 0
    # Each test starts as a fresh process would: nothing remembered about readers.
    recent_readers.clear()


def views_on(article, days_ago, views):
    day = timezone.localdate() - timedelta(days=days_ago)
    ArticleViewDay.objects.create(article=article, day=day, views=views)


def rated(stars_sum, count, **kwargs):
    return ArticleFactory(rating_sum=stars_sum, rating_count=count, **kwargs)


def top_rated(prior_weight=5):
    return list(Article.objects.published().top_rated(prior_weight=prior_weight)[:5])


def most_read_today():
    """The front page's cached 24-hour chart, as the articles' ids."""
    return [row.pk for row in most_read_windows()[0][2]]


def test_most_read_orders_articles_by_views_in_the_window(db):
    quiet, busy, middling = ArticleFactory(), ArticleFactory(), ArticleFactory()
    views_on(quiet, 0, 1)
    views_on(busy, 0, 50)
    views_on(middling, 0, 10)
    views_on(middling, 1, 10)
    chart = most_read(days=1)
    assert chart == [busy, middling, quiet]
    assert [a.recent_views for a in chart] == [50, 20, 1]


def test_most_read_windows_leave_out_older_days(db):
    today_hit, last_week_hit, last_month_hit = ArticleFactory(), ArticleFactory(), ArticleFactory()
    views_on(today_hit, 0, 5)
    views_on(last_week_hit, 5, 50)
    views_on(last_month_hit, 20, 500)
    views_on(last_month_hit, 40, 9999)  # outside every window
    assert most_read(days=1) == [today_hit]
    assert most_read(days=7) == [last_week_hit, today_hit]
    thirty = most_read(days=30)
    assert thirty == [last_month_hit, last_week_hit, today_hit]
    assert thirty[0].recent_views == 500


def test_most_read_shows_only_published_articles(db):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))
    public = ArticleFactory()
    for article in (draft, scheduled, public):
        views_on(article, 0, 10)
    assert most_read(days=1) == [public]


def test_most_read_respects_the_limit(db):
    for n in range(8):
        views_on(ArticleFactory(), 0, n + 1)
    assert len(most_read(days=7, limit=5)) == 5


def test_most_read_windows_are_cached(db, django_assert_num_queries):
    views_on(ArticleFactory(), 0, 3)
    most_read_windows()
    with django_assert_num_queries(0):
        most_read_windows()


def test_most_read_changes_as_views_arrive_after_fold_and_cache_expiry(db):
    leader, challenger = ArticleFactory(), ArticleFactory()
    views_on(leader, 0, 3)
    assert most_read_today() == [leader.pk]
    for n in range(5):
        request = RequestFactory().get("/", REMOTE_ADDR=f"203.0.113.{n}", HTTP_USER_AGENT=CHROME)
        request.user = AnonymousUser()
        assert view_record(request=request, article=challenger)
    views_fold()
    assert most_read_today() == [leader.pk]  # still the cached chart
    cache.clear()  # the chart's cache entry expires
    assert most_read_today() == [challenger.pk, leader.pk]


def test_top_rated_does_not_let_one_five_star_vote_win(db):
    one_vote = rated(5, 1)
    loved = rated(46 * 10, 100)  # 4.6 from 100 readers
    average = rated(3 * 50, 50)
    chart = top_rated(prior_weight=5)
    assert chart[0] == loved
    assert chart.index(one_vote) > chart.index(loved)
    assert chart[-1] == average
    site_mean = (5 + 460 + 150) / (1 + 100 + 50)
    assert chart[0].bayesian_rating == pytest.approx((5 * site_mean + 460) / (5 + 100))


def test_top_rated_follows_the_bayesian_formula(db):
    a = rated(4 * 4, 4)  # 4.0 from 4 votes
    b = rated(5 * 2, 2)  # 5.0 from 2 votes
    c = rated(2 * 20, 20)  # 2.0 from 20 votes
    mean = (16 + 10 + 40) / (4 + 2 + 20)
    expected = {
        article: (10 * mean + article.rating_sum) / (10 + article.rating_count)
        for article in (a, b, c)
    }
    chart = top_rated(prior_weight=10)
    assert chart == sorted(expected, key=expected.get, reverse=True)
    for article in chart:
        assert article.bayesian_rating == pytest.approx(expected[article])


def test_top_rated_leaves_out_unrated_and_unpublished_articles(db):
    rated(5, 1, status=Article.Status.DRAFT, published_at=None)
    ArticleFactory()
    liked = rated(4, 1)
    assert top_rated() == [liked]


def test_top_rated_is_empty_without_ratings(db):
    ArticleFactory()
    assert top_rated() == []


def test_the_front_page_top_rated_uses_the_prior_weight_setting_and_is_cached(
    db, settings, django_assert_num_queries
):
    settings.TOP_RATED_PRIOR_WEIGHT = 0
    one_vote = rated(5, 1)
    steady = rated(4 * 30, 30)
    # Without a prior it is the plain average, and one perfect vote tops the chart.
    assert top_rated_recent() == [one_vote, steady]
    with django_assert_num_queries(0):
        assert top_rated_recent() == [one_vote, steady]


def test_most_read_windows_give_every_window_with_its_label(db):
    views_on(ArticleFactory(), 3, 5)
    windows = most_read_windows()
    assert [(days, str(label), len(articles)) for days, label, articles in windows] == [
        (1, "24 hours", 0),
        (7, "7 days", 1),
        (30, "30 days", 1),
    ]


def test_front_page_and_article_sidebar_show_every_most_read_window(client, db):
    today_hit = ArticleFactory(title="Read today")
    last_week_hit = ArticleFactory(title="Read last week")
    views_on(today_hit, 0, 10)
    views_on(last_week_hit, 4, 50)

    for url in ("/", today_hit.get_absolute_url()):
        html = client.get(url).content.decode()
        block = html[html.index('id="most-read-heading"') :]
        windows = block.split("<details")[1:4]
        assert [w.split("<summary>")[1].split("</summary>")[0] for w in windows] == [
            "24 hours",
            "7 days",
            "30 days",
        ]
        assert "Read today" in windows[0] and "Read last week" not in windows[0]
        assert windows[1].index("Read last week") < windows[1].index("Read today")
