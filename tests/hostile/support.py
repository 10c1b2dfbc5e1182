"""The tables and helpers the hostile-input sweeps share.

The tables are checked against django.urls.get_resolver(): a new address that is in none of
them fails `test_every_address_is_in_a_table` (test_pages.py), so it cannot escape the sweep.
"""

import io
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from articles.models import Article
from comments.models import Comment, Report
from newsletter.models import Subscriber
from polls.models import PollChoice, PollVote
from ratings.models import Rating
from votes.models import Vote

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
        "web-manifest": "/manifest.webmanifest",
        "favicon": "/favicon.ico",
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
        "frontpage:home": "/",
        "articles:section": world["section"].get_absolute_url(),
        "articles:author": world["author"].get_absolute_url(),
        "articles:tag": reverse("articles:tag", args=["budget"]),
        "articles:preview": reverse("articles:preview", args=[article.pk]),
        "articles:archive": reverse("articles:archive"),
        "articles:archive-year": f"/{year}/",
        "articles:archive-month": f"/{year}/{month}/",
        "articles:archive-day": f"/{year}/{month}/{day}/",
        "search:search": reverse("search:search") + "?q=council",
        "articles:feed-rss": reverse("articles:feed-rss"),
        "articles:feed-atom": reverse("articles:feed-atom"),
        "articles:feed-section-rss": reverse("articles:feed-section-rss", args=["politics"]),
        "articles:feed-section-atom": reverse("articles:feed-section-atom", args=["politics"]),
        "articles:feed-tag-rss": reverse("articles:feed-tag-rss", args=["budget"]),
        "articles:feed-tag-atom": reverse("articles:feed-tag-atom", args=["budget"]),
        "articles:feed-author-rss": reverse("articles:feed-author-rss", args=["jo-writer"]),
        "articles:feed-author-atom": reverse("articles:feed-author-atom", args=["jo-writer"]),
        "articles:detail": article.get_absolute_url(),
        "articles:corrections": reverse("articles:corrections"),
        "liveblog:entries": reverse("liveblog:entries", args=[world["live"].pk]) + "?after=0",
        "pages:detail": "/about/",
        "media": "/media/no-such-file.jpg",
        "api:api-root": reverse("api:api-root"),
        "api:article_list": reverse("api:article_list"),
        "api:article_detail": reverse("api:article_detail", args=[article.pk]),
        "api:section_list": reverse("api:section_list"),
        "api:author_list": reverse("api:author_list"),
        "api:tag_list": reverse("api:tag_list"),
        "api:openapi-json": reverse("api:openapi-json"),
        "api:openapi-view": reverse("api:openapi-view"),
        "newsletter:subscribe": reverse("newsletter:subscribe"),
        "newsletter:check-inbox": reverse("newsletter:check-inbox"),
        "newsletter:confirm": reverse("newsletter:confirm", args=["bogus-token"]),
        "newsletter:preferences": reverse("newsletter:preferences", args=[world["manage_token"]]),
        "newsletter:unsubscribe": reverse("newsletter:unsubscribe", args=["bogus-token"]),
        # POST only, for the mail service, behind its secret: GET is 405.
        "newsletter:bounce": reverse("newsletter:bounce"),
        "comments:replies-stop": reverse("comments:replies-stop", args=["bogus-token"]),
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
    f"/live/{HUGE}/entries",
    f"/live/{BIG_INT}/entries",
    "/live/1/entries?after=" + "9" * 40,
    "/live/1/entries?after=%00",
    "/corrections/?page=" + "9" * 40,
    "/" + "p" * 300 + "/",
    "/%C3%A9t%C3%A9/",
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
    f"/api/v1/articles/{HUGE}",
    "/api/v1/articles/%00",
    "/api/v1/no-such-thing",
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
    "readership:beacon",
    "account_logout",
    "newsletter:profile",
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


def status_of(client: Client, method: str, *args, **extra) -> int | str:
    """The status, or the exception a 500 would have been. A savepoint per request keeps one
    failing request from aborting the test's transaction for the next."""
    try:
        with transaction.atomic():
            return getattr(client, method)(*args, **extra).status_code
    except Exception as error:  # any exception at all is the finding
        return f"{type(error).__name__}: {error}"[:300]


def failures(client: Client, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        status = status_of(client, "get", url)
        if not isinstance(status, int) or status >= 500:
            found.append(f"GET {url[:120]} → {status}")
    return found


def with_hostile_queries(paths) -> list[str]:
    urls = []
    for path in paths:
        separator = "&" if "?" in path else "?"
        urls += [f"{path}{separator}{query}" for query in HOSTILE_QUERIES]
    return urls


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
        "newsletter": list(Subscriber.objects.values_list("email", "status", "frequency")),
    }


def action_url(name: str, world) -> str:
    args = {
        "comments:create": world["article"].pk,
        "ratings:rate": world["article"].pk,
        "ratings:remove": world["article"].pk,
        "readership:beacon": world["article"].pk,
        "polls:vote": world["poll"].pk,
    }
    if name in ("account_logout", "newsletter:profile"):
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
        "newsletter:profile": {"frequency": "daily"},
    }.get(name, {})


LOGIN_ACTIONS = sorted(ACTIONS - {"readership:beacon", "account_logout"})


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
    ("newsletter:profile", {}),
    ("newsletter:profile", {"frequency": "hourly"}),
    ("newsletter:profile", {"frequency": "daily", "sections": HUGE}),
    ("newsletter:profile", {"frequency": "daily", "sections": "1\x00"}),
]


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
