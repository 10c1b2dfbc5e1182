"""What a web worker does once it has loaded the application, before its first reader."""

import gc

from django.urls import get_resolver


def settle() -> None:
    """Import every view (through the URLconf) and take every object alive now out of the
    garbage collector's sight.

    The application's own objects (modules, classes, functions, URL patterns: some 120,000)
    live as long as the worker, yet every full collection walked them all with every thread
    of the worker stopped: 50 to 100 ms each under load, every few seconds, which is where
    a rendered page's p99 went. Frozen, they are never walked again; a full collection then
    walks what the worker made since (compiled templates, cached rows: some 20,000 objects),
    about 5 ms on an idle machine. Nothing frozen is ever freed, which costs nothing for
    objects that live as long as the process does."""
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    gc.collect()
    gc.freeze()
