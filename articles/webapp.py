"""The site's icons and web app manifest: what a phone shows when a reader saves the site.

The files are static (static/icons/); only the manifest is a view, because it carries the
site's name and the icons' hashed static addresses.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Path under static/, width and height. The 512 px icon doubles as the publisher's logo
# in the JSON-LD (Google asks for at least 112 px, square or wide).
ICONS = (
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/icon-maskable-512.png", 512, "maskable"),
)
PUBLISHER_LOGO = ("icons/icon-512.png", 512, 512)
THEME_COLOR = "#1a1a1a"
MANIFEST_CONTENT_TYPE = "application/manifest+json"


@require_GET
@cache_control(max_age=86400, public=True)
def web_manifest(request):
    manifest = {
        "name": settings.SITE_NAME,
        "short_name": settings.SITE_NAME[:12],
        "start_url": reverse("frontpage:home"),
        "scope": "/",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": use}
            for path, size, use in ICONS
        ],
    }
    return HttpResponse(json.dumps(manifest, indent=2), content_type=MANIFEST_CONTENT_TYPE)


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    # Browsers and feed readers ask for /favicon.ico whatever the page links to.
    return redirect(static("icons/favicon-32.png"), permanent=True)
