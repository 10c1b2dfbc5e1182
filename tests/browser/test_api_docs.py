"""The API's documentation page (Swagger UI) works under our Content-Security-Policy with
every file from this site: the page fixture fails the test on any CSP violation."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_from_local_files_only(page, live_server, screenshot):
    base = live_server.url.replace("//localhost:", "//127.0.0.1:")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(base + "/api/v1/docs")
    page.get_by_text("/api/v1/articles", exact=True).first.wait_for()
    page.get_by_role("heading", name="The Newsportal content API").wait_for()
    page.wait_for_load_state("networkidle")
    screenshot("api-docs")
    elsewhere = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
    assert not elsewhere, elsewhere
