"""The demo's standing pages, live page and correction: made once, through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Correction
from articles.services import correction_save
from liveblog.models import LiveCoverage, LiveEntry
from liveblog.services import live_coverage_start, live_entry_post
from pages.models import Page
from pages.services import page_save

PAGES = [
    (
        "about",
        "About us",
        "<p>The Newsportal is an independent newsroom reporting on the city and the region "
        "every day. Our reporters and editors work to the standards set out in our "
        "corrections policy.</p><h2>Who we are</h2><p>A desk of thirty-five journalists, "
        "editors and photographers.</p>",
    ),
    (
        "contact",
        "Contact",
        '<p>News tips: <a href="mailto:tips@example.org">tips@example.org</a>.</p>'
        '<p>Corrections: <a href="mailto:corrections@example.org">corrections@example.org'
        '</a>.</p><p>Switchboard: <a href="tel:+441234567890">01234 567 890</a>.</p>',
    ),
    (
        "corrections-policy",
        "Corrections policy",
        "<p>When we get something wrong we correct it quickly and say so. A note at the foot "
        "of the story says what was wrong and when it was put right; every note is listed "
        "on the corrections page.</p>",
    ),
    (
        "terms",
        "Terms of use",
        "<p>You may read, share and link to our stories. Comments must follow our community "
        "rules; we remove those that do not.</p>",
    ),
]

LIVE_ENTRIES = [
    ("Polls open", True, "<p>Polling stations opened at 07:00 across all twelve wards.</p>"),
    ("", False, "<p>Turnout in the harbour wards is reported as brisk this morning.</p>"),
    ("", False, "<p>Queues outside the library in Northgate, where two stations share a "
     "hall.</p>"),
    ("Count begins", True, "<p>Ballot boxes have arrived at the civic centre; the count has "
     "started.</p>"),
    ("", False, "<p>First verification figures suggest turnout of about 41 per cent.</p>"),
]  # fmt: skip


def pages_ensure() -> int:
    """The four standing pages, created when missing; how many were made."""
    made = 0
    for position, (slug, title, body) in enumerate(PAGES):
        if Page.objects.filter(slug=slug).exists():
            continue
        page_save(page=Page(slug=slug, title=title, body=body, position=position))
        made += 1
    return made


def live_coverage_ensure() -> LiveCoverage | None:
    """The newest story run as a live page with a few entries, once."""
    if LiveCoverage.objects.exists():
        return None
    article = Article.objects.published().with_bylines().first()
    if article is None:
        return None
    now = timezone.now()
    coverage = live_coverage_start(article=article, started_at=now - timedelta(hours=5))
    author = next(iter(article.byline_authors), None)
    for headline, key, body in LIVE_ENTRIES:
        live_entry_post(
            coverage=coverage, body=body, headline=headline, is_key_event=key, author=author
        )
    # Spread over the morning, oldest first, so ids still follow the posting times.
    entries = list(LiveEntry.objects.filter(coverage=coverage).order_by("id"))
    for minutes_ago, entry in zip(range(len(entries) * 50, 0, -50), entries, strict=False):
        LiveEntry.objects.filter(pk=entry.pk).update(
            posted_at=now - timedelta(minutes=minutes_ago)
        )
    return coverage


def correction_ensure() -> Correction | None:
    """A correction on the second-newest story, once."""
    if Correction.objects.exists():
        return None
    article = Article.objects.published()[1:2].first()
    if article is None:
        return None
    return correction_save(
        correction=Correction(
            article=article,
            note="An earlier version of this story gave the wrong date for the council vote. "
            "It is on Thursday, not Tuesday.",
        )
    )
