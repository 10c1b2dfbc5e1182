"""Generated input for every address: path values, query strings, headers, cookies and form
bodies, from an anonymous reader, a reader, an author and an editor. Whatever comes in, the
answer is never a 5xx, nothing is logged as a server error, and a refused request changes
nothing. The tables in support.py hold the cases we thought of; this finds the others."""

import logging
import os
import re
from dataclasses import dataclass

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import roles
from readership.models import ViewBuffer
from tests.factories import UserFactory
from tests.hostile.support import snapshot, status_of

# Letters from several scripts, digits, punctuation that means something to a parser,
# and the characters PostgreSQL or HTTP refuse (NUL, lone surrogates are not encodable).
TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S", "Zs", "Cc"), exclude_characters="\r\n"
    ),
    max_size=40,
)
# What a WSGI server hands Django as a header: bytes decoded as latin-1, whatever was sent.
HEADER_TEXT = (
    st.binary(max_size=40)
    .map(lambda raw: raw.decode("latin-1"))
    .filter(lambda value: "\r" not in value and "\n" not in value)
)
SEGMENT = st.one_of(
    st.integers(min_value=0, max_value=10**20).map(str),
    st.from_regex(r"[-\w]{1,30}", fullmatch=True),
    TEXT.filter(lambda value: "/" not in value and value.strip() != ""),
)
QUERY_NAMES = st.sampled_from(
    ["page", "q", "section", "author", "sort", "date_from", "date_to", "next", "cpage", "p"]
) | TEXT.filter(bool)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_USER_AGENT": HEADER_TEXT,
        "HTTP_ACCEPT_LANGUAGE": HEADER_TEXT,
        "HTTP_REFERER": HEADER_TEXT,
        "HTTP_HX_REQUEST": st.sampled_from(["true", "false", ""]),
        "HTTP_HX_CURRENT_URL": HEADER_TEXT,
        "HTTP_X_FORWARDED_FOR": HEADER_TEXT,
        "HTTP_SEC_PURPOSE": st.sampled_from(["prefetch", "prerender"]),
    },
)
COOKIES = st.dictionaries(
    st.sampled_from(["csrftoken", "sessionid", "messages", "x"]),
    HEADER_TEXT.filter(lambda value: ";" not in value),
)
FORM = st.dictionaries(
    st.sampled_from(["stars", "body", "choice", "value", "reason", "parent", "next"]) | TEXT,
    TEXT | st.integers(-(10**12), 10**12).map(str),
    max_size=6,
)


@dataclass(frozen=True)
class Route:
    prefix: str
    parts: tuple[str, ...]  # literal text and None for a value, in order

    def build(self, values: list[str]) -> str:
        values = iter(values)
        return "/" + "".join(part if part is not None else next(values) for part in self.parts)


def routes() -> list[Route]:
    """Every address pattern of the site, with its values as holes to fill."""
    found = []

    def walk(patterns, prefix: tuple):
        for pattern in patterns:
            pieces = prefix + _pieces(str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pieces)
            elif isinstance(pattern, URLPattern):
                found.append(Route(prefix="".join(p or "" for p in pieces), parts=pieces))

    walk(get_resolver().url_patterns, ())
    return [route for route in found if not route.prefix.startswith(("static", "media"))]


def _pieces(pattern: str) -> tuple:
    # "<int:pk>/view" and "^(?P<year>[0-9]{4})/$" both become ("", None, "/view") shapes.
    pattern = pattern.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    parts = re.split(r"<[^>]+>|\(\?P<\w+>[^)]*\)", pattern)
    holes = re.findall(r"<[^>]+>|\(\?P<\w+>[^)]*\)", pattern)
    pieces = []
    for literal, _hole in zip(parts, holes + [None], strict=True):
        pieces.append(literal.replace("\\", ""))
        if _hole is not None:
            pieces.append(None)
    return tuple(piece for piece in pieces if piece != "")


ROUTES = routes()


@st.composite
def requests(draw):
    route = draw(st.sampled_from(ROUTES))
    holes = sum(part is None for part in route.parts)
    path = route.build([draw(SEGMENT) for _ in range(holes)])
    return {
        "method": draw(st.sampled_from(["get", "get", "post", "head"])),
        "path": path,
        "query": draw(st.lists(st.tuples(QUERY_NAMES, TEXT), max_size=4)),
        "headers": draw(HEADERS),
        "cookies": draw(COOKIES),
        "form": draw(FORM),
        "who": draw(st.sampled_from(["anonymous", "reader", "author", "editor"])),
    }


def totals(world) -> dict:
    # Views are buffered, so a view counted by a refused request would show here first.
    return {**snapshot(world), "buffered": ViewBuffer.objects.aggregate(n=Sum("views"))["n"]}


@pytest.fixture
def people(db):
    return {
        "reader": UserFactory(),
        "author": roles.role_assign(user=UserFactory(), role=roles.AUTHOR),
        "editor": roles.role_assign(user=UserFactory(), role=roles.EDITOR),
    }


def test_every_route_was_found():
    paths = {route.prefix for route in ROUTES}
    assert {"", "search/", "admin/", "readyz"} <= paths


@settings(
    # The same examples on every run, so CI is repeatable; FUZZ_EXAMPLES=5000 FUZZ_RANDOM=1
    # explores further by hand.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "250")),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_generated_requests_never_get_a_server_error(request, world, people, no_limits, caplog):
    client = Client()
    if request["who"] != "anonymous":
        client.force_login(people[request["who"]])
    for name, value in request["cookies"].items():
        client.cookies[name] = value
    before = totals(world)
    caplog.clear()
    extra = {**request["headers"], "QUERY_STRING": _query(request["query"])}
    if request["method"] == "post":
        status = status_of(client, "post", request["path"], data=request["form"], **extra)
    else:
        status = status_of(client, request["method"], request["path"], **extra)

    assert isinstance(status, int) and status < 500, (request, status)
    server_errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not server_errors, (request, [r.getMessage() for r in server_errors])
    if status >= 400:
        assert totals(world) == before, (request, status)


def _query(pairs) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)
