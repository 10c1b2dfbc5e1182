"""The share block on a story: the same for every reader, so the page cache keeps it, and
made of first-party files and plain links (tests/browser/test_share_links.py clicks them)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def share_block(html: str) -> str:
    match = re.search(r'<section class="share".*?</section>', html, re.S)
    assert match, "no share block on the page"
    return match.group(0)


def test_every_story_has_share_links_and_the_page_stays_cached(
    client, article, django_assert_num_queries
):
    first = client.get(article.get_absolute_url())
    assert "public" in first["Cache-Control"] and not first.cookies
    block = share_block(first.content.decode())
    for network in ("wa.me", "x.com", "facebook.com", "linkedin.com", "bsky.app", "mailto:"):
        assert network in block
    with django_assert_num_queries(0):
        again = client.get(article.get_absolute_url())
    assert share_block(again.content.decode()) == block


def test_the_share_block_loads_nothing_from_another_host(client, article):
    block = share_block(client.get(article.get_absolute_url()).content.decode())
    loaded = re.findall(r'(?:src|href)="([^"]+)"', block)
    assets = [url for url in loaded if not url.startswith(("https://", "mailto:"))]
    assert assets == ["/static/css/share.css", "/static/js/share.js"]
    # Every other address is a link the reader follows, none a file the page fetches.
    assert not re.search(r'<(?:img|iframe|script)[^>]+src="https?://', block)


def test_a_signed_in_readers_share_block_is_the_same_as_everyones(reader_client, article):
    anonymous = share_block(Client().get(article.get_absolute_url()).content.decode())
    signed_in = share_block(reader_client.get(article.get_absolute_url()).content.decode())
    assert signed_in == anonymous
