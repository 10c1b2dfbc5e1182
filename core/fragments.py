"""Rendered pieces of pages, kept under keys made of everything they show.

A piece's key is its name, the language and the values it is rendered from (ids, update
times, names, counters), read by the page's own queries: when any of them changes the key
changes, so a stale piece is never served and nothing has to be purged. That also makes a
per-process cache safe (settings.CACHES["template_fragments"]). There the key is the text
of those values itself (`exact_key`); in any other cache (a test's or a deployment's own
CACHES) it is the hash Django's `{% cache %}` tag makes of them. Templates make pieces
with `{% piece %}` (core/templatetags/pieces.py), code with `fragment()`. Pieces must hold
nothing personal and no CSRF token: callers render them only for what every reader sees
alike.
"""

import functools
from collections.abc import Callable, Iterable

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from core.cache import FragmentMemoryCache


def _store():
    # As Django's {% cache %} tag does: the default cache when settings name no
    # "template_fragments" cache (a test's or a deployment's own CACHES).
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


@functools.cache
def _memory_store() -> FragmentMemoryCache | None:
    """The per-process store, when it is the one: its dictionary and lock are the
    process's, so one handle serves every thread, found once instead of through the
    per-thread `caches` on each of a page's dozen pieces."""
    store = _store()
    return store if isinstance(store, FragmentMemoryCache) else None


@receiver(setting_changed)
def _forget_store(setting, **kwargs) -> None:
    if setting == "CACHES":
        _memory_store.cache_clear()


def exact_key(name: str, parts: Iterable, language: str | None = None) -> tuple:
    """The piece's name, the language (the active one unless given) and the text of each
    value: what Django's `{% cache %}` hashes, kept as it is. A value's text is what its
    key is made of, not its equality: a renamed section, equal to its old self by id,
    still makes a new key."""
    return (name, language or translation.get_language(), *map(str, parts))


def fragment_key(name: str, parts: Iterable, language: str | None = None) -> str:
    return make_template_fragment_key(name, [language or translation.get_language(), *parts])


def fragment(
    name: str, parts: Iterable, render: Callable[[], str], *, language: str | None = None
) -> str:
    """The piece `name` for these `parts`, rendered by `render()` when not cached yet.
    `language` is the active one, when the caller already knows it."""
    memory = _memory_store()
    if memory is not None:
        return memory.piece(exact_key(name, parts, language), render)
    store = _store()
    key = fragment_key(name, parts, language)
    html = store.get(key)
    if html is None:
        html = render()
        store.set(key, html)
    return html
