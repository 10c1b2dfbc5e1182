"""`{% load static %}` with each file's address worked out once per process.

Django's `{% static %}` asks the storage for every use: with hashed file names that is a
manifest lookup and URL quoting, a dozen times per page. The answer for a path does not
change while the process runs (the manifest is read when it starts), so it is remembered;
a test that changes the static settings starts afresh. Registered under the name "static"
(settings.TEMPLATES' "libraries"), so templates keep `{% load static %}`.
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.templatetags import static as django_static

register = template.Library()
register.filters.update(django_static.register.filters)
register.tags.update(django_static.register.tags)


class RememberedStaticNode(django_static.StaticNode):
    @classmethod
    def handle_simple(cls, path):
        return _address(path)


_address = functools.lru_cache(maxsize=2048)(django_static.StaticNode.handle_simple)


@register.tag("static")
def do_static(parser, token):
    """{% static "css/site.css" %} or {% static path as name %}, as Django's."""
    return RememberedStaticNode.handle_token(parser, token)


def _forget(*, setting, **kwargs):
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "DEBUG"}:
        _address.cache_clear()


setting_changed.connect(_forget)
