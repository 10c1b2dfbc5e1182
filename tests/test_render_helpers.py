"""The rendered pages' small helpers: the unpickled fragment store and {% static %}'s memory."""

import pytest
from django.core.cache import caches
from django.template import Context, Template
from django.templatetags.static import StaticNode
from django.utils.safestring import SafeString, mark_safe

from core.cache import FragmentMemoryCache


@pytest.fixture
def store():
    return FragmentMemoryCache("test-fragments", {"TIMEOUT": 60})


def test_a_piece_comes_back_as_the_very_string_it_was(store):
    html = mark_safe("<p>Story</p>")  # noqa: S308 (a test value)
    store.set("piece", html)
    found = store.get("piece")
    assert found is html and isinstance(found, SafeString)
    assert store.add("piece", "other") is False
    assert store.get("missing", "default") == "default"


def test_a_piece_expires(store, monkeypatch):
    import time

    store.set("piece", "<p>Story</p>", timeout=10)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 11)
    assert store.get("piece") is None
    assert store.add("piece", "<p>New</p>") is True


@pytest.mark.parametrize("value", [b"<p>bytes</p>", ["<p>a list</p>"], 3])
def test_anything_but_text_is_refused(store, value):
    with pytest.raises(TypeError, match="rendered text"):
        store.set("piece", value)
    with pytest.raises(TypeError, match="rendered text"):
        store.add("piece", value)


def test_the_settings_keep_pieces_in_it():
    assert isinstance(caches["template_fragments"], FragmentMemoryCache)


def test_static_addresses_are_djangos_and_follow_a_settings_change(settings):
    template = Template(
        "{% load static %}{% static 'css/site.css' %}|{% static 'x.js' as js %}{{ js }}"
    )
    assert template.render(Context()) == (
        StaticNode.handle_simple("css/site.css") + "|" + StaticNode.handle_simple("x.js")
    )
    settings.STATIC_URL = "/elsewhere/"
    assert template.render(Context()).startswith("/elsewhere/")
