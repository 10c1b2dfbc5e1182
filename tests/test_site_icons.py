"""Favicon, touch icon and web app manifest; the publisher's logo in the JSON-LD."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

from tests.factories import ArticleFactory
from tests.test_article_pages import json_ld

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icons_and_the_manifest(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


@override_settings(SITE_NAME="The Evening Post")
def test_the_manifest_is_served_as_a_web_app_manifest_with_the_sites_name(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "max-age=86400" in response["Cache-Control"]
    manifest = json.loads(response.content)
    assert manifest["name"] == "The Evening Post"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_every_icon_named_exists_at_its_size():
    from PIL import Image

    from articles.webapp import ICONS

    for path, size, _purpose in (*ICONS, ("icons/apple-touch-icon.png", 180, "")):
        found = finders.find(path)
        assert found, path
        with Image.open(found) as image:
            assert image.size == (size, size)
    assert finders.find("icons/favicon.svg")


def test_favicon_ico_redirects_to_the_png(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/icons/favicon-32.png"


def test_post_to_the_manifest_is_refused(client):
    assert client.post("/manifest.webmanifest").status_code == 405


@override_settings(SITE_URL="https://news.example")
def test_the_article_json_ld_names_the_publishers_logo(client):
    article = ArticleFactory()
    blocks = {
        block["@type"]: block
        for block in json_ld(client.get(article.get_absolute_url()).content.decode())
    }
    logo = blocks["NewsArticle"]["publisher"]["logo"]
    assert logo == {
        "@type": "ImageObject",
        "url": "https://news.example/static/icons/icon-512.png",
        "width": 512,
        "height": 512,
    }
