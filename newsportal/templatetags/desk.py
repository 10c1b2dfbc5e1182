from django import template
from django.urls import NoReverseMatch, reverse

from newsportal import dashboard

register = template.Library()


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def desk_dashboard(context):
    """The editors' dashboard; only for people who may see articles in the admin."""
    request = context["request"]
    if not request.user.has_perm("articles.view_article"):
        return {"show": False}
    data = dashboard.dashboard()
    try:
        pending_url = reverse("admin:comments_comment_changelist") + "?status__exact=pending"
    except NoReverseMatch:
        pending_url = None
    return {"show": True, "pending_url": pending_url, **data}


@register.inclusion_tag("admin/includes/views_chart.html")
def views_chart(article=None):
    """A 30-day bar chart of views as inline SVG, with the numbers in a table."""
    return {"chart": dashboard.views_chart(article)}
