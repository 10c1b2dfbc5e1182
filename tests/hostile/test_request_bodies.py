"""Every address that takes a POST answers bodies Django cannot read (charsets, multipart,
Content-Length, too many fields, too much data) with a 400 or 413 before any view or the CSRF
check runs; every page answers too many query parameters with a 400; nothing is changed and
nothing is logged as a server error."""

import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.hostile.support import ACTIONS, action_url, good_paths, snapshot, status_of

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
FIELDS = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

# (what is wrong, body, Content-Type, extra WSGI variables, the answer)
HOSTILE_BODIES = [
    ("utf-7 form", b"body=hi&stars=4", f"{FORM}; charset=utf-7", {}, 400),
    ("unknown charset", b"body=hi", f"{FORM}; charset=x-no-such", {}, 400),
    ("non-text codec", b"body=hi", f"{FORM}; charset=rot13", {}, 400),
    ("utf-16 multipart", b"--x--\r\n", "multipart/form-data; boundary=x; charset=utf-16", {}, 400),
    ("no boundary", b"--x\r\n\r\n", "multipart/form-data", {}, 400),
    ("bad boundary", b"--x\r\n\r\n", "multipart/form-data; boundary=\x7f", {}, 400),
    ("length not a number", b"body=hi", FORM, {"CONTENT_LENGTH": "ten"}, 400),
    ("negative length", b"body=hi", FORM, {"CONTENT_LENGTH": "-1"}, 400),
    (
        "multipart length",
        b"--x--\r\n",
        "multipart/form-data; boundary=x",
        {"CONTENT_LENGTH": "x"},
        400,
    ),
    ("too many fields", FIELDS.encode(), FORM, {}, 400),
    ("too much data", b"body=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, FORM, {}, 413),
]
IDS = [case[0] for case in HOSTILE_BODIES]


def post_addresses(world) -> list[str]:
    names = ["account_login", "account_signup", "account_reset_password", "accounts:profile"]
    return (
        [action_url(name, world) for name in sorted(ACTIONS)]
        + [reverse(name) for name in names]
        + ["/admin/login/", "/admin/articles/article/", "/admin/articles/article/add/"]
    )


@pytest.fixture
def quiet_log(caplog):
    caplog.set_level(logging.WARNING)
    yield
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == []


@pytest.mark.parametrize(
    ("what", "body", "content_type", "extra", "expected"), HOSTILE_BODIES, ids=IDS
)
@pytest.mark.parametrize("who", ["stranger", "editor"])
def test_no_post_address_reads_a_body_django_cannot_read(
    what, body, content_type, extra, expected, who, world, staff_user, quiet_log, no_limits
):
    # The stranger has a CSRF cookie but no token: the CSRF check would read the body first.
    client = Client(enforce_csrf_checks=who == "stranger")
    client.cookies["csrftoken"] = "a" * 32
    if who == "editor":
        client.force_login(staff_user)
    before = snapshot(world)
    problems = []
    for url in post_addresses(world):
        status = status_of(client, "generic", "POST", url, body, content_type, **extra)
        if status != expected:
            problems.append(f"{url} → {status}")
    assert problems == []
    assert snapshot(world) == before


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "reader"])
def test_no_page_reads_an_address_with_too_many_parameters(client, world, quiet_log, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    query = FIELDS.replace("f", "p")
    problems = []
    for path in good_paths(world).values():
        separator = "&" if "?" in path else "?"
        status = status_of(client, "get", f"{path}{separator}{query}")
        if status != 400:
            problems.append(f"GET {path} → {status}")
    assert problems == []
