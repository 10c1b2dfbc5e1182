"""Template helpers for the reading pages: absolute URLs, JSON-LD, pagination links."""

import functools
import json

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext

from articles.webapp import PUBLISHER_LOGO

register = template.Library()

# The same escapes as Django's json_script: the JSON can never close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def absolute_url(path: str) -> str:
    """``path`` on the site's public address (SITE_URL), the same for every visitor."""
    if not path or path.startswith(("http://", "https://")):
        return path or ""
    return settings.SITE_URL + path


@register.simple_tag
def view_count(views: int) -> str:
    """ "1,234 views": the counter the story shows outside its cached pieces, so on every
    rendered page. The same messages as a {% blocktranslate count %} would look up,
    without its per-render parsing of the message (a fiftieth of a rendered article)."""
    return _views_text(get_language(), views)


@functools.lru_cache(maxsize=4096)
def _views_text(language: str, views: int) -> str:
    # Kept per language and count: the plural lookup and the grouped number cost more than
    # the rest of the tag, and a story's count changes a few times a minute at most.
    return ngettext("%(views)s view", "%(views)s views", views) % {"views": intcomma(views)}


# What the text depends on besides the language and the count.
_VIEWS_TEXT_SETTINGS = {
    "FORMAT_MODULE_PATH",
    "LOCALE_PATHS",
    "NUMBER_GROUPING",
    "THOUSAND_SEPARATOR",
    "USE_I18N",
    "USE_THOUSAND_SEPARATOR",
}


@receiver(setting_changed)
def _forget_views_texts(setting, **kwargs) -> None:
    if setting in _VIEWS_TEXT_SETTINGS:
        _views_text.cache_clear()


@register.simple_tag(takes_context=True)
def canonical_url(context, page_obj=None) -> str:
    """This page's address without tracking parameters; ``?page=N`` kept past page 1."""
    url = absolute_url(context["request"].path)
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


def json_ld_script(data) -> str:
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def article_json_ld(article, authors=None, tags=None) -> str:
    """schema.org NewsArticle for search engines. No AggregateRating: not allowed on news.

    `authors` and `tags` default to the article's own (prefetched) ones."""
    authors = article.byline_authors if authors is None else authors
    tags = article.tags.all() if tags is None else tags
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": absolute_url(article.get_absolute_url()),
        "headline": article.title[:110],
        "description": article.seo_description or article.standfirst,
        "datePublished": article.published_at,
        # Editorial edits only: closing comments or an import re-run is no modification.
        "dateModified": article.modified_at,
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": absolute_url(author.get_absolute_url()),
            }
            for author in authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
            "logo": _publisher_logo(),
        },
    }
    if article.category_id:
        data["articleSection"] = article.category.name
    if article.image:
        data["image"] = [absolute_url(article.social_image_url)]
    keywords = [tag.name for tag in tags]
    if keywords:
        data["keywords"] = keywords
    return json_ld_script(data)


def _publisher_logo() -> dict:
    path, width, height = PUBLISHER_LOGO
    return {
        "@type": "ImageObject",
        "url": absolute_url(static(path)),
        "width": width,
        "height": height,
    }


@register.simple_tag
def breadcrumbs_json_ld(*crumbs) -> str:
    """BreadcrumbList from pairs of name and path: ``breadcrumbs_json_ld "Home" "/" ...``."""
    pairs = list(zip(crumbs[::2], crumbs[1::2], strict=False))
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": str(name), "item": absolute_url(path)}
            for i, (name, path) in enumerate(pairs, start=1)
        ],
    }
    return json_ld_script(data)


@register.filter
def meta_text(value, length: int = 160) -> str:
    """Plain text for a meta description: one line, cut at a word near ``length``."""
    text = " ".join(str(value or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


@register.filter
def isotime(value) -> str:
    """An HTML-valid ``datetime`` attribute: ISO 8601 in local time, whole seconds."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def clean_html(value) -> str:
    """The body, sanitised again on the way out, with its embeds' placeholders.

    save() already cleans it; this also covers rows written by bulk inserts or update(),
    which skip save(). nh3 takes microseconds, and pages are cached anyway. Embeds come
    after the sanitiser because their markup is ours, not the editor's.
    """
    from articles.body_images import body_images_render
    from articles.embeds import embeds_render
    from articles.sanitize import sanitize_html

    # nh3's output is safe; the embeds and pictures add only markup built by format_html.
    body = sanitize_html(str(value or ""))
    return mark_safe(body_images_render(embeds_render(body)))  # noqa: S308
