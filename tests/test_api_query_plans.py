"""The content API's list queries use indexes, on the archive of tests/test_query_plans.py
(20,000 stories, statistics gathered), deep cursor pages and every filter included."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_query_plans import archive, sequential_scans  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def api_urls(client, archive) -> dict[str, str]:  # noqa: F811
    first = json.loads(client.get("/api/v1/articles?limit=50").content)
    deep = first
    for _page in range(5):
        deep = json.loads(
            client.get(f"/api/v1/articles?limit=50&cursor={deep['next_cursor']}").content
        )
    story = archive["story"]
    since = story.published_at.isoformat().replace("+", "%2B")
    return {
        "list": "/api/v1/articles",
        "list, sixth page": f"/api/v1/articles?limit=50&cursor={deep['next_cursor']}",
        "section": f"/api/v1/articles?section={archive['section'].slug}",
        "tag": "/api/v1/articles?tag=topic-7",
        "author": f"/api/v1/articles?author={archive['author'].slug}",
        "dates": f"/api/v1/articles?published_after={since}&published_before=2100-01-01",
        "detail": f"/api/v1/articles/{story.pk}",
        "tags": "/api/v1/tags",
        "authors": "/api/v1/authors",
    }


def test_no_api_list_scans_a_big_table_from_end_to_end(client, archive, settings):  # noqa: F811
    settings.RATELIMIT_ENABLE = False
    problems = []
    for name, url in api_urls(client, archive).items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200, (name, response.content[:300])
        assert queries.captured_queries, f"{name} came from the cache: nothing was planned"
        for query in queries.captured_queries:
            for table in sequential_scans(query["sql"]):
                problems.append(f"{name}: Seq Scan on {table}: …{query['sql'][-400:]}")
    assert not problems, "\n".join(problems)
