from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import robots, sitemaps, webapp
from newsportal import health
from pages.sitemaps import PageSitemap

# The sitemap index: articles' own sitemaps and, from above them, the standing pages.
SITEMAPS = {**sitemaps.SITEMAPS, "pages": PageSitemap}

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
# allauth looks this up for its own rate limits (sign-up, failed log-ins, resets).
handler429 = "core.ratelimit.ratelimited_response"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("robots.txt", robots.robots_txt, name="robots-txt"),
    path("manifest.webmanifest", webapp.web_manifest, name="web-manifest"),
    path("favicon.ico", webapp.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.section,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("news-sitemap.xml", sitemaps.news, name="news-sitemap"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("comments/", include("comments.urls")),
    path("ratings/", include("ratings.urls")),
    path("votes/", include("votes.urls")),
    path("polls/", include("polls.urls")),
    path("search/", include("search.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("liveblog.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("readership.urls")),
    path("", include("frontpage.urls")),
    path("", include("articles.urls")),
    # Last: a page's slug is one path segment, so it never hides an address above
    # (pages.models refuses slugs that one of those answers).
    path("", include("pages.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
