"""Every page answers hostile query strings, headers, cookies and path values with a 4xx or a
page, never a 500."""

import pytest

from tests.hostile.support import (
    ACTIONS,
    HOSTILE_PATHS,
    action_url,
    failures,
    good_paths,
    status_of,
    url_names,
    with_hostile_queries,
)

pytestmark = pytest.mark.django_db


def test_every_address_is_in_a_table(world):
    covered = set(good_paths(world)) | ACTIONS
    assert url_names() - covered == set(), (
        "add the new address to a table in tests/hostile/support.py"
    )


def test_no_page_answers_hostile_query_strings_with_a_server_error(visitor, world):
    assert failures(visitor, with_hostile_queries(good_paths(world).values())) == []


def test_no_staff_page_answers_hostile_query_strings_with_a_server_error(
    client, staff_user, world
):
    client.force_login(staff_user)
    paths = good_paths(world)
    staff_pages = ["articles:preview", "articles:detail", "frontpage:home", "accounts:profile"]
    assert client.get(paths["articles:preview"]).status_code == 200
    assert failures(client, with_hostile_queries(paths[name] for name in staff_pages)) == []


def test_no_htmx_fragment_answers_hostile_query_strings_with_a_server_error(visitor, world):
    paths = good_paths(world)
    urls = with_hostile_queries(paths[name] for name in ("search:search", "ratings:form"))
    problems = []
    for url in urls:
        status = status_of(visitor, "get", url, HTTP_HX_REQUEST="true")
        if not isinstance(status, int) or status >= 500:
            problems.append(f"htmx GET {url[:120]} → {status}")
    assert problems == []


HOSTILE_HEADERS = [
    {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "x", "HTTP_HX_TRIGGER": "\x00"},
    {"HTTP_USER_AGENT": "Mozilla/5.0 " + "é" * 5000, "HTTP_X_FORWARDED_FOR": "nope, , ::::"},
    {"HTTP_ACCEPT_LANGUAGE": "xx-YY;q=abc, *;q=0, ;;;" + "a" * 1000},
    {"HTTP_IF_MODIFIED_SINCE": "yesterday", "HTTP_IF_NONE_MATCH": '"', "HTTP_RANGE": "bytes=9-1"},
    {"HTTP_SEC_FETCH_SITE": "\x00", "HTTP_REFERER": "\x00", "REMOTE_ADDR": ""},
]
HOSTILE_COOKIES = {
    "sessionid": "garbage\x7f",
    "messages": "x" * 4000,
    "np_rater": "a:b:c",
    "csrftoken": "<>",
}


def test_no_page_answers_hostile_headers_or_cookies_with_a_server_error(client, world, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    paths = [
        path
        for name, path in good_paths(world).items()
        if name.startswith(("articles:", "search:"))
    ]
    problems = []
    for headers in HOSTILE_HEADERS:
        for path in paths:
            status = status_of(client, "get", path, **headers)
            if not isinstance(status, int) or status >= 500:
                problems.append(f"GET {path} {str(headers)[:80]} → {status}")
        status = status_of(client, "post", action_url("readership:beacon", world), **headers)
        if status != 204:
            problems.append(f"beacon {str(headers)[:80]} → {status}")
    for name, value in HOSTILE_COOKIES.items():
        client.cookies[name] = value
    problems += failures(client, paths)
    assert problems == []


def test_no_page_answers_hostile_path_values_with_a_server_error(visitor, world):
    problems = failures(visitor, HOSTILE_PATHS)
    assert problems == []
    # And the ones that name nothing are not found, rather than shown or redirected elsewhere.
    for path in ("/section/no-such-section/", "/2026/02/31/", "/9999/12/31/", "/2026/13/"):
        assert visitor.get(path).status_code == 404, path


def test_a_day_archive_for_the_last_representable_day_is_not_a_server_error(client, world):
    # Django's next-day link for 9999-12-31 overflows the date type unless it is guarded.
    assert client.get("/9999/12/31/").status_code == 404
