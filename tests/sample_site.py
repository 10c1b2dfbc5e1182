"""A small newsroom with every interesting part of every reader page in it: a story with a
picture, comments (own, pending, deleted, replies), ratings, an open and a closed poll and a
correction; a live page and a closed one; a standing page. The HTML checks and the axe browser
test both look at it."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article, Correction
from articles.services import correction_save
from liveblog.services import live_coverage_close, live_coverage_start, live_entry_post
from pages.models import Page
from pages.services import page_save
from ratings.services import rating_set
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CommentFactory,
    PollFactory,
    UserFactory,
)


def picture(name: str, size=(1200, 800)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def sample_site() -> dict:
    """Build it (MEDIA_ROOT should point somewhere temporary) and return its main objects."""
    section = CategoryFactory(name="Politics", slug="politics")
    author = AuthorFactory(slug="jo-writer", photo=picture("jo.jpg", (300, 300)))
    article = ArticleFactory(
        category=section,
        authors=[author, AuthorFactory()],
        is_featured=True,
        image=picture("council.jpg"),
        image_alt="The council chamber",
        image_caption="Councillors at the budget meeting",
        image_credit="Photo: Jo Writer",
    )
    article.tags.add("budget", "council")
    ArticleFactory.create_batch(3, category=section, authors=[author])
    ArticleFactory(category=CategoryFactory(), comments_mode=Article.Comments.CLOSED)
    reader = UserFactory(display_name="Robin Reader", avatar=picture("me.jpg", (200, 200)))
    other = UserFactory()
    own = CommentFactory(article=article, user=reader, body="My own view, with a link.")
    CommentFactory(article=article, user=reader, status="pending", body="Awaiting a moderator.")
    CommentFactory(article=article, user=other, deleted_at=article.published_at)
    theirs = CommentFactory(article=article, user=other)
    CommentFactory(article=article, user=reader, parent=theirs, body="A reply.")
    CommentFactory(article=article, user=other, parent=own)
    rating_set(article=article, stars=4, user=other)
    rating_set(article=article, stars=5, user=reader)
    PollFactory(
        article=article,
        question="Should the council raise tax?",
        answers=["Yes", "No", "Not sure"],
    )
    PollFactory(
        article=article,
        question="Was it a good year?",
        closes_at=article.published_at,
        answers=["Yes", "No"],
    )
    correction_save(correction=Correction(article=article, note="The vote was on Thursday."))
    live = ArticleFactory(category=section, authors=[author], title="The count, live")
    coverage = live_coverage_start(article=live)
    live_entry_post(
        coverage=coverage, body="<p>Polls open.</p>", headline="Open", is_key_event=True
    )
    live_entry_post(coverage=coverage, body="<p>Queues <em>everywhere</em>.</p>", author=author)
    closed = ArticleFactory(category=section, title="Last year's count, live")
    live_entry_post(coverage=live_coverage_start(article=closed), body="<p>Done.</p>")
    live_coverage_close(coverage=closed.live_coverage)
    page_save(page=Page(title="About us", slug="about", body="<h2>Who</h2><p>Us.</p>"))
    return {
        "article": article,
        "section": section,
        "author": author,
        "reader": reader,
        "live": live,
        "closed_live": closed,
    }
