"""Servers of our own on 127.0.0.1, for the tests, `make bench` and `make cluster`: a free
port, waiting until a started server listens on it, stopping it by its process, running it
as an unprivileged user when we are root, and Varnish's site.vcl for a loopback backend."""

import os
import pwd
import signal
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unprivileged() -> pwd.struct_passwd | None:
    """Whom to run PostgreSQL and PgBouncer as: both refuse to run as root."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else None


def as_user(user: pwd.struct_passwd | None) -> dict:
    """subprocess arguments that run a program as `user` (None: as ourselves)."""
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}


def wait_for_port(
    port: int, process: subprocess.Popen, log: Path | None = None, timeout: float = 60
) -> None:
    """Return once `port` accepts connections; RuntimeError (with the end of `log`) if
    `process` exits first or nothing listens within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:{_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise RuntimeError(f"nothing listened on port {port} within {timeout:g} s:{_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return "\n" + log.read_text(errors="replace")[-3000:]


def stop(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not gone within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def loopback_site_vcl(backend_port: int, *, purgers: str = '"localhost"', timeouts=False) -> str:
    """A site.vcl (deploy/varnish/site.vcl's part) for gunicorn on a loopback port:
    `purgers` the purge ACL's entries; loopback is the front proxy whose X-Real-IP is kept.
    `timeouts` gives the backend the production file's fetch timeouts."""
    backend = f'.host = "127.0.0.1"; .port = "{backend_port}";'
    if timeouts:
        backend += " .connect_timeout = 5s; .first_byte_timeout = 35s;"
        backend += " .between_bytes_timeout = 10s;"
    return (
        f"backend default {{ {backend} }}\n"
        f"acl purgers {{ {purgers}; }}\n"
        'acl front_proxies { "localhost"; }\n'
    )
