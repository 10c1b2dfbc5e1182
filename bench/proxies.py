"""The bench's non-Django servers: Varnish running deploy/varnish in front of one of our
gunicorns, and nginx serving saved copies of our pages from disk (the ceiling).

Each listens on a free 127.0.0.1 port, in a temporary directory of its own, and is stopped
by its own PID when its `with` block ends.
"""

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

from tools.loopback import free_port, loopback_site_vcl, stop, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent
VARNISH_DIR = BASE_DIR / "deploy" / "varnish"
INSTALL_HINT = "apt-get install varnish varnish-modules nginx"


def binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


class _Server:
    name = ""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = tempfile.TemporaryDirectory(prefix=f"newsportal-bench-{self.name}-")
        self.path = Path(self.directory.name)
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def __enter__(self):
        log = self.path / "server.log"
        with log.open("w") as output:
            self.process = subprocess.Popen(self.command(), stdout=output, stderr=output)
        try:
            wait_for_port(self.port, self.process, log, timeout=30)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process, timeout=10)
        self.directory.cleanup()


class Varnish(_Server):
    """deploy/varnish/newsportal.vcl in front of `backend_url`, with a site.vcl of the
    bench's own (the backend, loopback as purger and front proxy: wrk's X-Real-IP is kept)."""

    name = "varnish"

    def __init__(self, backend_url: str):
        super().__init__()
        (self.path / "site.vcl").write_text(loopback_site_vcl(urlsplit(backend_url).port))

    def command(self) -> list[str]:
        return [
            binary("varnishd"),
            "-F",
            "-j",
            "none",
            "-n",
            str(self.path / "work"),
            "-a",
            f"127.0.0.1:{self.port}",
            "-f",
            str(VARNISH_DIR / "newsportal.vcl"),
            "-p",
            f"vcl_path={self.path}:{VARNISH_DIR}",
            "-s",
            "malloc,256m",
        ]


class StaticNginx(_Server):
    """nginx serving the files under `root` (saved pages: <path>/index.html), as fast as
    it is usually set up: sendfile, no access log, a worker per CPU."""

    name = "static"

    def __init__(self, root: Path):
        super().__init__()
        user = ""
        if os.geteuid() == 0:
            # Started as root, nginx would read the pages as nobody.
            user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
        temp = "\n".join(
            f"    {kind}_temp_path {self.path / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.path / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes auto;
pid {self.path / "nginx.pid"};
error_log {self.path / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type text/html;
    server {{
        listen 127.0.0.1:{self.port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""
        )

    def command(self) -> list[str]:
        config = str(self.path / "nginx.conf")
        return [binary("nginx"), "-p", str(self.path), "-c", config, "-e", "stderr"]


def save_pages(fetch, base_url: str, pages: dict[str, list[str]], root: Path) -> None:
    """Our pages as readers get them, saved under `root` for StaticNginx: each address's
    bytes in <path>/index.html (a query string, as in the search page's, is dropped)."""
    for paths in pages.values():
        for path in paths:
            target = root / urlsplit(path).path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fetch(base_url + quote(path, safe="/?=&%:+-._~")))
