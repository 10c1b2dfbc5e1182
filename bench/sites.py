"""The bench's sites: one database per size on the bench's PostgreSQL, seeded once by
`manage.py seed_demo` and reused by later runs while it holds enough articles."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.pages import site_facts

BASE_DIR = Path(__file__).resolve().parent.parent


def server_url(environ: dict) -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL, else the embedded PostgreSQL's."""
    url = environ.get("BENCH_DATABASE_URL") or environ.get("DATABASE_URL")
    if url:
        return url
    sys.path.insert(0, str(BASE_DIR))
    from newsportal.embedded_db import embedded_database_url

    return embedded_database_url(BASE_DIR / ".data")


def size_label(articles: int) -> str:
    return f"{articles // 1000}k" if articles % 1000 == 0 else str(articles)


def database_url(url: str, articles: int) -> str:
    """The database of the site with `articles` articles: `<name>_1k` next to `<name>`."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "newsportal"
    return urlunsplit(parts._replace(path=f"/{name}_{size_label(articles)}"))


def redact(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@]+@", r"//\1:***@", url)


def database_create(url: str) -> None:
    """CREATE DATABASE for `url`'s database unless it exists (on the same server)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(env: dict, *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, timeout=3600
    )


def site_ready(env: dict, articles: int, *, seed: bool) -> dict:
    """Migrate the site's database and seed it up to `articles` articles; its facts.

    Adds `seed_seconds` when it seeded (None when the site was already that size)."""
    database_create(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    facts = site_facts(env)
    facts["seed_seconds"] = None
    if facts["articles_total"] < articles:
        if not seed:
            raise SystemExit(
                f"{redact(env['DATABASE_URL'])} holds {facts['articles_total']} articles, "
                f"not {articles}, and --no-seed was given"
            )
        print(f"Seeding {articles} articles (seed_demo; the next run reuses them)...")
        started = time.monotonic()
        progress = [] if os.isatty(sys.stdout.fileno()) else ["--no-progress"]
        manage(env, "seed_demo", "--articles", str(articles), *progress)
        facts = dict(site_facts(env), seed_seconds=time.monotonic() - started)
    return facts
