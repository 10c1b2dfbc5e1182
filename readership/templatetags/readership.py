from django import template
from django.template.loader import render_to_string

from core.fragments import fragment
from readership import charts
from readership.most_read import most_read_charts, most_read_windows

register = template.Library()


@register.simple_tag
def most_read(limit=5):
    """The most-read block, one <details> per window (cached: no queries on most pages),
    rendered once for each set of charts it shows."""
    charts = most_read_charts(limit=limit)
    # The charts as the cache holds them (plain tuples, whose text is made in C): a new
    # chart (once a cache period at most) is a new key. The labels go with the language.
    return fragment(
        "most-read",
        (charts,),
        lambda: render_to_string(
            "includes/most_read.html", {"windows": most_read_windows(charts=charts)}
        ),
    )


@register.inclusion_tag("admin/includes/views_chart.html")
def views_chart(article=None):
    """A 30-day bar chart of views as inline SVG, with the numbers in a table."""
    return {"chart": charts.views_chart(article)}
