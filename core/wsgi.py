"""The part of the request guard that must run before Django builds the request.

Imports nothing that needs Django set up: newsportal/wsgi.py wraps the application with it.
"""

import codecs

from django.utils.http import parse_header_parameters


def refuse_unparseable_content_type(application):
    """Wrap the WSGI application: Django parses Content-Type while it builds the request,
    before any middleware, and fails there on a parameter it cannot decode (RFC 2231,
    `charset*=x''%41`) or on a codec that is not for text (`charset=rot13` with a query
    string): a bare 500 from the server. Such headers get a plain 400 instead."""

    def guarded(environ, start_response):
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type and _breaks_the_request(content_type):
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Bad Request: the Content-Type header could not be read.\n"]
        return application(environ, start_response)

    return guarded


def _breaks_the_request(content_type: str) -> bool:
    if "*" not in content_type and "charset" not in content_type.lower():
        return False  # nothing Django decodes: the usual case, kept cheap
    try:
        charset = parse_header_parameters(content_type)[1].get("charset")
        if charset is None:
            return False
        codecs.lookup(charset)
    except LookupError:
        return False  # Django ignores an unknown charset; RequestGuardMiddleware refuses it
    except ValueError:
        return True
    try:
        "".encode(charset)
    except LookupError:
        return True  # a codec, but not for text ("rot13", "base64")
    return False
