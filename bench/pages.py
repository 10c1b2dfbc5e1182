"""Which addresses the bench loads: many article pages, and one of every other kind of
page a reader or a feed reader asks for, picked from the bench site's own database."""

import urllib.request
from urllib.parse import quote

from bench.servers import python_json
from bench.wrk import BROWSER_UA

ARTICLES = 50
SEARCH_WORD = "council"  # in many headlines of the demo site (demo/data/subjects.txt)

# Run by `manage.py shell -c`: prints one JSON object. The article pages are spread evenly
# over the whole archive, old and new; the section and the tag are the largest ones; the
# articles sitemap is read page by page, as a crawler reads it.
PICK_SCRIPT = """
import json
from django.db.models import Count, Q
from django.urls import reverse
from taggit.models import Tag
from articles.models import Article, Category
from articles.sitemaps import ArticleSitemap
from comments.models import Comment

published = Article.objects.published()
ids = list(published.order_by("-published_at", "-id").values_list("pk", flat=True))
step = max(1, len(ids) // ARTICLES)
chosen = Article.objects.filter(pk__in=ids[::step][:ARTICLES])
section = Category.objects.annotate(
    n=Count("articles", filter=Q(articles__in=published))
).order_by("-n").first()
sitemap = reverse("sitemap-section", kwargs={"section": "articles"})
tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
print(json.dumps({
    "articles_total": Article.objects.count(),
    "articles_published": len(ids),
    "comments": Comment.objects.count(),
    "pages": {
        "article": [article.get_absolute_url() for article in chosen],
        "front": [reverse("frontpage:home")],
        "section": [section.get_absolute_url()] if section else [],
        "tag": [reverse("articles:tag", kwargs={"slug": tag.slug})] if tag else [],
        "search": [reverse("search:search") + "?q=SEARCH_WORD"],
        "rss": [reverse("articles:feed-rss")],
        "sitemap": [
            sitemap + (f"?p={n}" if n > 1 else "")
            for n in range(1, -(-len(ids) // ArticleSitemap.limit) + 1)
        ],
    },
}))
""".replace("ARTICLES", str(ARTICLES)).replace("SEARCH_WORD", SEARCH_WORD)

# The pages in the order they appear in the tables, with their names there.
PAGE_NAMES = {
    "article": f"article ({ARTICLES} rotating)",
    "front": "front page",
    "section": "section (largest)",
    "tag": "tag (largest)",
    "search": f"search `{SEARCH_WORD}`",
    "rss": "RSS feed",
    "sitemap": "`/sitemap-articles.xml` (every page)",
}


def site_facts(env: dict) -> dict:
    """Article and comment counts and the pages to load, from the site's database."""
    facts = python_json("manage.py", "shell", "-c", PICK_SCRIPT, env=env, timeout=600)
    facts["pages"] = {name: paths for name, paths in facts["pages"].items() if paths}
    return facts


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER_UA})  # noqa: S310
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url} answered {response.status} at {response.url}, not 200")
        return response.read()


def check(base_url: str, pages: dict[str, list[str]]) -> None:
    """Every address answers 200 itself (no redirect): wrk would count a redirect as a
    success, and measure the wrong page. Loads each page once, which warms caches too."""
    for paths in pages.values():
        for path in paths:
            fetch(base_url + quote(path, safe="/?=&%:+-._~"))
