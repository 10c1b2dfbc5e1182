"""The CPU time and the SQL queries one Django process spends per rendered page.

Every request is rendered (`PAGE_CACHE_SECONDS=0`) and comes from a new reader (its view is
counted), as in the bench's rendered target, through Django's test client in this process.
`time.process_time()` counts only this process's CPU, so on a busy machine the figure moves
far less than requests/s do. Run with the site's environment:

    DATABASE_URL=... python bench/render_cost.py [requests] [--profile KIND]

Prints, for each kind of page, microseconds of CPU per request (median of rounds), wall
milliseconds per request and queries per request. `--profile article` prints cProfile's
top functions for that kind instead.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from taggit.models import Tag  # noqa: E402

from accounts.models import Author  # noqa: E402
from articles.models import Article, Category  # noqa: E402
from readership.writebehind import write_behind  # noqa: E402

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"


def pages() -> dict[str, list[str]]:
    published = Article.objects.published()
    ids = list(published.order_by("-published_at", "-id").values_list("pk", flat=True))
    chosen = Article.objects.filter(pk__in=ids[:: max(1, len(ids) // 50)][:50])
    newest = published.order_by("-published_at").first()
    return {
        "article": [article.get_absolute_url() for article in chosen],
        "section": [section.get_absolute_url() for section in Category.objects.all()[:10]],
        "tag": [reverse("articles:tag", kwargs={"slug": t.slug}) for t in Tag.objects.all()[:10]],
        "author": [author.get_absolute_url() for author in Author.objects.all()[:10]],
        "archive": [
            reverse(
                "articles:archive-month",
                kwargs={"year": newest.publish_date.year, "month": f"{newest.publish_date:%m}"},
            )
        ],
    }


def run(client: Client, paths: list[str], requests: int, serial: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(requests):
        address = f"10.{serial % 250}.{n // 250 % 250}.{n % 250}"
        response = client.get(paths[n % len(paths)], HTTP_X_REAL_IP=address)
        if response.status_code != 200:
            raise SystemExit(f"{paths[n % len(paths)]} answered {response.status_code}")
    write_behind.flush()
    return (time.process_time() - cpu) / requests * 1e6, (time.perf_counter() - wall) / requests


def queries(client: Client, paths: list[str]) -> float:
    counts = []
    for n, path in enumerate(paths):
        with CaptureQueriesContext(connection) as captured:
            client.get(path, HTTP_X_REAL_IP=f"10.251.0.{n % 250}")
        counts.append(len(captured.captured_queries))
    return statistics.mean(counts)


def profile(client: Client, paths: list[str], requests: int) -> list[str]:
    profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting
    profiler.enable()
    run(client, paths, requests, 249)
    profiler.disable()
    if os.environ.get("RENDER_PROFILE_FILE"):
        profiler.dump_stats(os.environ["RENDER_PROFILE_FILE"])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    ours = str(settings.BASE_DIR) + "/(?!bench)|templatetags|library"
    stats.sort_stats("cumulative").print_stats(ours, 40)
    return out.getvalue().splitlines()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests", nargs="?", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kinds", default="article,section,tag,author,archive")
    parser.add_argument("--profile")
    args = parser.parse_args()
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        VIEW_FOLD_INTERVAL=0,
        PAGE_CACHE_SECONDS=0,
    ).enable()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    addresses = pages()
    if args.profile:
        paths = addresses[args.profile]
        run(client, paths, len(paths), 248)
        print("\n".join(profile(client, paths, args.requests)))
        return
    results = {}
    for kind in args.kinds.split(","):
        paths = addresses[kind]
        run(client, paths, len(paths), 248)  # warm: templates, connections, caches
        samples = [run(client, paths, args.requests, r) for r in range(args.rounds)]
        results[kind] = {
            "cpu_us": round(statistics.median(s[0] for s in samples)),
            "wall_ms": round(statistics.median(s[1] for s in samples) * 1000, 2),
            "queries": queries(client, paths),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
