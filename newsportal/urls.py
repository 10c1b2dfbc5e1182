from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import robots, sitemaps, webapp
from newsportal import health

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
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.section,
        {"sitemaps": sitemaps.SITEMAPS},
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
    path("newsletter/", include("newsletter.urls")),
    path("", include("readership.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
