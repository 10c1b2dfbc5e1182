"""Every page type, as an anonymous reader and as a logged-in one, passes the W3C rules we
can check here: the Nu HTML Checker (vnu.jar, one JVM for all pages) and the plain-Python
checks in tests/html_checks.py (one h1, unique ids, alt text, labels, heading outline).

The checker's jar comes from VNU_JAR, or .data/vnu/vnu.jar where .ci/run puts it; without
Java or the jar that test is skipped, the plain-Python one still runs.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.models import Article
from core.ratelimit import ratelimited_response
from core.views import server_error
from tests.factories import ArticleFactory, UserFactory
from tests.html_checks import parse_page
from tests.sample_site import sample_site

pytestmark = pytest.mark.django_db

DEFAULT_JAR = Path(settings.BASE_DIR) / ".data" / "vnu" / "vnu.jar"


def vnu_jar() -> Path | None:
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    return jar if jar.is_file() else None


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def site(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return sample_site()


def reading_pages(site) -> dict[str, str]:
    article = site["article"]
    day = article.publish_date
    ymd = [str(day.year), f"{day:%m}", f"{day:%d}"]
    return {
        "front": "/",
        "article": article.get_absolute_url(),
        "article-comments-closed": Article.objects.get(
            comments_mode=Article.Comments.CLOSED
        ).get_absolute_url(),
        "article-comments-page-2": article.get_absolute_url() + "?cpage=2",
        "section": site["section"].get_absolute_url(),
        "tag": reverse("articles:tag", args=["budget"]),
        "author": site["author"].get_absolute_url(),
        "archive": reverse("articles:archive"),
        "year": reverse("articles:archive-year", args=ymd[:1]),
        "month": reverse("articles:archive-month", args=ymd[:2]),
        "day": reverse("articles:archive-day", args=ymd),
        "search-form": reverse("search:search"),
        "search-results": reverse("search:search") + "?q=council+budget",
        "search-empty": reverse("search:search") + "?q=zzzqqqxxx",
        "search-invalid": reverse("search:search") + "?date_from=2026-13-45",
        "not-found": "/section/no-such-section/",
        "live": site["live"].get_absolute_url(),
        "live-closed": site["closed_live"].get_absolute_url(),
        "corrections": reverse("articles:corrections"),
        "page-about": "/about/",
    }


def anonymous_pages(site) -> dict[str, str]:
    return {
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "password-reset": reverse("account_reset_password"),
        "password-reset-done": reverse("account_reset_password_done"),
        "password-reset-bad-key": "/accounts/password/reset/key/1-bogus/",
        "password-reset-key-done": reverse("account_reset_password_from_key_done"),
        "confirm-email-bad-key": "/accounts/confirm-email/bogus/",
        "verification-sent": reverse("account_email_verification_sent"),
        "inactive": reverse("account_inactive"),
    }


def reader_pages(site) -> dict[str, str]:
    return {
        "profile": reverse("accounts:profile"),
        "logout": reverse("account_logout"),
        "rating-form": reverse("ratings:form", args=[site["article"].pk]),
        "password-change": reverse("account_change_password"),
        "email": reverse("account_email"),
        "reauthenticate": reverse("account_reauthenticate"),
    }


def render_all(site) -> dict[str, bytes]:
    """Every page type's HTML, by a name that says who saw it."""
    pages: dict[str, bytes] = {}
    anonymous, reader = Client(), Client()
    reader.force_login(site["reader"])
    article = site["article"]
    for who, client in (("anonymous", anonymous), ("reader", reader)):
        for name, url in reading_pages(site).items():
            pages[f"{who}-{name}"] = client.get(url).content
    for name, url in anonymous_pages(site).items():
        pages[f"anonymous-{name}"] = anonymous.get(url).content
    for name, url in reader_pages(site).items():
        pages[f"reader-{name}"] = reader.get(url).content

    # Forms sent back with errors, and the pages that refuse an action.
    pages["anonymous-signup-errors"] = anonymous.post(
        reverse("account_signup"), {"email": "nope", "username": "", "password1": "a"}
    ).content
    pages["anonymous-login-errors"] = anonymous.post(
        reverse("account_login"), {"login": "nobody", "password": "wrong"}
    ).content
    pages["reader-profile-errors"] = reader.post(
        reverse("accounts:profile"), {"display_name": "x" * 500}
    ).content
    pages["reader-comment-refused"] = reader.post(
        reverse("comments:create", args=[article.pk]), {"body": ""}
    ).content
    pages["reader-rating-refused"] = reader.post(
        reverse("ratings:rate", args=[article.pk]), {"stars": "9"}
    ).content
    pages["anonymous-csrf-refused"] = (
        Client(enforce_csrf_checks=True).post(reverse("account_login")).content
    )
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    draft = ArticleFactory(category=site["section"], status=Article.Status.DRAFT)
    pages["staff-preview"] = staff.get(reverse("articles:preview", args=[draft.pk])).content
    pages["staff-desk-dashboard"] = staff.get(reverse("admin:index")).content
    request = RequestFactory().get("/")
    request.user = site["reader"]
    request.htmx = False
    pages["anonymous-429"] = ratelimited_response(request, retry_after=30).content
    pages["anonymous-500"] = server_error(RequestFactory().get("/")).content
    return pages


