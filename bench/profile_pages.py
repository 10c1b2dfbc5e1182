"""Where one request's time goes: cProfile of the rendered article page, a page-cache hit
and the rendered front page, through Django's test client in this process (no network, no
gunicorn).

Run with the bench's environment (bench/run.py --profile does), the article addresses to
request, how many cache hits, and the front page's address. Prints one JSON object: for
each case, the wall time per request, the top functions by their own time, and our own
code's functions by cumulative time.
"""

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36"
TOP = 10


def profiled(client: Client, paths: list[str], requests: int) -> dict:
    for path in paths:  # warm: imports, template loading, connections, the page cache
        client.get(path, HTTP_X_REAL_IP="10.255.0.1")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range(requests):
        response = client.get(
            paths[n % len(paths)],
            HTTP_X_REAL_IP=f"10.{n // 65536 % 250}.{n // 256 % 256}.{n % 256}",
        )
        if response.status_code != 200:
            raise SystemExit(f"{paths[n % len(paths)]} answered {response.status_code}")
    profile.disable()
    elapsed = time.perf_counter() - started
    stats = pstats.Stats(profile, stream=io.StringIO())
    return {
        "ms_per_request": elapsed / requests * 1000,
        "requests": requests,
        "own": top(stats, "tottime", requests),
        # Our own code's functions, by the time spent in them and what they call.
        "ours": top(stats, "cumtime", requests, only=str(settings.BASE_DIR) + "/"),
    }


def top(stats: pstats.Stats, key: str, requests: int, only: str = "") -> list:
    rows = []
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in sorted(
        stats.stats.items(), key=lambda item: item[1][2 if key == "tottime" else 3], reverse=True
    ):
        if only and (not filename.startswith(only) or filename[len(only) :].startswith("bench/")):
            continue
        where = filename.split("site-packages/")[-1].replace(str(settings.BASE_DIR) + "/", "")
        rows.append(
            {
                "function": f"{where}:{line}({function})",
                "calls": round(calls / requests, 1),
                "ms": round((own if key == "tottime" else cumulative) / requests * 1000, 3),
            }
        )
        if len(rows) == TOP:
            break
    return rows


def main() -> None:
    paths, requests, front = sys.argv[1].split(","), int(sys.argv[2]), sys.argv[3]
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], VIEW_FOLD_INTERVAL=0
    ).enable()
    client = Client(HTTP_USER_AGENT=BROWSER_UA)
    with override_settings(PAGE_CACHE_SECONDS=0):
        rendered = profiled(client, paths, max(requests // 10, len(paths)))
        front_page = profiled(client, [front], max(requests // 100, 5))
    hit = profiled(client, paths[:1], requests)
    cases = {"rendered article page": rendered, "page-cache hit (article)": hit}
    print(json.dumps(cases | {"rendered front page": front_page}))


if __name__ == "__main__":
    main()
