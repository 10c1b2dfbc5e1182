"""The processes the bench starts: gunicorn servers and a throw-away redis-server.

Each listens on a free 127.0.0.1 port and is stopped by its own PID when its `with` block
ends, however it ends (an error, Ctrl-C).
"""

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tools.loopback import free_port, stop

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
CONFIG = Path(__file__).with_name("gunicorn.conf.py")


def python_json(*args: str, env: dict, timeout: float) -> dict:
    """Run this Python with `args` in the project directory; the JSON of its last line."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Gunicorn:
    """`app` (a WSGI path) on gunicorn with the project's config and the given counts."""

    def __init__(self, name: str, app: str, env: dict, workers: int, threads: int):
        self.name = name
        self.app = app
        self.env = dict(env, WEB_CONCURRENCY=str(workers), GUNICORN_THREADS=str(threads))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(GUNICORN), self.app, "--config", str(CONFIG)]
            + ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=self.env,
        )
        try:
            self._wait_until_up()
        except BaseException:
            stop(self.process, timeout=30)
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited during start-up")
            try:
                # /healthz on our site; the floor answers any address.
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{self.name}: gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        stop(self.process, timeout=30)


class Redis:
    """A redis-server of the bench's own (nothing saved to disk), never the shared one."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.directory = tempfile.TemporaryDirectory(prefix="newsportal-bench-redis-")

    def __enter__(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", self.directory.name],
            stdout=subprocess.DEVNULL,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self) -> None:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("redis-server exited during start-up")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
            finally:
                client.close()
        raise SystemExit(f"redis-server did not answer on port {self.port} within 10 s")

    def __exit__(self, *exc) -> None:
        stop(self.process, timeout=10)
        self.directory.cleanup()
