"""Real nginx and gunicorn processes on free loopback ports, and the raw-socket clients
(slow, oversized, forged) that tests/test_proxy.py sends at them.

nginx runs deploy/nginx/newsportal.conf.template, rendered the way the nginx image renders it;
gunicorn runs the project's wsgi app under the project's gunicorn.conf.py.
"""

import contextlib
import grp
import http.client
import os
import pwd
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tools.loopback import free_port, stop

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "newsportal.conf.template"
PLACEHOLDER = re.compile(r"\$\{(NEWSPORTAL_[A-Z_]+)\}")
# What gunicorn saw of each request: the headers the proxy is meant to write.
ACCESS_LOG_FORMAT = (
    '"%(r)s" %(s)s host=%({host}i)s real-ip=%({x-real-ip}i)s '
    'forwarded-for="%({x-forwarded-for}i)s" proto=%({x-forwarded-proto}i)s'
)
SLOW_CLIENTS = 24


def system_binary(name: str, install: str) -> str:
    """The path of a Debian package's binary (sbin included), or skip saying how to get it."""
    binary = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        pytest.skip(f"{name} is not installed (Debian: {install})")
    return binary


def render_template(values: dict[str, str]) -> str:
    """What the nginx image's envsubst makes of the template: only our placeholders."""
    text = TEMPLATE.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def directive(name: str) -> str:
    found = re.findall(rf"^\s*{name}\s+([^;]+);", TEMPLATE.read_text(), re.MULTILINE)
    assert len(found) == 1, f"{name} should be set once in {TEMPLATE.name}"
    return found[0]


def seconds(name: str) -> float:
    value = directive(name)
    assert value.endswith("s"), f"{name} should be written in seconds"
    return float(value[:-1])


class Nginx:
    """nginx in the foreground with its own prefix, pid and logs, loading the rendered template
    inside an http block the way the nginx image's /etc/nginx/nginx.conf does."""

    def __init__(self, binary: str, directory: Path, upstream: str, media_root: Path):
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        (directory / "newsportal.conf").write_text(
            render_template(
                {
                    "NEWSPORTAL_UPSTREAM": upstream,
                    "NEWSPORTAL_LISTEN": f"127.0.0.1:{self.port}",
                    "NEWSPORTAL_MEDIA_ROOT": str(media_root),
                }
            )
        )
        # Started as root, nginx would run its workers as nobody, who cannot write here.
        user = ""
        if os.geteuid() == 0:
            user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
        temp_paths = "\n".join(
            f"    {kind}_temp_path {directory / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        self.config = directory / "nginx.conf"
        self.config.write_text(
            f"""{user}
daemon off;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    access_log {directory / "access.log"};
{temp_paths}
    include {directory / "newsportal.conf"};
}}
"""
        )

    def command(self) -> list[str]:
        error_log = str(self.directory / "error.log")
        return [self.binary, "-p", str(self.directory), "-c", str(self.config), "-e", error_log]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.command(), "-t"], capture_output=True, text=True, timeout=30, check=False
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_healthz(self.port, self.process, self.directory / "error.log")

    def stop(self) -> None:
        stop(self.process)
        self.process = None


class Gunicorn:
    """The project's wsgi app under the project's gunicorn.conf.py, small enough to freeze;
    `settings` adds to or overrides the environment it starts with."""

    def __init__(
        self,
        binary: str,
        directory: Path,
        database_url: str,
        settings: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.access_log = directory / "gunicorn-access.log"
        self.error_log = directory / "gunicorn-error.log"
        leave_out = {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        environment = {k: v for k, v in os.environ.items() if k not in leave_out}
        environment.update(
            DEBUG="1",
            DATABASE_URL=database_url,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="1",
            GUNICORN_THREADS="2",
            GUNICORN_ACCESS_LOG=str(self.access_log),
            CLIENT_IP_HEADER="X-Real-IP",
        )
        environment.update(settings or {})
        command = [binary, "newsportal.wsgi:application", "--config", "gunicorn.conf.py"]
        command += ["--access-logformat", ACCESS_LOG_FORMAT]
        with self.error_log.open("w") as errors:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=errors, stderr=errors
            )
        wait_for_healthz(self.port, self.process, self.error_log)

    def seen(self, marker: str, *, wait: float = 0.5) -> list[str]:
        """Access-log lines with `marker`; gunicorn writes a line just after its answer."""
        deadline = time.monotonic() + wait
        while True:
            lines = [line for line in self.access_log.read_text().splitlines() if marker in line]
            if lines or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def wait_for_healthz(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(process)
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if healthz_seconds(port, timeout=1) is not None:
            return
        time.sleep(0.1)
    stop(process)
    pytest.fail(f"nothing answered /healthz on port {port}:\n{log.read_text()[-3000:]}")


def healthz_seconds(port: int, *, timeout: float) -> float | None:
    """How long a 200 from /healthz took, or None when none came within the timeout."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        if connection.getresponse().status != 200:
            return None
    except OSError:
        return None
    finally:
        connection.close()
    return time.monotonic() - started


def raw_request(port: int, data: bytes, *, timeout: float = 5) -> bytes:
    """The answer to `data` (which should ask for Connection: close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_until_closed(sock)


def raw_response_head(port: int, data: bytes) -> bytes:
    """Status line and headers only: after refusing a body nginx waits a while (its
    lingering close) for the client to stop sending before it hangs up."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
            received += chunk
        return received


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


@contextlib.contextmanager
def slow_clients(port: int, marker: str, *, count: int = SLOW_CLIENTS, every: float = 0.25):
    """`count` log-in POSTs whose 4 kB body arrives one byte every `every` seconds. With a
    CSRF cookie the CSRF check reads the body for its token, so Django waits for all of it."""
    head = (
        b"POST /accounts/login/?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Cookie: csrftoken=%s\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\n"
    ) % (marker.encode(), b"c" * 32)
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    for sock in sockets:
        sock.sendall(head + b"l")
    done = threading.Event()

    def trickle():
        while not done.wait(every):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.send(b"o")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        yield sockets
    finally:
        done.set()
        trickler.join()
        for sock in sockets:
            sock.close()


def still_open(sock: socket.socket) -> bool:
    """Neither closed nor answered: nothing to read yet."""
    readable, _, _ = select.select([sock], [], [], 0)
    return not readable


VARNISH_DIR = ROOT / "deploy" / "varnish"
VCL = VARNISH_DIR / "newsportal.vcl"


class Varnish:
    """varnishd in the foreground running deploy/varnish/newsportal.vcl, with the site.vcl
    written here found first on its vcl_path; its own working directory, no jail (it runs as
    whoever runs the tests)."""

    def __init__(self, binary: str, directory: Path, site_vcl: str, port: int | None = None):
        self.binary = binary
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        (directory / "site.vcl").write_text(site_vcl)
        self.log = directory / "varnishd.log"

    def command(self) -> list[str]:
        return [
            self.binary,
            "-n",
            str(self.directory / "work"),
            "-j",
            "none",
            "-f",
            str(VCL),
            "-p",
            f"vcl_path={self.directory}:{VARNISH_DIR}",
            "-s",
            "malloc,32m",
        ]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.command(), "-C"], capture_output=True, text=True, timeout=60, check=False
        )

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*self.command(), "-F", "-a", f"127.0.0.1:{self.port}"], stdout=log, stderr=log
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"varnishd exited with {self.process.returncode}:\n{self.log_text()}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            time.sleep(0.1)
        stop(self.process)
        pytest.fail(f"varnishd did not listen on port {self.port}:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text()[-3000:]

    def stop(self) -> None:
        stop(self.process)
        self.process = None
