"""The Content-Security-Policy header, built once from the settings (core/csp.py), is the
one django-csp builds, and a response whose policy differs still gets its own."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from core.csp import SettingsPolicyMiddleware

HEADER = "Content-Security-Policy"


def directives(header: str) -> set[str]:
    # django-csp joins the directives in the order of a set: compare them as a set.
    return {part.strip() for part in header.split(";")}


def respond(middleware_class, view, path: str = "/some/page/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    middleware.process_request(request)
    return request, middleware.process_response(request, view(request))


def plain_view(request):
    return HttpResponse("page")


def test_a_plain_response_gets_the_header_django_csp_builds():
    _request, ours = respond(SettingsPolicyMiddleware, plain_view)
    _request, theirs = respond(CSPMiddleware, plain_view)
    assert directives(ours[HEADER]) == directives(theirs[HEADER])
    assert "script-src 'self'" in ours[HEADER]


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": [SELF, NONCE]}})
def test_a_page_that_used_a_nonce_gets_it_in_its_header():
    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    request, response = respond(SettingsPolicyMiddleware, view)
    assert f"script-src 'self' 'nonce-{request._csp_nonce}'" in directives(response[HEADER])
    _request, plain = respond(SettingsPolicyMiddleware, plain_view)
    assert "script-src 'self'" in directives(plain[HEADER])


def test_a_decorated_view_gets_its_own_policy():
    view = csp_update({"img-src": ["https://images.example"]})(plain_view)
    _request, response = respond(SettingsPolicyMiddleware, view)
    assert "https://images.example" in response[HEADER]
    _request, plain = respond(SettingsPolicyMiddleware, plain_view)
    assert "https://images.example" not in plain[HEADER]


def test_a_changed_setting_is_a_new_header(settings):
    before = respond(SettingsPolicyMiddleware, plain_view)[1][HEADER]
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        changed = respond(SettingsPolicyMiddleware, plain_view)[1][HEADER]
    assert directives(changed) == {"default-src 'none'"}
    assert respond(SettingsPolicyMiddleware, plain_view)[1][HEADER] == before


def test_excluded_and_exempt_responses_get_no_header():
    _request, admin = respond(SettingsPolicyMiddleware, plain_view, path="/admin/login/")
    assert HEADER not in admin

    def exempt_view(request):
        response = HttpResponse("page")
        response._csp_exempt = True
        return response

    _request, exempt = respond(SettingsPolicyMiddleware, exempt_view)
    assert HEADER not in exempt


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request, _response = respond(SettingsPolicyMiddleware, plain_view)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
