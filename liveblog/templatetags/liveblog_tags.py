"""The live page on the article page: `articles` renders this tag's include without
knowing the app exists (docs/architecture.md, "How a lower layer learns about a higher one")."""

from django import template
from django.conf import settings

from articles.templatetags.articles_tags import absolute_url, json_ld_script
from liveblog.selectors import live_page_of

register = template.Library()


@register.simple_tag
def live_page(article):
    """The LivePage run under `article`, or None (no query when it is not live)."""
    if article is None or not article.pk:
        return None
    return live_page_of(article)


@register.simple_tag
def poll_seconds() -> int:
    return settings.LIVEBLOG_POLL_SECONDS


@register.simple_tag
def live_json_ld(live) -> str:
    """schema.org LiveBlogPosting: the coverage window and every entry as a BlogPosting."""
    coverage, article = live.coverage, live.coverage.article
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "@id": f"{url}#live",
        "url": url,
        "headline": article.title[:110],
        "description": article.seo_description or article.standfirst,
        "datePublished": article.published_at,
        "dateModified": live.entries[0].posted_at if live.entries else article.modified_at,
        "coverageStartTime": coverage.started_at,
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "@id": f"{url}#{entry.anchor}",
                "url": f"{url}#{entry.anchor}",
                "headline": (entry.headline or entry.summary)[:110],
                "datePublished": entry.posted_at,
                "articleBody": entry.summary,
                **(
                    {"author": {"@type": "Person", "name": entry.author.name}}
                    if entry.author
                    else {}
                ),
            }
            for entry in live.entries
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": absolute_url("/"),
        },
    }
    if coverage.ended_at:
        data["coverageEndTime"] = coverage.ended_at
    return json_ld_script(data)
