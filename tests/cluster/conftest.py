"""The running cluster (`make cluster-test` starts it and says where in CLUSTER_STATE)."""

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cluster():
    state = os.environ.get("CLUSTER_STATE")
    if not state or not Path(state).exists():
        pytest.skip("the cluster is not running: `make cluster-test` starts it and runs these")
    from cluster.topology import Cluster

    return Cluster.load()


@pytest.fixture(scope="session")
def site(cluster):
    """Readers' users and articles, made once through the primary."""
    return manage_json(
        cluster,
        "shell",
        "-c",
        SETUP,
    )


SETUP = """
import json
import uuid
from articles.models import Article
from comments.models import CommenterStatus
from tests.factories import PASSWORD, UserFactory
run = uuid.uuid4().hex[:8]
users = [UserFactory(username=f"load-{run}-{n}") for n in range(12)]
for user in users:
    CommenterStatus.objects.update_or_create(user=user, defaults={"is_trusted": True})
articles = list(Article.objects.published().order_by("-published_at", "-id")[:6])
print(json.dumps({
    "users": [u.username for u in users],
    "password": PASSWORD,
    "articles": [{"id": a.pk, "url": a.get_absolute_url()} for a in articles],
}))
"""


def manage(cluster, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = cluster.environment()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def manage_json(cluster, *args: str):
    return json.loads(manage(cluster, *args).stdout.strip().splitlines()[-1])


def primary_sql(cluster, statement: str, *params):
    port = cluster.info["postgres"]["primary"]
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/newsportal") as conn:
        return conn.execute(statement, params).fetchall()


class Browser:
    """One reader's cookies over plain HTTP/1.1, against any of the cluster's ports."""

    def __init__(self, address: str = "127.0.0.1", agent: str = "Mozilla/5.0 (X11) Cluster"):
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Real-IP": address, "User-Agent": agent}

    def request(self, port: int, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = "&".join(f"{k}={v}" for k, v in form.items())
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _sep, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()

    def upload(self, port: int, path: str, fields: dict, files: dict[str, tuple[str, bytes]]):
        """A multipart POST, as a browser sends a form with a file input."""
        boundary = "----newsportal-cluster-boundary"
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        parts = [
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
            for name, value in fields.items()
        ]
        for name, (filename, data) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'
            )
            parts.append(head.encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
        headers = dict(self.headers)
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode()
        finally:
            connection.close()

    def get(self, port: int, path: str):
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict):
        form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
        return self.request(port, "POST", path, form)

    def log_in(self, port: int, username: str, password: str) -> None:
        status, _headers, page = self.get(port, "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "login": username, "password": password}
        status, _headers, _page = self.request(port, "POST", "/accounts/login/", form)
        assert status == 302, f"log-in of {username} answered {status}"
