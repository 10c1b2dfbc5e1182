"""The live page on the article page: `articles` calls this app's tag without knowing the
app exists (docs/architecture.md, "How a lower layer learns about a higher one")."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from articles.templatetags.articles_tags import absolute_url, json_ld_script
from core.fragments import fragment
from liveblog.selectors import fragment_version, live_article_ids, live_page_of

register = template.Library()


@register.simple_tag(takes_context=True)
def live_coverage(context, article) -> str:
    """The live page run under `article` (key events, entries, poller, JSON-LD), or nothing
    (no query when it is not live).

    Kept as a piece per version of its entries (`fragment_version`, dropped by every
    service that changes the live page) and of the story (its JSON-LD names it): a live
    story's page read and rendered every entry on every view, several plain pages' work.
    The same for every reader: nothing personal, no form."""
    if article is None or not article.pk:
        return ""
    coverage_id = live_article_ids().get(article.pk)
    if coverage_id is None:
        return ""
    parts = (coverage_id, fragment_version(coverage_id), context.get("story_version"))
    return fragment("live-page", parts, lambda: _live_section(article))


def _live_section(article) -> str:
    live = live_page_of(article)
    if live is None:
        return ""
    return render_to_string("liveblog/_live.html", {"live": live})


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
