from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils.html import urlize
from django.utils.safestring import mark_safe

from comments.models import Report
from comments.selectors import article_thread

register = template.Library()

# Readers' links must not pass our reputation on, nor give the target a handle on our page.
LINK_REL = ' rel="nofollow ugc noopener"'


@register.filter(is_safe=True)
def comment_text(body: str) -> str:
    """Plain text to HTML: everything escaped, line breaks kept, web links clickable."""
    html = urlize(body, trim_url_limit=60, nofollow=True, autoescape=True)
    # With autoescape on, a reader's own text cannot contain this quoted attribute.
    html = html.replace(' rel="nofollow"', LINK_REL)
    return mark_safe(linebreaksbr(html, autoescape=False))  # noqa: S308 - escaped above


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def article_comments(context, article):
    """The comment section of an article page: thread, form, pagination."""
    request = context["request"]
    user = getattr(request, "user", None)
    thread = article_thread(article=article, user=user, page_number=request.GET.get("cpage"))
    return {
        "article": article,
        "thread": thread,
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def comments_max_length() -> int:
    return settings.COMMENTS_MAX_LENGTH


@register.simple_tag
def comment_report_reasons():
    return Report.Reason.choices
