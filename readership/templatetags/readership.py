from django import template

from readership import charts
from readership.most_read import most_read_windows

register = template.Library()


@register.inclusion_tag("includes/most_read.html")
def most_read(limit=5):
    """The most-read block, one <details> per window (cached: no queries on most pages)."""
    return {"windows": most_read_windows(limit=limit)}


@register.inclusion_tag("admin/includes/views_chart.html")
def views_chart(article=None):
    """A 30-day bar chart of views as inline SVG, with the numbers in a table."""
    return {"chart": charts.views_chart(article)}
