import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-1234567890",
    "ALLOWED_HOSTS": "news.example.com",
    "DATABASE_URL": "postgres://newsportal@127.0.0.1:5432/newsportal",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a "production" process.
    leave_out = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in leave_out}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_and_cache(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "cache": True}


@pytest.mark.django_db
def test_home_page_renders_header_navigation_and_skip_link(client, section):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert "Politics" in html
    assert "<time" in html


@pytest.mark.django_db
def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_production_start_without_secret_key_fails_naming_it():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith("SECRET_KEY must be set when DEBUG is off.")
    )


def test_production_start_without_database_url_fails_naming_it():
    env = dict(PRODUCTION_ENV)
    env.pop("DATABASE_URL")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set when DEBUG is off." in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_docker_compose_wires_web_db_and_redis():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "db", "redis", "proxy"}

    db = services["db"]
    assert db["image"].startswith("postgres:18")
    assert "healthcheck" in db
    assert any(volume.endswith("/var/lib/postgresql") for volume in db["volumes"])

    web = services["web"]
    assert web["build"]
    # Readers reach gunicorn only through nginx (and Varnish), which reads slow clients for it.
    assert "ports" not in web
    assert "8000" in web["expose"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "8000:80" in proxy["ports"]
    assert any(
        volume.startswith("./deploy/nginx/") and ":/etc/nginx/templates/" in volume
        for volume in proxy["volumes"]
    )
    # nginx -> Varnish -> gunicorn (tests/test_varnish.py checks the Varnish leg).
    assert proxy["environment"]["NEWSPORTAL_UPSTREAM"] == "varnish:80"
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    environment = web["environment"]
    assert environment["DEBUG"] == "0"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["DATABASE_URL"].split("@")[1].startswith("db:5432/")
    assert environment["REDIS_URL"].startswith("redis://redis:6379")
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert name in environment
    assert environment["CLIENT_IP_HEADER"] == "X-Real-IP"
    command = " ".join(web["command"]) if isinstance(web["command"], list) else web["command"]
    assert command.index("migrate") < command.index("gunicorn")
    assert set(compose["volumes"]) >= {"pgdata", "redisdata"}
    assert "--appendonly" in services["redis"]["command"]


@pytest.mark.django_db
def test_sites_row_names_our_site_not_example_com():
    from django.contrib.sites.models import Site

    site = Site.objects.get_current()
    assert site.domain == "127.0.0.1:8000"
    assert site.name == "The Newsportal"


@pytest.mark.django_db
def test_public_pages_send_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
