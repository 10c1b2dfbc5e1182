from django.urls import path, re_path, register_converter

from articles import feeds, views


class UnicodeSlugConverter:
    """Slugs in any language's letters: taggit keeps "zürich", sections "αθήνα"."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    # First: the most asked-for page, and no other pattern here matches four segments
    # that start with a number (the resolver tries each pattern in turn).
    path(
        "<int:year>/<str:month>/<str:day>/<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path("section/<uslug:slug>/", views.SectionView.as_view(), name="section"),
    path("authors/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("archive/", views.ArticleArchiveIndexView.as_view(), name="archive"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.ArticleYearArchiveView.as_view(), name="archive-year"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.ArticleMonthArchiveView.as_view(),
        name="archive-month",
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.ArticleDayArchiveView.as_view(),
        name="archive-day",
    ),
    path("feeds/rss/", feeds.feed_view(feeds.LatestArticlesFeed), name="feed-rss"),
    path("feeds/atom/", feeds.feed_view(feeds.LatestArticlesAtomFeed), name="feed-atom"),
    path(
        "feeds/section/<uslug:slug>/rss/",
        feeds.feed_view(feeds.SectionFeed),
        name="feed-section-rss",
    ),
    path(
        "feeds/section/<uslug:slug>/atom/",
        feeds.feed_view(feeds.SectionAtomFeed),
        name="feed-section-atom",
    ),
    path("feeds/tag/<uslug:slug>/rss/", feeds.feed_view(feeds.TagFeed), name="feed-tag-rss"),
    path("feeds/tag/<uslug:slug>/atom/", feeds.feed_view(feeds.TagAtomFeed), name="feed-tag-atom"),
    path(
        "feeds/author/<uslug:slug>/rss/", feeds.feed_view(feeds.AuthorFeed), name="feed-author-rss"
    ),
    path(
        "feeds/author/<uslug:slug>/atom/",
        feeds.feed_view(feeds.AuthorAtomFeed),
        name="feed-author-atom",
    ),
]
