"""The shapes of the API's answers, from which the OpenAPI schema is generated.

Links are absolute (SITE_URL, or the storage's own address for media on a CDN): an API
client has no page to resolve a relative one against.
"""

from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from ninja import Field, Schema

from articles.sanitize import sanitize_html


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url


def media_url(name: str) -> str:
    return absolute(default_storage.url(name)) if name else ""


class Error(Schema):
    detail: str = Field(description="What was wrong, for a person to read.")
    errors: list[dict] | None = Field(
        None, description="For bad parameters: each one's location and the problem with it."
    )


class Section(Schema):
    slug: str
    name: str
    description: str
    url: str = Field(description="The section's page on the site.")

    @staticmethod
    def resolve_url(section) -> str:
        return absolute(section.get_absolute_url())


class Author(Schema):
    slug: str
    name: str
    job_title: str
    bio: str
    photo: str | None = Field(description="Absolute address of the author's photo.")
    url: str = Field(description="The author's page on the site.")

    @staticmethod
    def resolve_photo(author) -> str | None:
        return media_url(author.photo.name) or None

    @staticmethod
    def resolve_url(author) -> str:
        return absolute(author.get_absolute_url())


class Tag(Schema):
    slug: str
    name: str
    url: str = Field(description="The tag's page on the site.")

    @staticmethod
    def resolve_url(tag) -> str:
        return absolute(reverse("articles:tag", kwargs={"slug": tag.slug}))


class Rendition(Schema):
    format: str = Field(description="`webp` or `jpeg`.")
    width: int
    url: str


class Image(Schema):
    url: str = Field(description="The original upload, cleaned of metadata.")
    width: int | None
    height: int | None
    alt: str
    caption: str
    credit: str
    renditions: list[Rendition] = Field(description="Resized copies, narrowest first.")
    social: str | None = Field(description="A 1200×630 JPEG for link previews.")


class Counts(Schema):
    views: int
    comments: int
    ratings: int
    rating_average: float | None = Field(description="Mean stars, 1 to 5; null when unrated.")


class Article(Schema):
    id: int
    headline: str = Field(alias="title")
    slug: str
    standfirst: str
    body: str = Field(description="HTML, sanitised: safe to show as it is.")
    url: str = Field(description="The canonical address of the story on the site.")
    published_at: datetime
    updated_at: datetime
    section: Section | None = Field(alias="category")
    authors: list[Author] = Field(description="In the order they are credited.")
    tags: list[Tag]
    image: Image | None
    counts: Counts
    reading_time: int = Field(description="Minutes.")

    @staticmethod
    def resolve_body(article) -> str:
        # save() sanitised it; rows written by bulk inserts or update() skipped save().
        return sanitize_html(article.body)

    @staticmethod
    def resolve_url(article) -> str:
        return absolute(article.get_absolute_url())

    @staticmethod
    def resolve_authors(article) -> list:
        return article.byline_authors

    @staticmethod
    def resolve_tags(article) -> list:
        return list(article.tags.all())

    @staticmethod
    def resolve_image(article) -> dict | None:
        if not article.image:
            return None
        index = article.image_renditions or {}
        renditions = [
            {"format": kind, "width": int(width), "url": media_url(name)}
            for kind in ("webp", "jpeg")
            for width, name in sorted(index.get(kind, {}).items(), key=lambda item: int(item[0]))
        ]
        return {
            "url": media_url(article.image.name),
            "width": article.image_width,
            "height": article.image_height,
            "alt": article.image_alt,
            "caption": article.image_caption,
            "credit": article.image_credit,
            "renditions": renditions,
            "social": media_url(index.get("social", "")) or None,
        }

    @staticmethod
    def resolve_counts(article) -> dict:
        average = article.rating_average
        return {
            "views": article.view_count,
            "comments": article.comment_count,
            "ratings": article.rating_count,
            "rating_average": round(average, 2) if average is not None else None,
        }


class Page(Schema):
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )
    next: str | None = Field(description="The next page's address, filters kept.")


class ArticlePage(Page):
    items: list[Article]


class AuthorPage(Page):
    items: list[Author]


class TagPage(Page):
    items: list[Tag]
