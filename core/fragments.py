"""Rendered pieces of pages, kept under keys made of everything they show.

A piece's key is a hash of its name, the language and the values it is rendered from (ids,
update times, names, counters), read by the page's own queries: when any of them changes
the key changes, so a stale piece is never served and nothing has to be purged. That also
makes a per-process cache safe (settings.CACHES["template_fragments"]), and it is the key
the `{% cache %}` template tag makes, so both share the cache. Pieces must hold nothing
personal and no CSRF token: callers render them only for what every reader sees alike.
"""

from collections.abc import Callable, Iterable

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.utils import translation


def _store():
    # As Django's {% cache %} tag does: the default cache when settings name no
    # "template_fragments" cache (a test's or a deployment's own CACHES).
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def fragment_key(name: str, parts: Iterable) -> str:
    return make_template_fragment_key(name, [translation.get_language(), *parts])


def fragment(name: str, parts: Iterable, render: Callable[[], str]) -> str:
    """The piece `name` for these `parts`, rendered by `render()` when not cached yet."""
    store = _store()
    key = fragment_key(name, parts)
    html = store.get(key)
    if html is None:
        html = render()
        store.set(key, html)
    return html
