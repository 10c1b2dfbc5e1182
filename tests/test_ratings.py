import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.db.models import Count, Sum
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from articles.models import Article
from ratings.models import Rating
from ratings.services import RatingError, rating_remove, rating_set
from ratings.views import BROWSER_COOKIE
from tests.concurrency import run_in_threads
from tests.factories import ArticleFactory, RatingFactory, UserFactory

pytestmark = pytest.mark.django_db


def counters(article):
    article.refresh_from_db()
    return article.rating_count, article.rating_sum


def fresh_aggregate(article):
    totals = Rating.objects.filter(article=article).aggregate(count=Count("id"), sum=Sum("stars"))
    return totals["count"], totals["sum"] or 0


def rate_url(article):
    return reverse("ratings:rate", args=[article.pk])


def remove_url(article):
    return reverse("ratings:remove", args=[article.pk])


# The service ------------------------------------------------------------------------------


def test_first_rating_adds_to_the_articles_count_and_sum(article, user):
    rating, replaced = rating_set(article=article, user=user, stars=4)
    assert replaced is None
    assert rating.stars == 4
    assert counters(article) == (1, 4) == fresh_aggregate(article)


def test_second_rating_by_same_user_replaces_the_first(article, user):
    rating_set(article=article, user=user, stars=2)
    _rating, replaced = rating_set(article=article, user=user, stars=5)
    assert replaced == 2
    assert Rating.objects.filter(article=article, user=user).count() == 1
    assert counters(article) == (1, 5) == fresh_aggregate(article)


def test_the_average_is_sum_over_count(article):
    for stars in (5, 4, 2):
        rating_set(article=article, user=UserFactory(), stars=stars)
    article.refresh_from_db()
    assert article.rating_average == pytest.approx(11 / 3)


def test_removing_a_rating_takes_it_out_of_the_counters(article, user):
    rating_set(article=article, user=UserFactory(), stars=3)
    rating_set(article=article, user=user, stars=5)
    assert rating_remove(article=article, user=user) == 5
    assert counters(article) == (1, 3) == fresh_aggregate(article)


def test_removing_a_rating_that_does_not_exist_changes_nothing(article, user):
    assert rating_remove(article=article, user=user) is None
    assert counters(article) == (0, 0)


@pytest.mark.parametrize("stars", [0, 6, -1, 2.5, "3", None, True])
def test_the_service_refuses_stars_outside_one_to_five(article, user, stars):
    with pytest.raises(RatingError):
        rating_set(article=article, user=user, stars=stars)
    assert counters(article) == (0, 0)


def test_the_service_refuses_an_article_that_is_not_public(user):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    scheduled = ArticleFactory(published_at=timezone.now() + timezone.timedelta(days=1))
    for article in (draft, scheduled):
        with pytest.raises(RatingError):
            rating_set(article=article, user=user, stars=3)
    assert not Rating.objects.exists()


def test_the_database_refuses_stars_out_of_range_even_without_the_service(article, user):
    with pytest.raises(IntegrityError, match="rating_stars_1_5"):
        RatingFactory(article=article, user=user, stars=6)


def test_the_database_refuses_a_second_row_for_the_same_user(article, user):
    RatingFactory(article=article, user=user, stars=3)
    with pytest.raises(IntegrityError, match="rating_one_per_user"):
        RatingFactory(article=article, user=user, stars=4)


def test_a_rating_belongs_to_a_user_or_a_browser_never_both(article, user):
    with pytest.raises(IntegrityError, match="rating_user_xor_browser"):
        RatingFactory(article=article, user=user, browser_key="k", stars=4)


# Rating views: the plain form path (Post/Redirect/Get) -----------------------------------


def test_a_signed_in_reader_rates_and_is_sent_back_to_the_widget(reader_client, article, user):
    response = reader_client.post(rate_url(article), {"stars": "4"})
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#rating"
    assert Rating.objects.get(article=article, user=user).stars == 4
    assert counters(article) == (1, 4)
    notices = [str(message) for message in get_messages(response.wsgi_request)]
    assert notices == ["Thank you: your rating of 4 stars is saved."]


