"""core.guard refuses what Django cannot read (bad charsets, broken multipart, bad
Content-Length, too many fields, too much data) with core's refusal, before any view or the
CSRF check reads the request, and without a traceback in the log."""

import logging
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
LOGIN_URL = reverse("account_login")


@pytest.fixture
def hostile():
    """A stranger with a CSRF cookie: the check then reads the body, where Django fails."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    return client


@pytest.fixture
def no_tracebacks(caplog):
    caplog.set_level(logging.WARNING)
    yield
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]


def post(client, url, body: bytes, content_type: str, **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


@pytest.mark.parametrize("charset", ["utf-7", "UTF-16", "latin-1", "x-no-such-charset", "base64"])
def test_a_form_in_a_charset_we_do_not_read_is_400_before_the_csrf_check(
    hostile, no_tracebacks, charset
):
    response = post(hostile, LOGIN_URL, b"login=a&password=b", f"{FORM}; charset={charset}")
    assert response.status_code == 400
    assert "we read only UTF-8" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-7", "latin-1", "nope"])
def test_a_bad_charset_on_a_get_is_400(client, no_tracebacks, charset):
    # Django decodes the query string in the request's charset.
    response = client.get("/", {"q": "x"}, CONTENT_TYPE=f"text/plain; charset={charset}")
    assert response.status_code == 400


def call_wsgi(path: str, query: str, content_type: str) -> tuple[str, bytes]:
    from newsportal.wsgi import application

    environ = {"PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": content_type}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "testserver"
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    body = b"".join(application(environ, start_response))
    return answer["status"], body


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain; charset=rot13",  # a codec, but not for text: Django decodes the query with it
        "application/x-www-form-urlencoded; charset=base64",
        "text/plain; charset*=nope''%41",  # RFC 2231 in an unknown encoding
        "multipart/form-data; boundary*=nope''%41",
    ],
)
def test_a_content_type_django_cannot_build_a_request_from_is_400(content_type, no_tracebacks):
    status, body = call_wsgi("/healthz", "q=x", content_type)
    assert status == "400 Bad Request"
    assert b"Content-Type" in body


def test_the_wsgi_application_still_answers_ordinary_requests(db):
    assert call_wsgi("/healthz", "q=x", "text/plain; charset=UTF-8")[0] == "200 OK"
    assert call_wsgi("/healthz", "", "")[0] == "200 OK"


@pytest.mark.parametrize("charset", ["UTF-8", "utf8", "utf_8", "us-ascii"])
def test_utf8_under_any_of_its_names_is_read(client, charset):
    UserFactory(username="reader")
    body = f"login=reader&password={PASSWORD}".encode()
    response = post(client, LOGIN_URL, body, f"{FORM}; charset={charset}")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "x" * 300,
    ],
)
def test_a_multipart_body_that_cannot_be_parsed_is_400(hostile, no_tracebacks, content_type):
    response = post(hostile, LOGIN_URL, b"--x\r\n\r\n", content_type)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "0x10", " 5"])
def test_a_content_length_that_is_not_a_number_of_bytes_is_400(hostile, no_tracebacks, length):
    for content_type in (FORM, "multipart/form-data; boundary=xyz"):
        response = post(hostile, LOGIN_URL, b"a=b", content_type, CONTENT_LENGTH=length)
        assert response.status_code == 400, content_type
        assert "Content-Length" in response.content.decode()


def many(n: int) -> str:
    return "&".join(f"p{i}=1" for i in range(n))


@pytest.mark.parametrize("path", ["/", "/search/", LOGIN_URL, "/admin/login/", "/healthz"])
def test_an_address_with_too_many_parameters_is_400_on_every_page(client, no_tracebacks, path):
    response = client.get(f"{path}?{many(1500)}")
    assert response.status_code == 400
    assert "more than 1000 parameters" in response.content.decode()


def test_an_article_page_with_too_many_parameters_is_400_even_from_the_page_cache(
    client, article, no_tracebacks
):
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200  # now in the page cache
    assert client.get(f"{url}?{many(1500)}").status_code == 400


def test_a_form_with_too_many_fields_is_400_before_the_csrf_check(hostile, no_tracebacks):
    response = post(
        hostile, LOGIN_URL, many(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1).encode(), FORM
    )
    assert response.status_code == 400
    assert "more than 1000 fields" in response.content.decode()


def test_a_form_larger_than_the_upload_limit_is_413_before_the_csrf_check(hostile, no_tracebacks):
    body = b"login=" + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = post(hostile, LOGIN_URL, body, FORM)
    assert response.status_code == 413
    assert "the most we read is 2.5" in response.content.decode()


def test_a_background_request_gets_the_refusal_fragment(client, no_tracebacks):
    response = client.get(f"/search/?{many(1500)}", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response.content.decode().startswith('<p class="form-error" role="alert">')


def test_a_refused_request_reaches_no_view(hostile, monkeypatch):
    from allauth.account import views

    def boom(*args, **kwargs):
        raise AssertionError("the view ran")

    monkeypatch.setattr(views.LoginView, "dispatch", boom)
    response = post(hostile, LOGIN_URL, b"a=b", f"{FORM}; charset=utf-7")
    assert response.status_code == 400


def test_an_ordinary_form_and_upload_still_work(client):
    UserFactory(username="reader")
    response = client.post(LOGIN_URL, {"login": "reader", "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("accounts:profile"), {"display_name": "Rea"})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", ["\x00" * 8, "abc\x00defghijk", "x" * 5000, "ÄÖÜ" * 8])
def test_a_session_cookie_no_session_could_have_is_ignored_on_every_page(value):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = value

    for url in ("/admin/", "/", reverse("account_login")):
        response = client.get(url)
        assert response.status_code < 500, url


def test_a_real_session_cookie_still_logs_the_reader_in(client):
    user = UserFactory()
    assert client.login(username=user.username, password=PASSWORD)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert response.wsgi_request.user == user
