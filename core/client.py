"""The reader's address, for rate limits and view de-duplication (never stored raw)."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind our own proxy the header it sets (settings.CLIENT_IP_HEADER).

    In a list such as X-Forwarded-For only the last entry was written by our proxy; the
    earlier ones are whatever the client claimed, so they are ignored.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if value.strip():
            return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
