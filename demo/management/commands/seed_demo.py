"""Fill the site with a realistic demo newsroom: sections, authors, tags, images, articles.

Idempotent: sections, authors and tags are matched by slug, and each demo article has a
fixed slug, so running it again only adds what is missing. ``--articles 100000`` builds a
large site in batches, each table's rows of a batch written with one COPY (no per-row
save(), no INSERT to build), reusing a small pool of generated images. The words come
from demo/data/.
"""

# ruff: noqa: S311 - demo text and pictures, nothing secret is drawn at random

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import TaggedItem
from tqdm import tqdm

from articles.models import Article, ArticleAuthor, Category
from demo import stories
from demo.builders import article_row, articles_copy, rows_copy
from demo.engagement import (
    comment_counts_draw,
    comments_bulk_add,
    engagement_add,
    readers_ensure,
    recent_views_add,
)
from demo.front import front_curate
from demo.newsroom import authors_ensure, sections_ensure, tags_ensure
from demo.pictures import PALETTES, image_pool
from demo.storyforms import correction_ensure, live_coverage_ensure, pages_ensure


class Command(BaseCommand):
    help = "Create (or top up) a realistic demo site. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=300, help="How many articles.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--images", type=int, default=len(PALETTES), help="Image pool size.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        sections = sections_ensure()
        authors = authors_ensure()
        tags = tags_ensure()
        readers = readers_ensure()
        created = self.make_articles(
            total=options["articles"],
            batch_size=options["batch_size"],
            seed=options["seed"],
            sections=sections,
            authors=authors,
            tags=tags,
            readers=readers,
            pool=image_pool(options["images"]),
            progress=not options["no_progress"],
        )
        engagement_add(options["seed"])
        front_curate()
        pages_ensure()
        live_coverage_ensure()
        correction_ensure()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo site ready: {len(sections)} sections, {len(authors)} authors, "
                f"{len(tags)} tags, {created} new articles "
                f"({Article.objects.count()} in total)."
            )
        )

    def make_articles(
        self, *, total, batch_size, seed, sections, authors, tags, readers, pool, progress
    ):
        now = timezone.now()
        # Space stories so a few hundred cover two months and 100,000 cover about four years.
        spacing = timedelta(minutes=max(20, min(300, 4 * 365 * 24 * 60 // max(total, 1))))
        content_type = ContentType.objects.get_for_model(Article)
        created = 0
        bar = tqdm(total=total, unit="article", disable=not progress, desc="Articles")
        for start in range(0, total, batch_size):
            batch = {}
            for number in range(start, min(start + batch_size, total)):
                story = Story.draw(number, seed=seed, sections=sections)
                batch[story.slug] = story
            existing = set(Article.objects.filter(slug__in=batch).values_list("slug", flat=True))
            rows, extras, comment_counts = [], [], []
            for story in batch.values():
                if story.slug in existing:
                    continue
                article = story.article(now=now, spacing=spacing, pool=pool)
                # Counted here, so the row is written once with its comments' count.
                article.comment_count = comment_counts_draw(
                    story.rng,
                    story.number,
                    article.status == Article.Status.PUBLISHED and article.published_at <= now,
                )
                comment_counts.append(article.comment_count)
                rows.append(article)
                byline = story.rng.sample(authors, 1 if story.rng.random() < 0.8 else 2)
                extras.append((byline, story.rng.sample(tags, story.rng.randint(1, 4))))
            with transaction.atomic():
                articles_copy(rows, now=now)
                rows_copy(
                    ArticleAuthor,
                    ["article_id", "author_id", "position"],
                    (
                        (article.pk, author.pk, position)
                        for article, (byline, _) in zip(rows, extras, strict=True)
                        for position, author in enumerate(byline)
                    ),
                )
                rows_copy(
                    TaggedItem,
                    ["content_type_id", "object_id", "tag_id"],
                    (
                        (content_type.pk, article.pk, tag.pk)
                        for article, (_, article_tags) in zip(rows, extras, strict=True)
                        for tag in article_tags
                    ),
                )
                recent_views_add(rows, now)
                comments_bulk_add(rows, comment_counts, readers, seed=seed + start, now=now)
            created += len(rows)
            bar.update(len(batch))
        bar.close()
        if created:
            # Fresh statistics, or the planner keeps its empty-table estimates for a while.
            # VACUUM also marks the new pages all-visible, so index-only scans (where a
            # sitemap page starts) skip the heap at once; it cannot run in a transaction,
            # which a test's seeding is.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{verb} articles_article, taggit_taggeditem, articles_articleauthor, "
                    "comments_comment"
                )
        return created


@dataclass
class Story:
    """Demo article `number`, drawn from its own seeded generator so every run draws the
    same story (and slug) for the same number."""

    number: int
    rng: random.Random
    section: Category
    title: str
    topic: str

    @classmethod
    def draw(cls, number: int, *, seed: int, sections: list[Category]) -> Story:
        rng = random.Random(seed * 1_000_003 + number)
        section = sections[rng.randrange(len(sections))]
        title, topic = stories.headline(rng, section.name)
        return cls(number, rng, section, title, topic)

    @property
    def slug(self) -> str:
        return f"{slugify(self.title)[:180]}-{self.number}"

    def article(self, *, now: datetime, spacing: timedelta, pool: list[dict]) -> Article:
        """Published `spacing` before the story numbered one lower; some drafts, a few
        scheduled."""
        rng, topic = self.rng, self.topic
        status = Article.Status.PUBLISHED
        published_at = now - spacing * self.number - timedelta(minutes=rng.randint(0, 15))
        if self.number % 97 == 13:
            status = Article.Status.DRAFT
        elif self.number % 151 == 7:
            published_at = now + timedelta(days=rng.randint(1, 10))  # scheduled
        body = stories.body(rng, topic)
        image = rng.choice(pool) if pool and rng.random() < 0.85 else None
        return article_row(
            title=self.title,
            slug=self.slug,
            standfirst=stories.sentence(rng, topic),
            body=body,
            category=self.section,
            status=status,
            published_at=published_at,
            is_featured=self.number < 40 and self.number % 7 == 0,
            image=image["source"] if image else "",
            image_width=image["width"] if image else None,
            image_height=image["height"] if image else None,
            image_renditions=image or {},
            image_alt=f"An illustration for a story about {topic}" if image else "",
            image_caption=f"A scene linked to {topic}." if image else "",
            image_credit="Newsportal Pictures" if image else "",
            view_count=rng.randint(0, 5000),
        )
