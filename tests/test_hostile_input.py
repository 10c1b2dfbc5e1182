"""Hostile input, everywhere at once: every address answers bad input with a 4xx, never a 500,
and an action refused for any reason changes nothing.

The tables are checked against django.urls.get_resolver(): a new address that is in none of
them fails `test_every_address_is_in_a_table`, so it cannot escape the sweep.
"""

import io
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from articles.models import Article
from comments.models import Comment, Report
from polls.models import PollChoice, PollVote
from ratings.models import Rating
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    PollChoiceFactory,
    PollFactory,
    UserFactory,
)
from votes.models import Vote

pytestmark = pytest.mark.django_db

# Every one goes to every page, as an anonymous reader and as a logged-in one.
HOSTILE_QUERIES = [
    "page=abc",
    "page=-1",
    "page=0",
    "page=1.5",
    "page=99999999999999999999",
    "page=last",
    "page=1&page=2&page=x",
    "q=" + "x" * 10_240,
    "q=" + quote("'\"<script>alert(1)</script>"),
    "q=a%00b&section=%00&author=%00&page=%00",
    "q=" + quote("!(&|)<-> :* \\ 'x':A & !!"),
    "q=" + quote("1' OR '1'='1'; DROP TABLE articles_article; --"),
    "q=" + quote("café 📰 \u202e \ufeff \ue000 Ω") + "&q=second",
    "q=%ff%fe%c3%28&page=%ff",
    "date_from=2026-13-45&date_to=0000-00-00",
    "date_from=9999-12-31&date_to=0001-01-01",
    "section=no-such-section&author=no-such-author&sort=sideways",
    "author=" + "9" * 30,
    "cpage=x",
    "cpage=-5",
    "cpage=99999999999999999999",
    "next=https://evil.example/&utm_source=" + "u" * 2000,
    "format=json&callback=alert",
    "p=1%27&preview=true",
]

HUGE = "9" * 30
BIG_INT = "2147483648"  # one past PostgreSQL's integer


@pytest.fixture
def world(db):
    """One of everything a page or an action can point at."""
    section = CategoryFactory(name="Politics", slug="politics")
    author = AuthorFactory(slug="jo-writer")
    article = ArticleFactory(category=section, authors=[author])
    article.tags.add("budget")
    commenter = UserFactory()
    comment = CommentFactory(article=article, user=commenter)
    poll = PollFactory(article=article, question="Raise the tax?", answers=["a", "b"])
    return {
        "section": section,
        "author": author,
        "article": article,
        "comment": comment,
        "commenter": commenter,
        "poll": poll,
        "choice": poll.choices.get(position=0),
        "other_article": ArticleFactory(category=section),
    }


def day_parts(article) -> list[str]:
    day = article.publish_date
    return [str(day.year), f"{day:%m}", f"{day:%d}"]


