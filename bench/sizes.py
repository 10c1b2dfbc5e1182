"""Does a page cost the same on a big archive as on a small one? Server time and query count
of every reader page (and the admin's article list) at each size, side by side.

    python -m bench.sizes postgres://postgres@127.0.0.1:5432/np_1k \\
                          postgres://postgres@127.0.0.1:5432/np_100k

One request through Django's test client, every cache cold (the page cache off, the cache
cleared before each request), median of `--repeat` requests; the pages are picked from
each site's own database the same way (the largest section and tag, a story from the
middle of the archive). Each size runs in a child process of its own (settings are read at
start). Prints a Markdown table: 1k → 100k, and the ratio.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEARCH_WORD = "council"


def measure(repeat: int) -> dict:
    """In the child: every page's median milliseconds and its query count, as JSON."""
    import statistics
    import time

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from taggit.models import Tag

    from accounts.models import Author
    from articles.models import Article, Category

    # The pages as DEBUG off renders them, without needing collectstatic's manifest.
    storages = dict(settings.STORAGES)
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES=storages).enable()
    published = Article.objects.published()
    story = published.order_by("-published_at")[published.count() // 2]
    day = story.publish_date
    section = (
        Category.objects.annotate(n=Count("articles", filter=Q(articles__in=published)))
        .order_by("-n")
        .first()
    )
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n").first()
    author = Author.objects.annotate(n=Count("articles")).order_by("-n").first()
    tag_url = reverse("articles:tag", kwargs={"slug": tag.slug})
    search = reverse("search:search") + f"?q={SEARCH_WORD}"
    pages = {
        "front page": reverse("frontpage:home"),
        "article": story.get_absolute_url(),
        "section": section.get_absolute_url(),
        "section page 3": section.get_absolute_url() + "?page=3",
        "tag": tag_url,
        "tag page 3": tag_url + "?page=3",
        "author": author.get_absolute_url(),
        "author page 3": author.get_absolute_url() + "?page=3",
        "month archive": reverse("articles:archive-month", args=[day.year, f"{day.month:02d}"]),
        f"search `{SEARCH_WORD}`": search,
        f"search `{SEARCH_WORD}` page 2": search + "&page=2",
        f"search `{SEARCH_WORD}` newest": search + "&sort=newest",
        "search `tram`": reverse("search:search") + "?q=tram",
        "RSS feed": reverse("articles:feed-rss"),
        "tag feed": reverse("articles:feed-tag-rss", kwargs={"slug": tag.slug}),
        "/sitemap.xml": reverse("sitemap-index"),
        "/sitemap-articles.xml": reverse("sitemap-section", kwargs={"section": "articles"}),
        "/sitemap-sections.xml": reverse("sitemap-section", kwargs={"section": "sections"}),
        "/sitemap-tags.xml": reverse("sitemap-section", kwargs={"section": "tags"}),
        "/sitemap-authors.xml": reverse("sitemap-section", kwargs={"section": "authors"}),
        "/news-sitemap.xml": reverse("news-sitemap"),
        "admin article list": reverse("admin:articles_article_changelist"),
    }
    admin, _ = get_user_model().objects.get_or_create(
        username="bench-sizes-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    staff = Client()
    staff.force_login(admin)
    reader = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0")
    results = {"articles": Article.objects.count()}
    for name, url in pages.items():
        client = staff if name.startswith("admin") else reader
        timings, queries = [], 0
        for n in range(repeat + 1):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                address = f"10.9.{n // 256}.{n % 256}"
                response = client.get(url, secure=True, HTTP_X_REAL_IP=address)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if n:  # the first request warms templates and connections
                timings.append(elapsed * 1000)
                queries = len(captured.captured_queries)
        results[name] = {"ms": statistics.median(timings), "queries": queries}
    return results


def run_size(database_url: str, repeat: int) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PAGE_CACHE_SECONDS="0",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-sizes-not-secret"),
        ALLOWED_HOSTS="testserver",
        VIEW_WRITE_BEHIND_MS="0",
        VIEW_FOLD_INTERVAL="0",
    )
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.sizes", "--child", "--repeat", str(repeat)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        capture_output=True,
        timeout=3600,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def table(small: dict, large: dict) -> str:
    lines = [
        f"| page | ms at {small['articles']:,} | ms at {large['articles']:,} | time × "
        "| queries | queries × |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, at_small in small.items():
        if name == "articles":
            continue
        at_large = large[name]
        lines.append(
            f"| {name} | {at_small['ms']:.1f} | {at_large['ms']:.1f} "
            f"| {at_large['ms'] / at_small['ms']:.2f} | {at_small['queries']} → "
            f"{at_large['queries']} | {at_large['queries'] / max(at_small['queries'], 1):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("small", nargs="?", help="DATABASE_URL of the small site")
    parser.add_argument("large", nargs="?", help="DATABASE_URL of the large site")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (median)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")
        print(json.dumps(measure(args.repeat)))
        return
    if not (args.small and args.large):
        parser.error("give the DATABASE_URL of the small site and of the large one")
    print(table(run_size(args.small, args.repeat), run_size(args.large, args.repeat)))


if __name__ == "__main__":
    main()
