"""Surrogate keys, and the purge client of the caching proxies in front of the site.

A cacheable page names what it shows in an `xkey` header ("article-12 section-3"): the
Varnish of deploy/varnish files its copy under those keys and drops the header before it
reaches the reader. When something changes, `proxy_purge` asks every proxy in
PROXY_PURGE_URLS to drop the copies filed under its keys (a `PURGE` with an `xkey-purge`
header, which the VCL accepts only from its purge ACL). Without PROXY_PURGE_URLS it does
nothing: a site without a proxy pays nothing for this.

A proxy that does not answer must never fail an editor's save: each purge waits at most
PROXY_PURGE_TIMEOUT seconds per proxy and a failure is logged, not raised. Its copies then
live out their max-age.
"""

import http.client
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

XKEY_HEADER = "xkey"
logger = logging.getLogger(__name__)


def from_caching_proxy(request) -> bool:
    """Whether Varnish is fetching this request to keep the answer (it names each backend
    request in X-Varnish): right after a purge, and what it keeps it serves for max-age."""
    return "HTTP_X_VARNISH" in request.META


def surrogate_keys_set(response, keys: Iterable[str]) -> None:
    """Name on `response` what it shows, for the proxy to file its copy under."""
    keys = sorted(set(keys))
    if keys:
        response[XKEY_HEADER] = " ".join(keys)


def proxy_purge(keys: Iterable[str], *, soft: bool = False) -> int:
    """Drop every proxy's copies filed under `keys`; how many proxies confirmed it.

    A soft purge marks the copies stale instead: the next reader still gets one at once
    while the proxy fetches a fresh one (for counts, where a second's lag costs nothing).
    Call it after the change is committed, or a request in between caches the old page.
    """
    keys = sorted(set(keys))
    if not keys or not settings.PROXY_PURGE_URLS:
        return 0
    header = "xkey-softpurge" if soft else "xkey-purge"
    confirmed = 0
    for url in settings.PROXY_PURGE_URLS:
        try:
            status = _send(url, header, " ".join(keys))
        except (OSError, http.client.HTTPException) as error:
            logger.warning("Purge of %s at %s failed: %s", " ".join(keys), url, error)
            continue
        if status != 200:
            logger.warning("Purge of %s at %s answered %s", " ".join(keys), url, status)
            continue
        confirmed += 1
    return confirmed


def _send(url: str, header: str, keys: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port or 80, timeout=settings.PROXY_PURGE_TIMEOUT
    )
    try:
        connection.request("PURGE", parts.path or "/", headers={header: keys})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
