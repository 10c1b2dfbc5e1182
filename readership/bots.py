"""Who is not a reader: crawlers, link previews, speculative loads, HEAD requests, staff."""

import re
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# Crawlers, link-preview fetchers (chat apps and social sites unfurling a shared link),
# monitors and HTTP libraries, matched in lower case. A user agent that does not look like
# a browser at all (no "Mozilla/" or "Opera/") is not counted either.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrape|archiver|fetch|preview|"
    r"facebookexternalhit|facebookcatalog|meta-externalagent|embedly|quora link|outbrain|"
    r"pinterestbot|vkshare|whatsapp|telegrambot|discordbot|slack|skypeuri|redditbot|"
    r"linkedinbot|mastodon/|pleroma|misskey|bluesky|iframely|bitlybot|flipboardproxy|"
    r"google-inspectiontool|googleother|google-read-aloud|mediapartners|adsbot|"
    r"feedburner|feedly|inoreader|newsblur|validator|lighthouse|pagespeed|gtmetrix|"
    r"pingdom|uptime|monitor|statuscake|headless|phantomjs|puppeteer|playwright|selenium|"
    r"curl|wget|python|httpx|aiohttp|go-http-client|java/|okhttp|libwww|perl|ruby|axios|"
    r"node-fetch|undici|postman|insomnia|scrapy|httrack|ahrefs|semrush|mj12|dotbot|"
    r"petalbot|yandex|baiduspider|bytespider|sogou|gptbot|chatgpt|oai-searchbot|ccbot|"
    r"claudebot|claude-web|anthropic|perplexity|cohere|diffbot|applebot|bingpreview",
)
BROWSER_USER_AGENT = re.compile(r"^(Mozilla|Opera)/")
PURPOSE_HEADERS = ("HTTP_SEC_PURPOSE", "HTTP_PURPOSE", "HTTP_X_PURPOSE", "HTTP_X_MOZ")


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    # Cached: readers share a few hundred user agents, and the pattern is long.
    return not BROWSER_USER_AGENT.match(user_agent) or bool(
        BOT_USER_AGENT.search(user_agent.lower())
    )


def is_countable_request(request: HttpRequest) -> bool:
    """Whether this request is a person looking at the page, as far as we can tell."""
    if request.method not in ("GET", "POST"):
        # HEAD is a link checker or a cache revalidating, never a reader.
        return False
    # META rather than request.headers: this runs on every cached page, and building
    # request.headers costs more than the whole check.
    meta = request.META
    purpose = " ".join(meta.get(name, "") for name in PURPOSE_HEADERS).lower()
    if "prefetch" in purpose or "prerender" in purpose or "preview" in purpose:
        # A speculative load may never be seen; a prerendered page that is shown
        # counts through its beacon, which waits for activation.
        return False
    if is_bot(meta.get("HTTP_USER_AGENT", "")):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_staff and not settings.VIEW_COUNT_STAFF)