def test_the_remove_button_withdraws_the_rating(reader_client, article, user):
    rating_set(article=article, user=user, stars=2)
    response = reader_client.post(remove_url(article))
    assert response.status_code == 302
    assert counters(article) == (0, 0)


def test_anonymous_post_is_redirected_to_log_in_and_back_to_the_rating(client, article):
    response = client.post(rate_url(article), {"stars": "4"})
    assert response.status_code == 302
    login = reverse("account_login")
    assert response["Location"].startswith(f"{login}?next=")
    assert f"{article.get_absolute_url()}%23rating" in response["Location"]
    assert counters(article) == (0, 0)


def test_anonymous_htmx_post_gets_401_with_a_redirect_for_htmx(client, article):
    response = client.post(rate_url(article), {"stars": "4"}, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert "Log in to rate" in response.content.decode()
    assert counters(article) == (0, 0)


@pytest.mark.parametrize("stars", ["0", "6", "-1", "2.5", "abc", "", None])
def test_bad_stars_get_400_with_a_clear_message_and_leave_the_counters(
    reader_client, article, user, stars
):
    rating_set(article=article, user=UserFactory(), stars=3)
    data = {} if stars is None else {"stars": stars}
    for headers in ({}, {"HX-Request": "true"}):
        response = reader_client.post(rate_url(article), data, headers=headers)
        assert response.status_code == 400
        assert "from 1 to 5" in response.content.decode()
    assert counters(article) == (1, 3) == fresh_aggregate(article)


def test_the_400_page_links_back_to_the_article(reader_client, article):
    response = reader_client.post(rate_url(article), {"stars": "9"})
    assert f'href="{article.get_absolute_url()}#rating"' in response.content.decode()


@pytest.mark.parametrize(
    "make_article",
    [
        lambda: ArticleFactory(status=Article.Status.DRAFT, published_at=None),
        lambda: ArticleFactory(published_at=timezone.now() + timezone.timedelta(hours=2)),
        lambda: ArticleFactory(status=Article.Status.ARCHIVED),
    ],
    ids=["draft", "scheduled", "archived"],
)
def test_rating_an_article_that_is_not_public_is_404(reader_client, make_article):
    article = make_article()
    assert reader_client.post(rate_url(article), {"stars": "3"}).status_code == 404
    assert reader_client.post(remove_url(article)).status_code == 404
    assert not Rating.objects.exists()


def test_rating_an_unknown_article_is_404(reader_client):
    response = reader_client.post(reverse("ratings:rate", args=[999999]), {"stars": "3"})
    assert response.status_code == 404


def test_get_on_the_actions_is_405(reader_client, article):
    assert reader_client.get(rate_url(article)).status_code == 405
    assert reader_client.get(remove_url(article)).status_code == 405


def test_a_post_without_csrf_token_is_refused(article, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(rate_url(article), {"stars": "4"})
    assert response.status_code == 403
    assert counters(article) == (0, 0)


def test_rating_too_often_gets_429(reader_client, article, settings):
    settings.RATELIMITS = {"ratings": (3, 3600)}
    statuses = [
        reader_client.post(rate_url(article), {"stars": str(n)}).status_code for n in (1, 2, 3, 4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert counters(article) == (1, 3)


# The htmx path ------------------------------------------------------------------------------


def test_htmx_rating_returns_the_updated_widget_in_place(reader_client, article, user):
    rating_set(article=article, user=UserFactory(), stars=3)
    response = reader_client.post(
        rate_url(article), {"stars": "5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rating-body"' in html
    assert "<html" not in html
    assert "4.0/5" in html
    assert "2 ratings" in html
    assert f'value="5" id="rating-{article.pk}-5" checked' in html
    assert 'data-hx-swap-oob="innerHTML"' in html
    assert "your rating of 5 stars is saved" in html


def test_htmx_remove_returns_the_widget_with_no_ratings(reader_client, article, user):
    rating_set(article=article, user=user, stars=3)
    response = reader_client.post(remove_url(article), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<strong>0/5</strong> · 0 ratings" in response.content.decode()
    assert "Your rating is removed" in response.content.decode()


# The widget ---------------------------------------------------------------------------------


def render_widget(article, user):
    request = RequestFactory().get(article.get_absolute_url())
    request.user = user
    template = Template("{% load rating_tags %}{% rating_widget article %}")
    return template.render(Context({"article": article, "request": request, "user": user}))


def test_the_widget_says_no_ratings_yet_and_offers_log_in_to_anonymous_readers(article):
    from django.contrib.auth.models import AnonymousUser

    html = render_widget(article, AnonymousUser())
    assert "<strong>0/5</strong> · 0 ratings" in html
    assert "Log in to rate" in html
    assert f"?next={article.get_absolute_url()}%23rating" in html
    # Nothing personal and no form: this HTML goes into the page cache shared by everyone.
    assert "csrfmiddlewaretoken" not in html
    assert "<form" not in html


def test_the_widget_shows_average_and_count(article):
    from django.contrib.auth.models import AnonymousUser

    for stars in (4, 4, 4, 4, 3):
        rating_set(article=article, user=UserFactory(), stars=stars)
    article.refresh_from_db()
    html = strip_tags(render_widget(article, AnonymousUser()))
    assert "3.8/5 · 5 ratings" in html


def test_one_rating_is_singular(article):
    from django.contrib.auth.models import AnonymousUser

    rating_set(article=article, user=UserFactory(), stars=4)
    article.refresh_from_db()
    assert "4.0/5 · 1 rating\n" in strip_tags(render_widget(article, AnonymousUser()))


def test_the_widget_preselects_the_signed_in_readers_own_rating(article, user):
    rating_set(article=article, user=user, stars=2)
    article.refresh_from_db()
    html = render_widget(article, user)
    assert f'value="2" id="rating-{article.pk}-2" checked' in html
    assert html.count(" checked") == 1
    assert "Your rating: 2 out of 5" in html
    assert "Remove my rating" in html


def test_the_widget_is_an_accessible_radio_group(article, user):
    html = render_widget(article, user)
    assert "<fieldset" in html and "<legend>" in html
    assert html.count('type="radio" name="stars"') == 5
    for value in range(1, 6):
        assert f'<label for="rating-{article.pk}-{value}">' in html
    assert 'role="status"' in html


def test_the_widget_for_a_signed_in_reader_takes_one_query(
    article, user, django_assert_max_num_queries
):
    for _ in range(3):
        rating_set(article=article, user=UserFactory(), stars=5)
    article.refresh_from_db()
    with django_assert_max_num_queries(1):
        render_widget(article, user)


def test_the_widget_for_an_anonymous_reader_takes_no_query(article, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        render_widget(article, AnonymousUser())


# Anonymous ratings (RATINGS_ALLOW_ANONYMOUS) ----------------------------------------------


@pytest.fixture
def anonymous_ratings(settings):
    settings.RATINGS_ALLOW_ANONYMOUS = True


def test_anonymous_ratings_are_refused_by_default(client, article):
    client.post(rate_url(article), {"stars": "5"})
    assert not Rating.objects.exists()


def test_with_the_setting_a_browser_rates_once_and_can_change_it(
    anonymous_ratings, client, article
):
    response = client.post(rate_url(article), {"stars": "5"})
    assert response.status_code == 302
    assert BROWSER_COOKIE in response.cookies
    client.post(rate_url(article), {"stars": "2"})
    assert counters(article) == (1, 2) == fresh_aggregate(article)
    rating = Rating.objects.get()
    assert rating.user is None
    # The stored key is a hash, not the cookie value and not an address.
    assert rating.browser_key not in response.cookies[BROWSER_COOKIE].value
    assert "127.0.0.1" not in rating.browser_key


def test_with_the_setting_two_browsers_count_twice(anonymous_ratings, article):
    Client().post(rate_url(article), {"stars": "5"})
    Client().post(rate_url(article), {"stars": "3"})
    assert counters(article) == (2, 8) == fresh_aggregate(article)


def test_a_forged_browser_cookie_is_ignored_and_replaced(anonymous_ratings, client, article):
    client.cookies[BROWSER_COOKIE] = "forged-token"
    response = client.post(rate_url(article), {"stars": "4"})
    assert response.cookies[BROWSER_COOKIE].value != "forged-token"
    assert counters(article) == (1, 4)


def test_with_the_setting_the_cached_widget_links_to_a_form_page(anonymous_ratings, article):
    from django.contrib.auth.models import AnonymousUser

    html = render_widget(article, AnonymousUser())
    assert reverse("ratings:form", args=[article.pk]) in html
    assert "csrfmiddlewaretoken" not in html


def test_the_form_page_shows_the_browsers_own_rating_and_is_not_cached(
    anonymous_ratings, client, article
):
    client.post(rate_url(article), {"stars": "3"})
    response = client.get(reverse("ratings:form", args=[article.pk]))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert f'value="3" id="rating-{article.pk}-3" checked' in response.content.decode()


def test_the_form_page_sends_anonymous_readers_to_log_in_without_the_setting(client, article):
    response = client.get(reverse("ratings:form", args=[article.pk]))
    assert response.status_code == 302


# Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_raters_leave_exact_counters():
    article = ArticleFactory()
    users = UserFactory.create_batch(40)
    repeat = UserFactory()

    def work(index):
        if index < 40:
            rating_set(article=article, user=users[index], stars=index % 5 + 1)
        else:
            # Ten threads of one user racing on the first insert and on changes.
            rating_set(article=article, user=repeat, stars=index % 5 + 1)

    run_in_threads(50, work)
    assert Rating.objects.filter(article=article).count() == 41
    assert counters(article) == fresh_aggregate(article)
    assert counters(article)[0] == 41


@pytest.mark.django_db(transaction=True)
def test_concurrent_rate_and_remove_by_the_same_user_stay_exact():
    article = ArticleFactory()
    user = UserFactory()

    def work(index):
        if index % 3 == 0:
            rating_remove(article=article, user=user)
        else:
            rating_set(article=article, user=user, stars=index % 5 + 1)

    run_in_threads(30, work)
    assert counters(article) == fresh_aggregate(article)


def test_the_ratings_admin_lists_ratings_but_cannot_change_them(article, staff_user):
    rating_set(article=article, user=UserFactory(), stars=4)
    client = Client()
    client.force_login(staff_user)
    response = client.get(reverse("admin:ratings_rating_changelist"))
    assert response.status_code == 200
    assert article.title in response.content.decode()
    assert client.get(reverse("admin:ratings_rating_add")).status_code == 403
    rating = Rating.objects.get()
    client.post(reverse("admin:ratings_rating_delete", args=[rating.pk]), {"post": "yes"})
    assert Rating.objects.filter(pk=rating.pk).exists()


def test_htmx_loads_the_anonymous_rating_form_in_place(anonymous_ratings, client, article):
    response = client.get(
        reverse("ratings:form", args=[article.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="rating-body"' in html and "csrfmiddlewaretoken" in html


def test_an_anonymous_htmx_rating_returns_the_widget_and_sets_the_browser_cookie(
    anonymous_ratings, client, article
):
    response = client.post(rate_url(article), {"stars": "4"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert BROWSER_COOKIE in response.cookies
    assert response.cookies[BROWSER_COOKIE]["httponly"]
    assert f'value="4" id="rating-{article.pk}-4" checked' in response.content.decode()


@pytest.mark.parametrize(
    ("average", "fills"),
    [
        (None, ["empty"] * 5),
        (3.8, ["full"] * 4 + ["empty"]),
        (3.3, ["full"] * 3 + ["half", "empty"]),
        (4.75, ["full"] * 5),
        (1.0, ["full"] + ["empty"] * 4),
    ],
)
def test_the_average_is_drawn_to_the_nearest_half_star(average, fills):
    from ratings.views import star_fills

    assert star_fills(average) == fills


def test_the_summary_stars_are_decoration_beside_the_numbers(article):
    from django.contrib.auth.models import AnonymousUser

    for stars in (4, 3):
        rating_set(article=article, user=UserFactory(), stars=stars)
    article.refresh_from_db()
    html = render_widget(article, AnonymousUser())
    meter = html.split('<span class="star-meter" aria-hidden="true">', 1)[1].split(
        "</span></span>"
    )[0]
    assert meter.count("star-meter__star--full") == 3
    assert meter.count("star-meter__star--half") == 1
    assert meter.count("star-meter__star--empty") == 1
    # Screen readers get the words, not five star characters.
    assert "<strong>3.5/5</strong> · 2 ratings" in html
