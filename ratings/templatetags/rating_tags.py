from django import template
from django.template.loader import render_to_string

from core.fragments import fragment
from ratings.views import anonymous_allowed, widget_context

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_widget(context, article):
    """The star-rating widget for an article page; personal only for signed-in readers.

    What anonymous readers see depends on the article's counters alone, so it is rendered
    once for each (sum, count) and kept as a piece: the stars and their plural forms were
    a tenth of a rendered article page."""
    request = context["request"]
    if request.user.is_authenticated:
        widget = widget_context(request, article, personal=True)
        # As an inclusion tag would: the page's token, for the widget's forms.
        return _render({**widget, "csrf_token": context.get("csrf_token")})
    # The day and slug are what the widget's address is made of (no reverse() per page).
    parts = (
        article.pk,
        article.publish_date,
        article.slug,
        article.rating_sum,
        article.rating_count,
        anonymous_allowed(),
    )
    return fragment(
        "rating-widget",
        parts,
        lambda: _render(widget_context(request, article, personal=False)),
    )


def _render(widget: dict) -> str:
    return render_to_string("ratings/widget.html", widget)
