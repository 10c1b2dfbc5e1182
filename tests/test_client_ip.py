from django.test import RequestFactory

from core.client import client_ip


def request_with(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)


def test_without_a_proxy_header_the_socket_address_is_the_client(settings):
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request_with(HTTP_X_REAL_IP="203.0.113.9")) == "10.0.0.1"


def test_behind_a_proxy_its_header_names_the_client(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request_with(HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"


def test_only_the_proxys_own_entry_of_a_forwarded_list_counts(settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    request = request_with(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


def test_a_missing_proxy_header_falls_back_to_the_socket_address(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request_with()) == "10.0.0.1"
