from django import template

from ratings.views import widget_context

register = template.Library()


@register.inclusion_tag("ratings/widget.html", takes_context=True)
def rating_widget(context, article):
    """The star-rating widget for an article page; personal only for signed-in readers."""
    request = context["request"]
    return widget_context(request, article, personal=request.user.is_authenticated)