def test_every_page_type_passes_the_plain_html_checks(site):
    problems = {}
    for name, html in render_all(site).items():
        found = parse_page(html.decode()).problems()
        if found:
            problems[name] = found
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())


def test_the_pages_show_what_they_are_meant_to(site):
    """The sample is worth validating only if it has the interesting parts in it."""
    pages = render_all(site)
    anonymous, reader = pages["anonymous-article"].decode(), pages["reader-article"].decode()
    assert "My own view" in anonymous and "Should the council raise tax?" in anonymous
    assert 'name="stars"' in reader and 'name="body"' in reader and 'name="choice"' in reader
    assert b"<mark>" in pages["anonymous-search-results"]
    assert "<picture" in anonymous and "Awaiting a moderator" in reader
    assert b"desk-dashboard" in pages["staff-desk-dashboard"]
    assert b"<time datetime=" in pages["staff-desk-dashboard"]
    assert b'id="live-key-events"' in pages["anonymous-live"]
    assert b"This live coverage ended" in pages["anonymous-live-closed"]
    assert b"The vote was on Thursday." in pages["anonymous-corrections"]
    assert b'class="corrections"' in pages["anonymous-article"]


@pytest.mark.skipif(not shutil.which("java"), reason="Java is not installed (needed for vnu.jar)")
@pytest.mark.skipif(
    vnu_jar() is None,
    reason=f"no vnu.jar: set VNU_JAR or run .ci/run (npm pack vnu-jar) to put it at {DEFAULT_JAR}",
)
def test_every_page_type_passes_the_nu_html_checker(site, tmp_path):
    files = []
    for name, html in render_all(site).items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        files.append(str(path))
    result = subprocess.run(  # noqa: S603 - our own arguments, no shell
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *files],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    except ValueError:
        pytest.fail(f"vnu.jar did not run (exit {result.returncode}): {result.stderr[:2000]}")
    report = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        f" [{m.get('extract', '').strip()[:80]}]"
        for m in messages
    ]
    assert not report, "\n".join(report)


def test_an_impossible_date_is_refused_but_not_echoed_into_the_date_picker(client, site):
    # A date input's value must be yyyy-mm-dd; browsers blank anything else anyway.
    response = client.get(reverse("search:search"), {"date_from": "2026-13-45", "q": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="2026-13-45"' not in html and "Enter a valid date" in html
    response = client.get(reverse("search:search"), {"date_from": "2026-02-03"})
    assert 'name="date_from" value="2026-02-03"' in response.content.decode()
