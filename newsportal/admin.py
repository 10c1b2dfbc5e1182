"""Admin wiring between apps that must not import each other.

Engagement apps point at articles, never the reverse, so the article form's extra inlines
are plugged in here, at project level.
"""

from django.conf import settings
from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from articles.admin import register_article_inline
from polls.admin import PollInline

admin.site.site_header = format_lazy(_("{site} newsroom"), site=settings.SITE_NAME)
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = _("Editors' desk")

register_article_inline(PollInline)