def good_paths(world) -> dict[str, str]:
    """A working address for every page that answers GET."""
    article = world["article"]
    year, month, day = day_parts(article)
    return {
        "healthz": "/healthz",
        "readyz": "/readyz",
        "robots-txt": "/robots.txt",
        "sitemap-index": "/sitemap.xml",
        "sitemap-section": reverse("sitemap-section", args=["articles"]),
        "news-sitemap": "/news-sitemap.xml",
        "account_login": reverse("account_login"),
        "account_signup": reverse("account_signup"),
        "account_reset_password": reverse("account_reset_password"),
        "account_reset_password_done": reverse("account_reset_password_done"),
        "account_reset_password_from_key_done": reverse("account_reset_password_from_key_done"),
        "account_reset_password_from_key": "/accounts/password/reset/key/1-bogus-key/",
        "account_inactive": reverse("account_inactive"),
        "account_email_verification_sent": reverse("account_email_verification_sent"),
        "account_confirm_email": "/accounts/confirm-email/bogus-key/",
        "account_email": reverse("account_email"),
        "account_change_password": reverse("account_change_password"),
        "account_set_password": reverse("account_set_password"),
        "account_reauthenticate": reverse("account_reauthenticate"),
        "account_request_reauthentication_code": reverse("account_request_reauthentication_code"),
        "account_confirm_reauthentication_code": reverse("account_confirm_reauthentication_code"),
        "account_confirm_login_code": reverse("account_confirm_login_code"),
        "accounts:profile": reverse("accounts:profile"),
        "comments:permalink": reverse("comments:permalink", args=[world["comment"].pk]),
        "ratings:form": reverse("ratings:form", args=[article.pk]),
        "articles:home": "/",
        "articles:section": world["section"].get_absolute_url(),
        "articles:author": world["author"].get_absolute_url(),
        "articles:tag": reverse("articles:tag", args=["budget"]),
        "articles:preview": reverse("articles:preview", args=[article.pk]),
        "articles:archive": reverse("articles:archive"),
        "articles:archive-year": f"/{year}/",
        "articles:archive-month": f"/{year}/{month}/",
        "articles:archive-day": f"/{year}/{month}/{day}/",
        "articles:search": reverse("articles:search") + "?q=council",
        "articles:feed-rss": reverse("articles:feed-rss"),
        "articles:feed-atom": reverse("articles:feed-atom"),
        "articles:feed-section-rss": reverse("articles:feed-section-rss", args=["politics"]),
        "articles:feed-section-atom": reverse("articles:feed-section-atom", args=["politics"]),
        "articles:feed-tag-rss": reverse("articles:feed-tag-rss", args=["budget"]),
        "articles:feed-tag-atom": reverse("articles:feed-tag-atom", args=["budget"]),
        "articles:feed-author-rss": reverse("articles:feed-author-rss", args=["jo-writer"]),
        "articles:feed-author-atom": reverse("articles:feed-author-atom", args=["jo-writer"]),
        "articles:detail": article.get_absolute_url(),
        "media": "/media/no-such-file.jpg",
    }


# Bad values in the path itself: each must be a 404 (or a redirect), never a 500.
HOSTILE_PATHS = [
    "/section/no-such-section/",
    "/section/" + "s" * 300 + "/",
    "/authors/-/",
    "/tag/_/",
    f"/preview/{HUGE}/",
    "/0000/",
    "/9999/",
    "/9999/12/",
    "/9999/12/31/",
    "/0001/01/01/",
    "/2026/00/",
    "/2026/13/",
    "/2026/02/31/",
    "/2026/02/29/",
    "/2026/99/99/",
    "/2026/02/31/some-story/",
    "/2026/ab/01/some-story/",
    "/2026/%C3%A9/01/some-story/",
    f"/{HUGE}/01/01/some-story/",
    "/2026/1/1/" + "s" * 300 + "/",
    "/2026/01/01/%00/",
    f"/comments/{HUGE}/",
    f"/comments/{BIG_INT}/",
    "/comments/0/",
    f"/ratings/{HUGE}/form/",
    f"/ratings/{BIG_INT}/form/",
    "/feeds/section/no-such-section/rss/",
    "/feeds/tag/no-such-tag/atom/",
    "/feeds/author/no-such-author/rss/",
    "/sitemap-nothing.xml",
    "/sitemap-articles.xml?p=abc",
    "/sitemap-articles.xml?p=99999999999999999999",
    "/accounts/password/reset/key/zz-" + "k" * 500 + "/",
    "/accounts/confirm-email/" + "k" * 500 + "/",
    "/media/../../../etc/passwd",
    "/media/%00.jpg",
    "/%ff%fe/",
]

# Addresses that only take POST (GET is 405), and those that are forms (GET shows them).
ACTIONS = {
    "comments:create",
    "comments:edit",
    "comments:delete",
    "comments:report",
    "ratings:rate",
    "ratings:remove",
    "votes:vote",
    "polls:vote",
    "articles:view-beacon",
    "account_logout",
}
# allauth's own views answer GET on these with a page or a redirect; covered by the sweep.


def url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    yield namespace + pattern.name
                elif "media" in str(pattern.pattern):
                    yield "media"

    return set(walk(get_resolver().url_patterns))


def test_every_address_is_in_a_table(world):
    covered = set(good_paths(world)) | ACTIONS
    assert url_names() - covered == set(), "add the new address to a table in this module"


