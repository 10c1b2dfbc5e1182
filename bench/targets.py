"""What the bench compares: our site in three configurations, the same through Varnish,
the bare-Django floor, and the ceiling: nginx serving saved copies of our pages.

Every Django target runs on gunicorn with the project's config (bench/gunicorn.conf.py: the
access log off) and the same worker and thread counts; our site with production
settings (DEBUG off), except that the bench talks plain HTTP to 127.0.0.1. The Varnish
target is deploy/varnish/newsportal.vcl in front of one more gunicorn with default settings
(bench/proxies.py).
"""

import os
from dataclasses import dataclass, field

FLOOR = "floor"
CEILING = "static"


@dataclass(frozen=True)
class Target:
    key: str
    name: str
    app: str = "newsportal.wsgi:application"
    env: dict = field(default_factory=dict)
    pages: tuple[str, ...] | None = None  # None: every page; the floor answers one
    # "gunicorn"; "varnish": our site on gunicorn behind Varnish; "static": no Django at all
    kind: str = "gunicorn"


TARGETS = (
    Target(
        FLOOR,
        "bare Django + gunicorn answering our article page's bytes from memory (the floor)",
        app="bench.floor:application",
        pages=("article",),
    ),
    Target("cached", "ours, default settings (local-memory page cache)"),
    Target("redis", "ours, `REDIS_URL` set (cache and view buffer in Redis)"),
    Target(
        "rendered",
        "ours, `PAGE_CACHE_SECONDS=0` (every page rendered)",
        env={"PAGE_CACHE_SECONDS": "0"},
    ),
    Target("varnish", "ours through Varnish (deploy/varnish, default settings)", kind="varnish"),
    Target(CEILING, "nginx serving saved copies of our pages (the ceiling)", kind="static"),
)


def paired_with_floor(target: Target) -> bool:
    """Ours on gunicorn: each of its runs gets a short floor run of its own right before
    it (bench/run.py), its share of the floor the median of those ratios."""
    return target.kind == "gunicorn" and target.key != FLOOR


def site_environment(database_url: str) -> dict:
    """The environment of our site's processes (manage.py and gunicorn)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "GUNICORN_"))}
    for name in ("PAGE_CACHE_SECONDS", "WEB_CONCURRENCY", "CACHE_KEY_PREFIX", "VIEW_STORE"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="newsportal.settings",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # As behind a reverse proxy: the reader's address comes from X-Real-IP (bench/wrk.py
        # gives every request its own).
        CLIENT_IP_HEADER="X-Real-IP",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def target_environment(target: Target, site_env: dict, redis_url: str, floor_page: str) -> dict:
    if target.key == FLOOR:
        env = {k: v for k, v in site_env.items() if k != "DJANGO_SETTINGS_MODULE"}
        return dict(env, BENCH_FLOOR_PAGE=floor_page)
    env = dict(site_env, **target.env)
    if target.key == "redis":
        env.update(REDIS_URL=redis_url, CACHE_KEY_PREFIX="newsportal-bench")
    return env
