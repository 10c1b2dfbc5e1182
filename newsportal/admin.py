"""Admin wiring between apps that must not import each other.

Engagement apps point at articles, never the reverse, so the article form's extra inlines
are plugged in here, at project level.
"""

from django.apps import apps

from articles.admin import register_article_inline

if apps.is_installed("polls"):
    from polls.admin import PollInline

    register_article_inline(PollInline)
