from django import template
from django.template.loader import render_to_string

from core.fragments import fragment
from readership import charts
from readership.most_read import most_read_windows

register = template.Library()


@register.simple_tag
def most_read(limit=5):
    """The most-read block, one <details> per window (cached: no queries on most pages),
    rendered once for each set of charts it shows."""
    windows = most_read_windows(limit=limit)
    # Each window's rows as the cache holds them, whose text is a plain tuple's: a new
    # chart (once a cache period at most) is a new key. The labels go with the language.
    return fragment(
        "most-read",
        [rows for _days, _label, rows in windows],
        lambda: render_to_string("includes/most_read.html", {"windows": windows}),
    )


@register.inclusion_tag("admin/includes/views_chart.html")
def views_chart(article=None):
    """A 30-day bar chart of views as inline SVG, with the numbers in a table."""
    return {"chart": charts.views_chart(article)}