def status_of(client: Client, method: str, url: str, **extra) -> int | str:
    """The status, or the exception a 500 would have been. A savepoint per request keeps one
    failing request from aborting the test's transaction for the next."""
    try:
        with transaction.atomic():
            return getattr(client, method)(url, **extra).status_code
    except Exception as error:  # any exception at all is the finding
        return f"{type(error).__name__}: {error}"[:300]


def failures(client: Client, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        status = status_of(client, "get", url)
        if not isinstance(status, int) or status >= 500:
            found.append(f"GET {url[:120]} → {status}")
    return found


@pytest.fixture(params=["anonymous", "reader"])
def visitor(request, client, world):
    if request.param != "anonymous":
        client.force_login(UserFactory())
    return client


def with_hostile_queries(paths) -> list[str]:
    urls = []
    for path in paths:
        separator = "&" if "?" in path else "?"
        urls += [f"{path}{separator}{query}" for query in HOSTILE_QUERIES]
    return urls


def test_no_page_answers_hostile_query_strings_with_a_server_error(visitor, world):
    assert failures(visitor, with_hostile_queries(good_paths(world).values())) == []


def test_no_staff_page_answers_hostile_query_strings_with_a_server_error(
    client, staff_user, world
):
    client.force_login(staff_user)
    paths = good_paths(world)
    staff_pages = ["articles:preview", "articles:detail", "articles:home", "accounts:profile"]
    assert client.get(paths["articles:preview"]).status_code == 200
    assert failures(client, with_hostile_queries(paths[name] for name in staff_pages)) == []


def test_no_htmx_fragment_answers_hostile_query_strings_with_a_server_error(visitor, world):
    paths = good_paths(world)
    urls = with_hostile_queries(paths[name] for name in ("articles:search", "ratings:form"))
    problems = []
    for url in urls:
        status = status_of(visitor, "get", url, HTTP_HX_REQUEST="true")
        if not isinstance(status, int) or status >= 500:
            problems.append(f"htmx GET {url[:120]} → {status}")
    assert problems == []


HOSTILE_HEADERS = [
    {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "x", "HTTP_HX_TRIGGER": "\x00"},
    {"HTTP_USER_AGENT": "Mozilla/5.0 " + "é" * 5000, "HTTP_X_FORWARDED_FOR": "nope, , ::::"},
    {"HTTP_ACCEPT_LANGUAGE": "xx-YY;q=abc, *;q=0, ;;;" + "a" * 1000},
    {"HTTP_IF_MODIFIED_SINCE": "yesterday", "HTTP_IF_NONE_MATCH": '"', "HTTP_RANGE": "bytes=9-1"},
    {"HTTP_SEC_FETCH_SITE": "\x00", "HTTP_REFERER": "\x00", "REMOTE_ADDR": ""},
]
HOSTILE_COOKIES = {
    "sessionid": "garbage\x7f",
    "messages": "x" * 4000,
    "np_rater": "a:b:c",
    "csrftoken": "<>",
}


def test_no_page_answers_hostile_headers_or_cookies_with_a_server_error(client, world, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    paths = [path for name, path in good_paths(world).items() if name.startswith("articles:")]
    problems = []
    for headers in HOSTILE_HEADERS:
        for path in paths:
            status = status_of(client, "get", path, **headers)
            if not isinstance(status, int) or status >= 500:
                problems.append(f"GET {path} {str(headers)[:80]} → {status}")
        status = status_of(client, "post", action_url("articles:view-beacon", world), **headers)
        if status != 204:
            problems.append(f"beacon {str(headers)[:80]} → {status}")
    for name, value in HOSTILE_COOKIES.items():
        client.cookies[name] = value
    problems += failures(client, paths)
    assert problems == []


def test_no_page_answers_hostile_path_values_with_a_server_error(visitor, world):
    problems = failures(visitor, HOSTILE_PATHS)
    assert problems == []
    # And the ones that name nothing are not found, rather than shown or redirected elsewhere.
    for path in ("/section/no-such-section/", "/2026/02/31/", "/9999/12/31/", "/2026/13/"):
        assert visitor.get(path).status_code == 404, path


def test_a_day_archive_for_the_last_representable_day_is_not_a_server_error(client, world):
    # Django's next-day link for 9999-12-31 overflows the date type unless it is guarded.
    assert client.get("/9999/12/31/").status_code == 404


# ---------------------------------------------------------------------------------------
# Actions: CSRF, method, login, garbage, size. Nothing refused may change a counter.


def snapshot(world) -> dict:
    article = Article.objects.get(pk=world["article"].pk)
    comment = Comment.objects.get(pk=world["comment"].pk)
    return {
        "comments": Comment.objects.count(),
        "comment_count": article.comment_count,
        "ratings": (Rating.objects.count(), article.rating_count, article.rating_sum),
        "comment": (comment.body, comment.status, comment.score, comment.deleted_at),
        "reports": (Report.objects.count(), comment.report_count),
        "votes": Vote.objects.count(),
        "poll": (
            PollVote.objects.count(),
            PollChoice.objects.aggregate(total=Sum("vote_count"))["total"],
        ),
        "views": article.view_count,
    }


def action_url(name: str, world) -> str:
    args = {
        "comments:create": world["article"].pk,
        "ratings:rate": world["article"].pk,
        "ratings:remove": world["article"].pk,
        "articles:view-beacon": world["article"].pk,
        "polls:vote": world["poll"].pk,
    }
    if name == "account_logout":
        return reverse(name)
    return reverse(name, args=[args.get(name, world["comment"].pk)])


def valid_data(name: str, world) -> dict:
    return {
        "comments:create": {"body": "A perfectly good comment."},
        "comments:edit": {"body": "An edited comment."},
        "comments:report": {"reason": "spam"},
        "ratings:rate": {"stars": "4"},
        "votes:vote": {"value": "up"},
        "polls:vote": {"choice": str(world["choice"].pk)},
    }.get(name, {})


@pytest.fixture
def no_limits(settings):
    settings.RATELIMIT_ENABLE = False
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.mark.parametrize("name", sorted(ACTIONS - {"articles:view-beacon"}))
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "reader"])
def test_an_action_without_a_csrf_token_is_forbidden_and_changes_nothing(
    name, signed_in, world, no_limits
):
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        # The comment's own author, so edit and delete would otherwise be allowed.
        client.force_login(world["commenter"])
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 403
    assert snapshot(world) == before
    if signed_in:
        assert "_auth_user_id" in client.session, "a forged logout must not log anyone out"


