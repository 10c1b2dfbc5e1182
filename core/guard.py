"""Refuse requests no view should see: bodies over REQUEST_MAX_BYTES (413) and NUL
characters in admin addresses (400), before anything reads them."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.responses import action_refused

ADMIN_PREFIX = "/admin/"


class RequestGuardMiddleware:
    """Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams uploaded files to
    disk whatever their size, and the CSRF check reads the whole body before any view can
    refuse it: anyone could fill the disk with one request. The limit sits well above the
    largest upload a form accepts, so a too-large picture still gets the form's own message.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            message = _("That is %(size)s; the most we accept in one go is %(limit)s.") % {
                "size": filesizeformat(length),
                "limit": filesizeformat(limit),
            }
            return action_refused(request, message, status=413)
        if request.path.startswith(ADMIN_PREFIX) and _has_nul(request.GET):
            # The admin hands list-filter values straight to PostgreSQL, which refuses NUL
            # characters with an error (a 500); our own views clean them instead.
            return action_refused(request, _("The address contains a NUL character."), status=400)
        return self.get_response(request)


def _has_nul(query) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )
