"""The content API, /api/v1/: published stories, sections, authors and tags, read-only.

django-ninja turns these typed functions into the endpoints and the OpenAPI schema
(/api/v1/schema/, browsable at /api/v1/docs). Every operation goes through
`caching.api_cached` (rate limit, shared cache, ETag); bad parameters are a 400 with a JSON
body, never ninja's 422. docs/api.md is the clients' manual.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema, Swagger
from ninja.errors import ValidationError
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from api import cursors, schemas, selectors
from api.caching import api_cached

MAX_LIMIT = 50
SLUG = Annotated[str, StringConstraints(pattern=r"^[-\w]+$", max_length=200)]


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|\Z)")


def _iso_only(value):
    # pydantic would also read "0.5" as seconds since 1970: only ISO 8601 is meant here.
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError(_("Give the time in ISO 8601, e.g. 2026-11-27T18:00:00+00:00."))
    return value


def _aware(value: datetime) -> datetime:
    """A time without a zone is the newsroom's; one the database cannot hold is refused."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(_("That time is out of range.")) from error
    return value


AwareDatetime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_aware)]

api = NinjaAPI(
    title=f"{settings.SITE_NAME} content API",
    version="1",
    description=(
        "Read-only: the published stories, sections, authors and tags. "
        "Answers carry an ETag and Cache-Control; lists are paginated by an opaque cursor."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs",
    # Served from our static files; no validator badge, which would load from another host.
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
)
api.add_decorator(api_cached, mode="view")

ERRORS = {400: schemas.Error, 429: schemas.Error}


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, error: ValidationError):
    problems = [
        {"loc": [str(part) for part in problem.get("loc", ())], "msg": str(problem.get("msg"))}
        for problem in error.errors
    ]
    message = _("Some parameters are not valid: %(names)s.") % {
        "names": ", ".join(problem["loc"][-1] for problem in problems if problem["loc"])
    }
    return api.create_response(request, {"detail": message, "errors": problems}, status=400)


@api.exception_handler(cursors.BadCursor)
def bad_cursor(request: HttpRequest, error: cursors.BadCursor):
    return api.create_response(request, {"detail": str(error)}, status=400)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404):
    return api.create_response(request, {"detail": str(error) or _("Not found.")}, status=404)


def parameters_only(request: HttpRequest, known: type[Schema] | None = None) -> None:
    """Refuse parameters the operation does not take: a misspelt filter would otherwise be
    ignored without a word, and made-up ones would each fill a copy in the cache."""
    names = set(known.model_fields) if known else set()
    unknown = sorted(name for name in request.GET if name not in names)
    if unknown:
        message = _("Unknown parameter.")
        raise ValidationError([{"loc": ["query", name], "msg": message} for name in unknown])


class Paging(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Items per page.")


class ArticleQuery(Paging):
    section: SLUG | None = Field(None, description="A section's slug.")
    tag: SLUG | None = Field(None, description="A tag's slug.")
    author: SLUG | None = Field(None, description="An author's slug.")
    published_after: AwareDatetime | None = Field(
        None, description="ISO 8601; stories published at or after it."
    )
    published_before: AwareDatetime | None = Field(
        None, description="ISO 8601; stories published before it."
    )


def _next_link(request: HttpRequest, query: Schema, next_cursor: str | None) -> str | None:
    if next_cursor is None:
        return None
    params = {k: v for k, v in query.dict().items() if v is not None and k != "cursor"}
    params = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items()}
    return schemas.absolute(f"{request.path}?{urlencode({**params, 'cursor': next_cursor})}")


@api.get(
    "/articles",
    response={200: schemas.ArticlePage, **ERRORS},
    summary="Published stories, newest first",
    tags=["articles"],
)
def article_list(request: HttpRequest, query: Query[ArticleQuery]):
    parameters_only(request, ArticleQuery)
    after = None
    if query.cursor:
        after = selectors.Position(*cursors.position_decode(query.cursor))
    filters = selectors.ArticleFilters(
        section=query.section,
        tag=query.tag,
        author=query.author,
        published_after=query.published_after,
        published_before=query.published_before,
    )
    articles = selectors.articles_page(filters, after=after, limit=query.limit)
    items, more = articles[: query.limit], len(articles) > query.limit
    next_cursor = cursors.position_encode(items[-1].published_at, items[-1].pk) if more else None
    return {
        "items": items,
        "next_cursor": next_cursor,
        "next": _next_link(request, query, next_cursor),
    }


@api.get(
    "/articles/{article_id}",
    response={200: schemas.Article, 404: schemas.Error, **ERRORS},
    summary="One published story",
    tags=["articles"],
)
def article_detail(
    request: HttpRequest, article_id: Annotated[int, Field(ge=1, le=cursors.MAX_ID)]
):
    parameters_only(request)
    article = selectors.article_find(article_id)
    if article is None:
        raise Http404(_("No published story has this id."))
    return article


@api.get(
    "/sections",
    response={200: list[schemas.Section], **ERRORS},
    summary="Every section, in menu order",
    tags=["sections"],
)
def section_list(request: HttpRequest):
    parameters_only(request)
    return selectors.sections()


def _slug_page(request, query: Paging, page: list):
    items, more = page[: query.limit], len(page) > query.limit
    next_cursor = cursors.slug_encode(items[-1].slug) if more else None
    return {
        "items": items,
        "next_cursor": next_cursor,
        "next": _next_link(request, query, next_cursor),
    }


@api.get(
    "/authors",
    response={200: schemas.AuthorPage, **ERRORS},
    summary="Authors, by slug",
    tags=["authors"],
)
def author_list(request: HttpRequest, query: Query[Paging]):
    parameters_only(request, Paging)
    after = cursors.slug_decode(query.cursor) if query.cursor else None
    return _slug_page(request, query, selectors.authors_page(after=after, limit=query.limit))


@api.get(
    "/tags",
    response={200: schemas.TagPage, **ERRORS},
    summary="Tags of published stories, by slug",
    tags=["tags"],
)
def tag_list(request: HttpRequest, query: Query[Paging]):
    parameters_only(request, Paging)
    after = cursors.slug_decode(query.cursor) if query.cursor else None
    return _slug_page(request, query, selectors.tags_page(after=after, limit=query.limit))
