from django.urls import path

from articles import feeds, views
from articles.search import SearchView

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
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
