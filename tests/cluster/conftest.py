"""The running cluster (`make cluster-test` starts it and says where in CLUSTER_STATE)."""

import json
import os
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
