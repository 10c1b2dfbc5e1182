"""The rendered pages' small helpers: the unpickled fragment store and {% static %}'s memory."""

import pytest
from django.core.cache import caches
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


def test_a_static_address_is_the_manifests_worked_out_once(tmp_path, monkeypatch):
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from core.static_urls import RememberedManifestStorage

    (tmp_path / "site.css").write_text("body { color: black }")
    (tmp_path / "staticfiles.json").write_text(
        '{"paths": {"site.css": "site.0123456789ab.css"}, "version": "1.1"}'
    )
    storage = RememberedManifestStorage(location=tmp_path, base_url="/static/")
    asked = []
    real = CompressedManifestStaticFilesStorage.url

    def counted(self, name, force=False):
        asked.append(name)
        return real(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counted)
    assert storage.url("site.css") == "/static/site.0123456789ab.css"
    assert storage.url("site.css") == "/static/site.0123456789ab.css"
    assert asked == ["site.css"]
