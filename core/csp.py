"""django-csp's middleware, with the policy's header text made once per process.

django-csp builds the same header from the settings on every response (its policy parts
turned into a dict, every directive copied and joined): 2 % of a rendered article page's
time. Only a response whose policy can differ from the settings' still has its own built:
one whose page used a nonce, or that django-csp's decorators gave a policy of its own.
"""

import functools
import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What django-csp's decorators set on a response to change its policy.
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# (header, the response attribute that exempts it, the setting it is built from)
_HEADERS = (
    (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
_DEBUG_PAGES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


@functools.cache
def settings_policy(setting: str) -> str:
    """The header text of the policy in `setting`, as django-csp builds it."""
    return build_policy(report_only=setting != "CONTENT_SECURITY_POLICY")


@receiver(setting_changed)
def _forget_policies(setting, **kwargs) -> None:
    if setting in {name for _header, _exempt, name in _HEADERS}:
        settings_policy.cache_clear()


class SettingsPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        nonce_used = getattr(request, "_csp_nonce", None) is not None
        if nonce_used or any(hasattr(response, name) for name in _OWN_POLICY):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_PAGES and settings.DEBUG:
            return response
        for header, exempt, setting in _HEADERS:
            policy = settings_policy(setting)
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(excluded))
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
