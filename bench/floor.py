"""The floor: the least Django can do per request, on the same gunicorn as our site.

One view answers every address with the bytes of a page saved from our site (the file named
by BENCH_FLOOR_PAGE), from memory: no database, no templates, no middleware, no apps.
Whatever our site does on top of this is what our own code costs.

    BENCH_FLOOR_PAGE=page.html gunicorn --config bench/gunicorn.conf.py bench.floor:application
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import re_path

PAGE = Path(os.environ["BENCH_FLOOR_PAGE"]).read_bytes()

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-floor-" + "f" * 40,  # noqa: S106 - signs nothing
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    DATABASES={},
    USE_I18N=False,
)


def page(request, path=""):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [re_path(r"^(?P<path>.*)$", page)]

application = get_wsgi_application()
