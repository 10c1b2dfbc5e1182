"""The backups docs/deploy.md prescribes, restored for real: a nightly pg_dump, and a base
backup plus archived WAL, which brings back writes made after the base backup was taken."""

import shutil
import subprocess
import sys
import time

import psycopg
import pytest

from tests.proxy_servers import ROOT
from tests.servers import PostgresServer, postgres_binaries

SCHEMA = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import ArticleFactory
print(ArticleFactory(title="Before the base backup").pk)
"""


def migrate_with_one_article(database_url: str) -> None:
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCHEMA],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, made.stderr[-3000:]


def titles(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT title FROM articles_article ORDER BY id").fetchall()
    return [title for (title,) in rows]


def add_article(url: str, title: str) -> None:
    """A second story, copied from the first with SQL (the server is all this test has)."""
    with psycopg.connect(url, autocommit=True) as conn:
        columns = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'articles_article' AND column_name NOT IN "
                "('id', 'title', 'slug') ORDER BY ordinal_position"
            )
        ]
        listed = ", ".join(columns)
        conn.execute(
            f"INSERT INTO articles_article (title, slug, {listed}) "  # noqa: S608
            f"SELECT %s, %s, {listed} FROM articles_article ORDER BY id LIMIT 1",
            [title, "after-the-base-backup"],
        )


def archived_up_to(server: PostgresServer) -> None:
    """Close the current WAL segment and wait until the archiver has copied it."""
    with psycopg.connect(server.url(), autocommit=True) as conn:
        (segment,) = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            (last,) = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()
            if last is not None and last >= segment:
                return
            time.sleep(0.1)
    pytest.fail(f"WAL segment {segment} was not archived")


@pytest.fixture
def archived(tmp_path):
    """A primary that archives its WAL into a directory, as production would to storage."""
    bin_dir, user = postgres_binaries()
    server = PostgresServer(bin_dir, user)
    archive = server.directory / "wal-archive"
    archive.mkdir()
    if user is not None:
        shutil.chown(archive, user.pw_uid, user.pw_gid)
    server.settings = {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": f"cp %p {archive}/%f",
        "max_wal_senders": "2",
    }
    try:
        server.initdb()
        server.start()
        yield server, archive
    finally:
        server.remove()


def test_a_base_backup_and_the_archived_wal_restore_later_writes(archived):
    primary, archive = archived
    url = primary.create_database("newsportal")
    migrate_with_one_article(url)
    restored = PostgresServer(*postgres_binaries())
    try:
        restored.settings = {"restore_command": f"cp {archive}/%f %p"}
        subprocess.run(
            [primary.bin_dir / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port)]
            + ["-U", "postgres", "-D", restored.data, "-X", "none", "--checkpoint=fast"],
            capture_output=True,
            check=True,
            timeout=120,
            **restored.as_user,
        )
        add_article(url, "After the base backup")
        archived_up_to(primary)
        primary.stop()

        (restored.data / "recovery.signal").touch()
        restored.start()

        assert titles(restored.url("newsportal")) == [
            "Before the base backup",
            "After the base backup",
        ]
    finally:
        restored.remove()


def test_a_pg_dump_restores_into_an_empty_server(archived, tmp_path):
    primary, _archive = archived
    url = primary.create_database("newsportal")
    migrate_with_one_article(url)
    dump = primary.directory / "newsportal.dump"
    subprocess.run(
        [primary.bin_dir / "pg_dump", "-Fc", "-f", dump, url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    target = primary.create_database("restored")
    subprocess.run(
        [primary.bin_dir / "pg_restore", "--no-owner", "-d", target, dump],
        capture_output=True,
        check=True,
        timeout=120,
    )
    assert titles(target) == ["Before the base backup"]
    with psycopg.connect(target) as conn:
        (migrations,) = conn.execute("SELECT count(*) FROM django_migrations").fetchone()
    assert migrations > 20
