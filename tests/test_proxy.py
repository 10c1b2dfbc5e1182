"""The reverse proxy in front of gunicorn (deploy/nginx): its config passes `nginx -t`, and the
slow clients that freeze gunicorn on its own leave the site answering through it.

Real binaries on free loopback ports (tests/proxy_servers.py): gunicorn with one worker of two
threads, nginx running the same template docker-compose.yml mounts.
"""

import contextlib
import re
import shutil
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.db import connection

from tests.proxy_servers import (
    PLACEHOLDER,
    ROOT,
    TEMPLATE,
    Gunicorn,
    Nginx,
    directive,
    healthz_seconds,
    raw_request,
    raw_response_head,
    read_until_closed,
    seconds,
    slow_clients,
    still_open,
    system_binary,
)

FAST_ENOUGH = 1.0  # seconds /healthz may take while the slow clients are connected

# Makes pytest-django set up the test database, which the gunicorn here serves from.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gunicorn(django_db_setup, tmp_path_factory):
    binary = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    if not Path(binary).exists():
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    # The test database pytest-django made: the app's pages read from it.
    name = connection.settings_dict["NAME"]
    database_url = urlsplit(settings.DATABASE_URL)._replace(path=f"/{name}").geturl()
    server = Gunicorn(binary, tmp_path_factory.mktemp("gunicorn"), database_url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx_binary():
    return system_binary("nginx", "apt-get install nginx")


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def nginx(nginx_binary, gunicorn, media_root, tmp_path_factory):
    server = Nginx(
        nginx_binary, tmp_path_factory.mktemp("nginx"), f"127.0.0.1:{gunicorn.port}", media_root
    )
    server.start()
    yield server
    server.stop()


def test_the_rendered_config_passes_nginx_t(nginx_binary, tmp_path):
    server = Nginx(nginx_binary, tmp_path, "127.0.0.1:8000", tmp_path)

    result = server.check()

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr


def test_the_body_limit_is_the_apps_request_limit():
    value = directive("client_max_body_size")
    assert value.endswith("m")
    assert int(value[:-1]) * 1024 * 1024 == settings.REQUEST_MAX_BYTES


def test_slow_clients_freeze_gunicorn_on_its_own(gunicorn):
    assert healthz_seconds(gunicorn.port, timeout=2) is not None

    with slow_clients(gunicorn.port, "slow-direct"):
        time.sleep(0.5)
        assert healthz_seconds(gunicorn.port, timeout=3) is None

    # Once they hang up the threads are free again (and the next test starts clean).
    answered = healthz_seconds(gunicorn.port, timeout=5)
    assert answered is not None and answered < FAST_ENOUGH


def test_through_nginx_the_site_answers_while_slow_clients_are_connected(nginx, gunicorn):
    with slow_clients(nginx.port, "slow-proxied") as sockets:
        time.sleep(1)
        timings = [healthz_seconds(nginx.port, timeout=3) for _ in range(5)]

        assert all(t is not None and t < FAST_ENOUGH for t in timings), timings
        # nginx keeps reading them (they are within its body timeout) and has passed none on.
        assert all(still_open(sock) for sock in sockets)
        assert gunicorn.seen("?slow-proxied") == []


def test_an_oversized_body_gets_413_from_nginx_before_gunicorn(nginx, gunicorn):
    too_large = settings.REQUEST_MAX_BYTES + 1
    response = raw_response_head(
        nginx.port,
        b"POST /accounts/login/?oversized HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % too_large,
    )

    assert response.startswith(b"HTTP/1.1 413")
    assert b"Server: nginx\r\n" in response
    assert gunicorn.seen("?oversized") == []


def test_nginx_cuts_off_a_slow_header_and_a_stalled_body(nginx, gunicorn):
    header_timeout = seconds("client_header_timeout")
    body_timeout = seconds("client_body_timeout")
    assert header_timeout <= 15 and body_timeout <= 15
    slowloris = socket.create_connection(("127.0.0.1", nginx.port), timeout=30)
    stalled = socket.create_connection(("127.0.0.1", nginx.port), timeout=30)
    started = time.monotonic()
    slowloris.sendall(b"GET /healthz?slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    stalled.sendall(
        b"POST /accounts/login/?stalled HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nlo"
    )
    closed_after = {}

    def keep_adding_header_lines():
        # A header line every half second: each read is quick, the whole header never ends.
        number = 0
        with contextlib.suppress(OSError):
            while "slowloris" not in closed_after:
                number += 1
                slowloris.sendall(b"X-Pad-%d: 1\r\n" % number)
                time.sleep(0.5)

    def wait_for_close(name, sock):
        closed_after[name] = (read_until_closed(sock), time.monotonic() - started)

    threads = [
        threading.Thread(target=keep_adding_header_lines),
        threading.Thread(target=wait_for_close, args=("slowloris", slowloris)),
        threading.Thread(target=wait_for_close, args=("stalled", stalled)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        slowloris.close()
        stalled.close()

    received, elapsed = closed_after["slowloris"]
    assert received == b""
    assert header_timeout - 0.5 < elapsed < header_timeout + 3
    received, elapsed = closed_after["stalled"]
    assert not received.startswith(b"HTTP/1.1 2")
    assert body_timeout - 0.5 < elapsed < body_timeout + 3
    assert gunicorn.seen("?slowloris") == [] and gunicorn.seen("?stalled") == []


def test_nginx_writes_the_client_address_and_scheme_itself(nginx, gunicorn):
    response = raw_request(
        nginx.port,
        b"GET /healthz?whoami HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
        b"X-Real-IP: 203.0.113.7\r\nX-Forwarded-For: 203.0.113.7\r\n"
        b"X-Forwarded-Proto: https\r\n\r\n" % nginx.port,
    )

    assert response.startswith(b"HTTP/1.1 200")
    (line,) = gunicorn.seen("?whoami")
    # The forged values are replaced (X-Real-IP, the scheme) or only prefixed (the list, of
    # which the app would read only the last entry); the Host keeps its port.
    assert f"host=127.0.0.1:{nginx.port} " in line
    assert " real-ip=127.0.0.1 " in line
    assert 'forwarded-for="203.0.113.7, 127.0.0.1"' in line
    assert line.endswith(" proto=http")


def test_uploaded_media_is_served_by_nginx(nginx, gunicorn, media_root):
    (media_root / "avatars").mkdir()
    (media_root / "avatars" / "reader.png").write_bytes(b"not really a png")

    response = raw_request(
        nginx.port,
        b"GET /media/avatars/reader.png HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )

    assert response.startswith(b"HTTP/1.1 200")
    assert b"X-Content-Type-Options: nosniff\r\n" in response
    assert response.endswith(b"not really a png")
    assert gunicorn.seen("/media/") == []


def test_compose_fills_in_every_placeholder_and_mounts_the_template():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy = compose["services"]["proxy"]
    environment = proxy["environment"]
    placeholders = set(PLACEHOLDER.findall(TEMPLATE.read_text()))

    assert placeholders <= set(environment)
    assert all(re.match(environment["NGINX_ENVSUBST_FILTER"], name) for name in placeholders)
    # nginx passes everything to Varnish, which caches in front of gunicorn (test_varnish.py).
    assert environment["NEWSPORTAL_UPSTREAM"] == "varnish:80"
    assert (
        "./deploy/nginx/newsportal.conf.template:/etc/nginx/templates/default.conf.template:ro"
        in proxy["volumes"]
    )
