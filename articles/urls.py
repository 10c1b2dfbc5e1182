from django.urls import path, re_path

from articles import feeds, views
from articles.search import SearchView

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.YearArchive.as_view(), name="archive-year"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthArchive.as_view(),
        name="archive-month",
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.DayArchive.as_view(),
        name="archive-day",
    ),
    path("search/", SearchView.as_view(), name="search"),
    path("feeds/rss/", feeds.LatestArticlesFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("feeds/section/<slug:slug>/rss/", feeds.SectionFeed(), name="feed-section-rss"),
    path("feeds/section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="feed-section-atom"),
    path("feeds/tag/<slug:slug>/rss/", feeds.TagFeed(), name="feed-tag-rss"),
    path("feeds/tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="feed-tag-atom"),
    path("feeds/author/<slug:slug>/rss/", feeds.AuthorFeed(), name="feed-author-rss"),
    path("feeds/author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="feed-author-atom"),
    path(
        "<int:year>/<str:month>/<str:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
]
