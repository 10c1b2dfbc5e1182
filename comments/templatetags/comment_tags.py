from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.html import urlize
from django.utils.safestring import mark_safe

from comments.models import Report
from comments.selectors import article_thread, thread_version
from comments.services import comments_state
from core.fragments import fragment

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


@register.simple_tag(takes_context=True)
def article_comments(context, article):
    """The comment section of an article page: thread, form, pagination.

    As anonymous readers see it, it is the same for all of them: rendered once for each
    state of the thread (`thread_version`: every comment's text, status, score, times and
    author name), never with a form or CSRF token in it. A cached one costs one query."""
    request = context["request"]
    user = getattr(request, "user", None)
    page_number = request.GET.get("cpage")

    def render() -> str:
        thread = article_thread(article=article, user=user, page_number=page_number)
        thread_context = {
            "article": article,
            "thread": thread,
            "request": request,
            "user": user,
            "csrf_token": context.get("csrf_token"),
        }
        return render_to_string("comments/_thread.html", thread_context)

    if user is not None and user.is_authenticated:
        return render()
    return fragment("comment-thread", _thread_key(article, page_number), render)


def _thread_key(article, page_number) -> tuple:
    state = comments_state(article)
    # Anonymous readers are shown nothing of a hidden thread or one with none counted.
    shown = state != article.Comments.HIDDEN and article.comment_count
    version = thread_version(article) if shown else None
    where = (article.pk, article.slug, article.publish_date, article.comment_count, state)
    # Any text: Paginator.get_page makes a page of it (the first, or the last).
    return (*where, page_number, version)


@register.simple_tag
def comments_max_length() -> int:
    return settings.COMMENTS_MAX_LENGTH


@register.simple_tag
def comment_report_reasons():
    return Report.Reason.choices