def test_the_view_beacon_is_the_one_csrf_exempt_action_and_only_adds_a_view(world):
    # By design (articles/tracking.py): the page may come from a shared cache, without a token.
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")
    before = snapshot(world)
    assert client.post(action_url("articles:view-beacon", world)).status_code == 204
    after = snapshot(world)
    assert {k: v for k, v in after.items() if k != "views"} == {
        k: v for k, v in before.items() if k != "views"
    }


@pytest.mark.parametrize("name", sorted(ACTIONS - {"account_logout"}))
def test_get_on_an_action_is_405_and_changes_nothing(name, client, world):
    client.force_login(world["commenter"])
    before = snapshot(world)
    url = action_url(name, world)
    assert client.get(url).status_code == 405
    assert client.get(url, valid_data(name, world)).status_code == 405
    assert client.head(url).status_code == 405
    assert snapshot(world) == before


def test_get_on_logout_asks_for_confirmation_and_keeps_the_reader_logged_in(client, world):
    client.force_login(world["commenter"])
    assert client.get(reverse("account_logout")).status_code == 200
    assert "_auth_user_id" in client.session


LOGIN_ACTIONS = sorted(ACTIONS - {"articles:view-beacon", "account_logout"})


@pytest.mark.parametrize("name", LOGIN_ACTIONS)
def test_an_anonymous_action_is_sent_to_log_in_and_changes_nothing(name, client, world):
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize("name", LOGIN_ACTIONS)
def test_an_anonymous_background_action_gets_401(name, client, world):
    before = snapshot(world)
    response = client.post(
        action_url(name, world), valid_data(name, world), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 401
    assert snapshot(world) == before


@pytest.mark.parametrize("name", ["accounts:profile", "account_change_password", "account_email"])
def test_an_anonymous_account_form_post_is_sent_to_log_in(name, client, world):
    response = client.post(reverse(name), {"display_name": "Someone", "email": "a@example.com"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


MEGABYTE_TEXT = "word " * 200_000
GARBAGE = [
    ("comments:create", {}),
    ("comments:create", {"body": ""}),
    ("comments:create", {"body": "   \n\t  "}),
    ("comments:create", {"body": MEGABYTE_TEXT}),
    ("comments:create", {"body": "hello\x00world"}),
    ("comments:create", {"body": "ok", "parent": "abc"}),
    ("comments:create", {"body": "ok", "parent": HUGE}),
    ("comments:create", {"body": "ok", "parent": BIG_INT}),
    ("comments:create", {"body": "ok", "parent": "-1"}),
    ("comments:create", {"body": "ok", "website": "http://spam.example/"}),
    ("comments:edit", {}),
    ("comments:edit", {"body": MEGABYTE_TEXT}),
    ("comments:edit", {"body": "a\x00b"}),
    ("comments:report", {}),
    ("comments:report", {"reason": "because"}),
    ("comments:report", {"reason": "spam\x00"}),
    ("ratings:rate", {}),
    ("ratings:rate", {"stars": "0"}),
    ("ratings:rate", {"stars": "6"}),
    ("ratings:rate", {"stars": "-1"}),
    ("ratings:rate", {"stars": "4.5"}),
    ("ratings:rate", {"stars": "four"}),
    ("ratings:rate", {"stars": HUGE}),
    ("ratings:rate", {"stars": "4\x00"}),
    ("votes:vote", {}),
    ("votes:vote", {"value": "sideways"}),
    ("votes:vote", {"value": "2"}),
    ("votes:vote", {"value": "up\x00"}),
    ("polls:vote", {}),
    ("polls:vote", {"choice": "abc"}),
    ("polls:vote", {"choice": "0"}),
    ("polls:vote", {"choice": HUGE}),
    ("polls:vote", {"choice": BIG_INT}),
    ("polls:vote", {"choice": "1\x00"}),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_garbage_in_an_action_is_a_4xx_and_changes_nothing(client, world, no_limits, htmx):
    client.force_login(UserFactory())
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = snapshot(world)
    problems = []
    for name, data in GARBAGE:
        status = status_of(client, "post", action_url(name, world), data=data, **extra)
        if not (isinstance(status, int) and 400 <= status < 500):
            problems.append(f"{name} {str(data)[:60]} → {status}")
    assert problems == []
    assert snapshot(world) == before


def test_an_answer_from_another_poll_is_refused(client, world, no_limits):
    foreign = PollChoiceFactory(poll__article=world["other_article"])
    client.force_login(UserFactory())
    before = snapshot(world)
    response = client.post(action_url("polls:vote", world), {"choice": foreign.pk})
    assert response.status_code == 400
    assert snapshot(world) == before


def test_a_reply_to_a_comment_on_another_article_is_refused(client, world, no_limits):
    elsewhere = CommentFactory(article=world["other_article"])
    client.force_login(UserFactory())
    before = Comment.objects.count()
    response = client.post(
        action_url("comments:create", world), {"body": "Replying across", "parent": elsewhere.pk}
    )
    assert response.status_code == 400
    assert Comment.objects.count() == before


@pytest.mark.parametrize("name", ["comments:edit", "comments:delete"])
def test_someone_elses_comment_cannot_be_edited_or_deleted(name, client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    response = client.post(action_url(name, world), valid_data(name, world))
    assert response.status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize(
    "name", ["comments:create", "ratings:rate", "polls:vote", "votes:vote", "comments:report"]
)
def test_an_action_on_an_article_that_is_not_public_is_404(name, client, world, no_limits):
    Article.objects.filter(pk=world["article"].pk).update(status=Article.Status.DRAFT)
    client.force_login(UserFactory())
    before = snapshot(world)
    assert client.post(action_url(name, world), valid_data(name, world)).status_code == 404
    assert snapshot(world) == before


@pytest.mark.parametrize("name", sorted(ACTIONS - {"account_logout"}))
def test_an_action_on_something_that_does_not_exist_is_404(name, client, world, no_limits):
    client.force_login(UserFactory())
    url = action_url(name, world)
    for missing in ("999999", BIG_INT, HUGE):
        pk = str(world["poll"].pk if name == "polls:vote" else world["article"].pk)
        if name.startswith(("comments:", "votes:")) and name != "comments:create":
            pk = str(world["comment"].pk)
        bad = url.replace(f"/{pk}/", f"/{missing}/")
        assert status_of(client, "post", bad, data=valid_data(name, world)) == 404, bad


def test_a_body_beyond_the_upload_limit_is_400_and_changes_nothing(client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    oversized = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for name in ("comments:create", "ratings:rate", "polls:vote", "votes:vote"):
        data = {**valid_data(name, world), "padding": oversized}
        assert status_of(client, "post", action_url(name, world), data=data) == 400, name
    assert snapshot(world) == before


def test_too_many_fields_is_400_and_changes_nothing(client, world, no_limits):
    client.force_login(UserFactory())
    before = snapshot(world)
    data = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    data["body"] = "A fine comment"
    assert status_of(client, "post", action_url("comments:create", world), data=data) == 400
    assert snapshot(world) == before


ACCOUNT_GARBAGE = [
    ("account_login", {}),
    ("account_login", {"login": "x" * 100_000, "password": "y" * 100_000}),
    ("account_login", {"login": "a\x00b", "password": "\x00"}),
    ("account_login", {"login": ["a", "b"], "password": "p", "remember": "maybe"}),
    ("account_signup", {}),
    ("account_signup", {"email": "not-an-email", "username": "x" * 1000, "password1": "a"}),
    ("account_signup", {"email": "a\x00@example.com", "username": "\x00", "password1": "\x00"}),
    ("account_reset_password", {"email": "x" * 100_000}),
    ("account_reset_password", {"email": "a\x00@example.com"}),
]


def test_garbage_in_the_account_forms_is_a_form_error(client, world, no_limits):
    from accounts.models import User

    users = User.objects.count()
    problems = []
    for name, data in ACCOUNT_GARBAGE:
        status = status_of(client, "post", reverse(name), data=data)
        if status != 200:
            problems.append(f"{name} {str(data)[:60]} → {status}")
    assert problems == []
    assert User.objects.count() == users


def test_garbage_in_the_profile_form_is_a_form_error(client, world):
    user = UserFactory(display_name="Jo")
    client.force_login(user)
    for data in ({"display_name": "x" * 100_000}, {"display_name": "a\x00b"}):
        assert status_of(client, "post", reverse("accounts:profile"), data=data) == 200
    user.refresh_from_db()
    assert user.display_name == "Jo"


def twenty_megabytes(name: str) -> SimpleUploadedFile:
    """A real PNG header followed by 20 MB of padding: big, and plausible until read."""
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue() + b"\0" * (20 * 1024 * 1024), "image/png")


def decompression_bomb(name: str) -> SimpleUploadedFile:
    # 20,000 × 20,000 of one colour: a tiny PNG that would need 400 MB and more to decode.
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


@pytest.mark.parametrize("make_file", [twenty_megabytes, decompression_bomb])
def test_an_oversized_or_hostile_avatar_is_a_clear_form_error(client, make_file):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Jo", "avatar": make_file("avatar.png")},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["avatar"]
    assert errors and all(len(message) > 10 for message in errors)
    user.refresh_from_db()
    assert not user.avatar


@pytest.mark.parametrize("make_file", [twenty_megabytes, decompression_bomb])
def test_an_oversized_or_hostile_article_image_is_a_clear_form_error(
    client, staff_user, world, make_file
):
    client.force_login(staff_user)
    articles = Article.objects.count()
    response = client.post(
        reverse("admin:articles_article_add"),
        {"title": "With a huge picture", "image": make_file("huge.png")},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert any(w in e for e in errors for w in ("largest", "too many", "bomb")), errors
    assert Article.objects.count() == articles


def test_the_log_in_link_returns_to_the_whole_address_with_every_parameter(client, world):
    # {% firstof %} escapes what it stores: "&" reached the link as "&amp;", and after
    # logging in the reader landed on a search without its query.
    response = client.get(reverse("articles:search"), {"q": "council", "sort": "newest"})
    html = response.content.decode()
    assert "?next=/search/%3Fq%3Dcouncil%26sort%3Dnewest" in html
    assert "%26amp%3B" not in html


def test_the_log_out_form_returns_to_the_whole_address_with_every_parameter(client, world):
    client.force_login(UserFactory())
    response = client.get(reverse("articles:search"), {"q": "<council>", "sort": "newest"})
    html = response.content.decode()
    assert 'name="next" value="/search/?q=%3Ccouncil%3E&amp;sort=newest"' in html


@pytest.mark.parametrize("tags", [["a\x00b"], ["\x00"], ["good", "bad\x00"]])
def test_a_tag_with_a_null_character_is_a_form_error_on_the_desk(client, staff_user, world, tags):
    from tests.test_admin_articles import change_url, form_data

    client.force_login(staff_user)
    article = world["article"]
    page = client.get(change_url(article))
    response = client.post(change_url(article), form_data(page, tags=tags))
    assert response.status_code == 200
    assert "null character" in str(response.context["adminform"].form.errors["tags"])
    assert set(article.tags.names()) == {"budget"}


def test_the_tag_autocomplete_refuses_a_null_character_with_a_400(client, staff_user, world):
    client.force_login(staff_user)
    url = reverse("admin:articles_article_tag_autocomplete")
    assert client.get(url, {"term": "bud\x00get"}).status_code == 400
    assert client.get(url, {"term": "bud"}).json()["results"] == [
        {"id": "budget", "text": "budget"}
    ]


def test_garbage_from_an_anonymous_rater_is_a_4xx_when_anonymous_ratings_are_on(
    client, world, no_limits, settings
):
    settings.RATINGS_ALLOW_ANONYMOUS = True
    client.cookies["np_rater"] = "forged:browser:token"
    before = snapshot(world)
    for name, data in GARBAGE:
        if name == "ratings:rate":
            assert status_of(client, "post", action_url(name, world), data=data) == 400, data
    assert snapshot(world) == before
    forged = Client(enforce_csrf_checks=True)
    assert forged.post(action_url("ratings:rate", world), {"stars": "5"}).status_code == 403
    assert snapshot(world) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_request_body_beyond_the_request_limit_is_413_before_anything_reads_it(
    client, world, settings, htmx
):
    # Django streams uploaded files to disk whatever their size; only the limit stops them.
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    user = UserFactory()
    client.force_login(user)
    before = snapshot(world)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for url, data in (
        (reverse("accounts:profile"), {"display_name": "Jo", "avatar": twenty_megabytes("a.png")}),
        (action_url("comments:create", world), {"body": "Hi", "file": twenty_megabytes("x.png")}),
    ):
        response = client.post(url, data, **extra)
        assert response.status_code == 413
        assert "the most we accept in one go is 1.0" in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar and user.display_name != "Jo"
    assert snapshot(world) == before


def test_a_forged_request_beyond_the_request_limit_is_refused_unread(world, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    client = Client(enforce_csrf_checks=True)
    url = action_url("comments:create", world)
    assert client.post(url, {"file": twenty_megabytes("x.png")}).status_code == 413


@pytest.mark.parametrize(
    "query",
    ["status__exact=%00", "q=%00", "category__id__exact=1%00", "%00=1", "o=1&p=%00"],
)
def test_a_nul_character_in_an_admin_address_is_a_400_not_a_500(client, staff_user, query):
    client.force_login(staff_user)
    for url in ("/admin/articles/article/", "/admin/comments/comment/"):
        assert client.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize(
    "name",
    ["articles:feed-rss", "articles:feed-tag-atom", "sitemap-index", "sitemap-section"]
    + ["news-sitemap"],
)
def test_feeds_and_sitemaps_answer_only_reads(client, world, name):
    url = good_paths(world)[name]
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    for method in ("post", "put", "delete"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == "GET, HEAD"
