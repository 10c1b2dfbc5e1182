"""Fill the site with a realistic demo newsroom: sections, authors, tags, images, articles.

Idempotent: sections, authors and tags are matched by slug, and each demo article has a
fixed slug, so running it again only adds what is missing. ``--articles 100000`` builds a
large site in batches with bulk inserts (no per-row save()), reusing a small pool of
generated images.
"""

# ruff: noqa: S311 - demo text and pictures, nothing secret is drawn at random

import io
import json
import random
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFilter
from taggit.models import Tag, TaggedItem
from tqdm import tqdm

from accounts.models import Author
from articles.images import make_renditions
from articles.models import Article, ArticleAuthor, Category
from articles.sanitize import reading_time, sanitize_html
from readership.models import ArticleViewDay

SECTIONS = {
    "UK": ["the NHS", "rail strikes", "housing", "the cost of living", "policing"],
    "World": ["the UN", "Brussels", "the G20", "Washington", "ceasefire talks"],
    "Politics": ["the Chancellor", "Parliament", "the opposition", "local councils", "MPs"],
    "Business": ["the Bank of England", "retailers", "the FTSE 100", "start-ups", "exporters"],
    "Technology": ["AI models", "chipmakers", "broadband", "smartphones", "cyber-security"],
    "Science": ["astronomers", "a new vaccine", "the Mars rover", "physicists", "fossils"],
    "Health": ["GP surgeries", "mental health", "junior doctors", "hospital waiting lists"],
    "Education": ["exam results", "universities", "teachers", "school budgets"],
    "Environment": ["river pollution", "wind farms", "heatwaves", "rewilding", "net zero"],
    "Climate": ["sea levels", "carbon capture", "glaciers", "emissions targets"],
    "Sport": ["the Olympics", "Test cricket", "Wimbledon", "the Six Nations"],
    "Football": ["the Premier League", "the FA Cup", "transfer deadline day", "VAR"],
    "Culture": ["the Turner Prize", "museums", "street art", "the Edinburgh Fringe"],
    "Film": ["the BAFTAs", "streaming", "a new documentary", "independent cinema"],
    "Music": ["Glastonbury", "vinyl sales", "a reunion tour", "the Proms"],
    "Books": ["the Booker Prize", "libraries", "a debut novel", "poetry"],
    "Travel": ["night trains", "budget airlines", "the Highlands", "city breaks"],
    "Food": ["street food", "allotments", "the price of bread", "vegan restaurants"],
    "Money": ["pensions", "mortgage rates", "energy bills", "savings accounts"],
    "Property": ["first-time buyers", "renters", "planning rules", "house prices"],
    "Motoring": ["electric cars", "potholes", "speed limits", "charging points"],
    "Opinion": ["the high street", "public services", "local democracy", "the four-day week"],
    "Lifestyle": ["running clubs", "gardening", "remote work", "sleep"],
    "Weather": ["Storm Bert", "the Met Office", "flood warnings", "a cold snap"],
    "Local": ["the bypass", "the town hall", "the market square", "the new library"],
    "Obituaries": ["a pioneering engineer", "a beloved actor", "a war veteran"],
}

FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Eleanor", "Farid", "Grace", "Hamish", "Imogen", "Jonah",
    "Kezia", "Luca", "Maya", "Niall", "Olu", "Priya", "Rhys", "Sofia", "Tom", "Yasmin",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Brennan", "Chaudhry", "Davies", "Evans", "Fraser", "Gallagher", "Hughes",
    "Iqbal", "Jones", "Kowalski", "Lindqvist", "MacLeod", "Nakamura", "O'Connor", "Patel",
    "Quinn", "Rossi", "Singh", "Taylor",
]  # fmt: skip
JOB_TITLES = [
    "Political editor", "Economics correspondent", "Science reporter", "Chief sports writer",
    "Technology editor", "Culture critic", "Health correspondent", "Home affairs editor",
    "Foreign correspondent", "Environment reporter", "Data journalist", "Senior reporter",
]  # fmt: skip
WIRE_AGENCIES = ["Newsportal Wire", "Press Association"]

VERBS = [
    "face questions over", "unveil plans for", "warn about", "back", "rethink",
    "double down on", "cut funding for", "celebrate", "launch an inquiry into",
    "reach a deal on", "are divided over", "call time on", "pin their hopes on",
]  # fmt: skip
SUBJECTS = [
    "Ministers", "Campaigners", "Researchers", "Residents", "Investors", "Teachers",
    "Regulators", "Fans", "Scientists", "Councillors", "Unions", "Experts",
]  # fmt: skip
HOOKS = [
    "in surprise move", "after year of delays", "as pressure mounts", "amid record demand",
    "for the first time", "despite warnings", "ahead of key vote", "as costs soar",
]  # fmt: skip
SENTENCES = [
    "{subject} said the decision on {topic} would shape the next decade.",
    "Figures published on Tuesday suggest the picture is more complicated than it first seemed.",
    "Critics argue that {topic} has been neglected for too long.",
    "“We have listened, and we are acting,” a spokesperson said.",
    "The plans will be examined by a committee before a final decision is made in the spring.",
    "Local people told us they had mixed feelings about {topic}.",
    "Analysts expect the effects to be felt well beyond {topic}.",
    "Previous attempts to tackle the issue stalled because of a lack of money.",
    "Independent experts said the evidence so far was encouraging but incomplete.",
    "{subject} are expected to respond in detail later this week.",
    "The change comes after months of debate about {topic}.",
    "Officials declined to say how much the scheme would cost in total.",
]  # fmt: skip
TAGS = [
    "Analysis", "Explainer", "Interview", "Investigation", "Live", "Data", "Long read",
    "Breaking", "Review", "Podcast", "Photos", "Video", "Fact check", "Elections",
    "Budget", "Inflation", "Energy", "Transport", "Housing", "Schools", "NHS", "AI",
    "Space", "Wildlife", "Floods", "London", "Scotland", "Wales", "Northern Ireland",
    "Europe", "United States", "China", "India", "Africa", "Olympics", "Premier League",
    "Cricket", "Rugby", "Tennis", "Festivals", "Television", "Theatre", "Art",
    "Recipes", "Gardening", "Personal finance", "Pensions", "Startups", "Retail",
    "Cybersecurity", "Climate crisis", "Oceans", "Public health", "Universities",
]  # fmt: skip
PALETTES = [
    ((18, 52, 86), (233, 93, 73)), ((20, 83, 45), (245, 203, 92)),
    ((82, 24, 92), (94, 196, 223)), ((140, 30, 30), (250, 225, 180)),
    ((25, 25, 35), (120, 200, 160)), ((60, 90, 140), (250, 250, 240)),
    ((200, 120, 40), (40, 40, 70)), ((10, 110, 120), (240, 180, 200)),
    ((90, 70, 50), (170, 210, 240)), ((45, 45, 45), (230, 80, 120)),
    ((0, 70, 140), (255, 210, 0)), ((120, 140, 60), (30, 30, 60)),
]  # fmt: skip
COMMENTS = [
    "Really useful explainer, thank you.",
    "I'm not convinced: where is the money coming from?",
    "This affects our street directly. Glad someone is reporting on it.",
    "Good piece, but the headline oversells it a bit.",
    "We were promised this five years ago.",
    "Can you follow up on what happens next month?",
]  # fmt: skip
REPLIES = [
    "Agreed, the second half of the article covers that.",
    "I read it differently, but fair point.",
    "Same here.",
]  # fmt: skip
ENGAGED_ARTICLES = 30
DEMO_READERS = 12
IMAGE_SIZE = (1600, 900)
DEMO_IMAGE_DIR = "demo"


@contextmanager
def given_timestamps():
    """Let bulk_create store our created_at/updated_at instead of "now".

    Setting them in the INSERT saves rewriting every row (and its index entries) afterwards.
    """
    fields = [Article._meta.get_field(name) for name in ("created_at", "updated_at")]
    saved = [(field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Command(BaseCommand):
    help = "Create (or top up) a realistic demo site. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=300, help="How many articles.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--images", type=int, default=len(PALETTES), help="Image pool size.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        sections = self.make_sections()
        authors = self.make_authors()
        tags = self.make_tags()
        pool = self.make_image_pool(min(options["images"], len(PALETTES)))
        created = self.make_articles(
            total=options["articles"],
            batch_size=options["batch_size"],
            seed=options["seed"],
            sections=sections,
            authors=authors,
            tags=tags,
            pool=pool,
            progress=not options["no_progress"],
        )
        self.add_engagement(options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo site ready: {len(sections)} sections, {len(authors)} authors, "
                f"{len(tags)} tags, {created} new articles "
                f"({Article.objects.count()} in total)."
            )
        )

    def make_sections(self) -> list[Category]:
        existing = {c.slug: c for c in Category.objects.all()}
        sections = []
        for position, name in enumerate(SECTIONS):
            slug = slugify(name)
            section = existing.get(slug)
            if section is None:
                section = Category.objects.create(
                    name=name,
                    slug=slug,
                    position=position,
                    description=f"News, analysis and opinion: {name.lower()} from our reporters.",
                    show_in_nav=position < 12,
                )
            sections.append(section)
        return sections

    def make_authors(self) -> list[Author]:
        names = [f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True)]
        names += [
            f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES[7:], strict=False)
        ]
        names = names[:36] + WIRE_AGENCIES
        existing = {a.slug: a for a in Author.objects.all()}
        authors = []
        for index, name in enumerate(names):
            slug = slugify(name)
            author = existing.get(slug)
            if author is None:
                wire = name in WIRE_AGENCIES
                job = "" if wire else JOB_TITLES[index % len(JOB_TITLES)]
                author = Author.objects.create(
                    name=name,
                    slug=slug,
                    job_title=job,
                    bio=(
                        "Stories from our partner news agency."
                        if wire
                        else f"{name} is our {job.lower()}, and has reported from across "
                        "the country for more than a decade."
                    ),
                    social_handle="" if wire else slug.replace("-", "")[:15],
                )
            authors.append(author)
        return authors

    def make_tags(self) -> list[Tag]:
        existing = {t.slug: t for t in Tag.objects.all()}
        missing = [
            Tag(name=name, slug=slugify(name)) for name in TAGS if slugify(name) not in existing
        ]
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        return list(Tag.objects.filter(slug__in=[slugify(name) for name in TAGS]))

    def make_image_pool(self, size: int) -> list[dict]:
        """A few generated pictures with their renditions, shared by all demo articles."""
        pool = []
        for number in range(size):
            index_name = f"{DEMO_IMAGE_DIR}/pool-{number}.json"
            if default_storage.exists(index_name):
                with default_storage.open(index_name, "rb") as file:
                    pool.append(json.load(file))
                continue
            name = default_storage.save(
                f"{DEMO_IMAGE_DIR}/pool-{number}.jpg", ContentFile(self.draw_image(number))
            )
            index = make_renditions(name)
            default_storage.save(index_name, ContentFile(json.dumps(index).encode()))
            pool.append(index)
        return pool

    def draw_image(self, number: int) -> bytes:
        """An abstract "photo": a gradient sky, hills and a sun, in one of the palettes."""
        rng = random.Random(number)
        (top, bottom) = PALETTES[number % len(PALETTES)]
        width, height = IMAGE_SIZE
        gradient = Image.linear_gradient("L").resize(IMAGE_SIZE)
        image = Image.composite(
            Image.new("RGB", IMAGE_SIZE, bottom), Image.new("RGB", IMAGE_SIZE, top), gradient
        )
        draw = ImageDraw.Draw(image)
        sun = (rng.randint(200, width - 200), rng.randint(120, height // 2))
        radius = rng.randint(60, 140)
        draw.ellipse(
            (sun[0] - radius, sun[1] - radius, sun[0] + radius, sun[1] + radius),
            fill=tuple(min(255, c + 60) for c in bottom),
        )
        for layer in range(3):
            base = int(height * (0.55 + layer * 0.13))
            points = [(0, height)]
            for x in range(0, width + 100, 100):
                points.append((x, base + rng.randint(-60, 60)))
            points.append((width, height))
            shade = tuple(max(0, int(c * (0.7 - layer * 0.2))) for c in top)
            draw.polygon(points, fill=shade)
        image = image.filter(ImageFilter.GaussianBlur(1.5))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()

    def headline(self, rng: random.Random, section: str) -> tuple[str, str]:
        topic = rng.choice(SECTIONS[section])
        subject = rng.choice(SUBJECTS)
        title = f"{subject} {rng.choice(VERBS)} {topic} {rng.choice(HOOKS)}"
        return title[0].upper() + title[1:], topic

    def body(self, rng: random.Random, topic: str) -> str:
        def paragraph():
            count = rng.randint(2, 4)
            return " ".join(
                rng.choice(SENTENCES).format(subject=rng.choice(SUBJECTS), topic=topic)
                for _ in range(count)
            )

        parts = [f"<p>{paragraph()}</p>" for _ in range(rng.randint(3, 5))]
        if rng.random() < 0.5:
            parts.append("<h2>What happens next</h2>")
        if rng.random() < 0.4:
            quote = "“This is a moment that will be remembered for a long time.”"
            parts.append(f"<blockquote><p>{quote}</p></blockquote>")
        if rng.random() < 0.3:
            items = "".join(
                f"<li>{rng.choice(SENTENCES).format(subject='Officials', topic=topic)}</li>"
                for _ in range(3)
            )
            parts.append(f"<ul>{items}</ul>")
        parts += [f"<p>{paragraph()}</p>" for _ in range(rng.randint(2, 5))]
        return "".join(parts)

    def add_engagement(self, seed: int) -> None:
        """Readers, ratings, comments and a poll on the newest stories, through each app's
        own services so the counters stay exact. Skipped for apps that are not there."""
        rng = random.Random(seed)
        readers = self.make_readers()
        newest = list(Article.objects.published().order_by("-published_at")[:ENGAGED_ARTICLES])
        self.add_ratings(rng, readers, newest)
        self.add_comments(rng, readers, newest)
        self.add_poll(rng, readers, newest[:1])

    def make_readers(self) -> list:
        User = get_user_model()
        readers = []
        for number, name in enumerate(FIRST_NAMES[:DEMO_READERS]):
            username = f"demo-{slugify(name)}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "display_name": f"{name} {LAST_NAMES[number][0]}.",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            readers.append(user)
        return readers

    def add_ratings(self, rng, readers, articles) -> None:
        try:
            from ratings.services import RatingError, rating_set
        except ImportError:
            return
        for article in articles:
            mood = rng.randint(2, 5)
            for reader in rng.sample(readers, rng.randint(0, len(readers))):
                stars = max(1, min(5, mood + rng.choice((-1, 0, 0, 1))))
                try:
                    rating_set(article=article, user=reader, stars=stars)
                except RatingError:
                    return

    def add_comments(self, rng, readers, articles) -> None:
        try:
            from comments.models import Comment
            from comments.services import CommentError, comment_create
        except ImportError:
            return
        if Comment.objects.filter(user__in=readers).exists():
            return  # seeded before: running again adds nothing
        for article in articles:
            for _ in range(rng.randint(0, 4)):
                try:
                    comment = comment_create(
                        article=article, user=rng.choice(readers), body=rng.choice(COMMENTS)
                    )
                    if rng.random() < 0.5:
                        comment_create(
                            article=article,
                            user=rng.choice(readers),
                            body=rng.choice(REPLIES),
                            parent=comment,
                        )
                except CommentError:
                    break

    def add_poll(self, rng, readers, articles) -> None:
        try:
            from polls.models import Poll, PollChoice
            from polls.services import PollError, poll_vote_cast
        except ImportError:
            return
        for article in articles:
            if Poll.objects.filter(article=article).exists():
                continue
            poll = Poll.objects.create(article=article, question="Did the council get this right?")
            choices = [
                PollChoice.objects.create(poll=poll, text=text, position=position)
                for position, text in enumerate(("Yes", "No", "Not sure"))
            ]
            for reader in readers:
                try:
                    poll_vote_cast(poll=poll, choice=rng.choice(choices), user=reader)
                except PollError:
                    break

    def add_recent_views(self, articles: list[Article], now) -> None:
        """Daily view buckets for the last few days, so "Most read" has something to show."""
        today = timezone.localdate(now)
        recent = [a for a in articles if a.is_public and (now - a.published_at).days < 3]
        ArticleViewDay.objects.bulk_create(
            [
                ArticleViewDay(
                    article=article,
                    day=today - timedelta(days=back),
                    views=random.Random(article.slug + str(back)).randint(5, 900),
                )
                for article in recent
                for back in range(2)
            ],
            ignore_conflicts=True,
        )

    def make_articles(self, *, total, batch_size, seed, sections, authors, tags, pool, progress):
        now = timezone.now()
        # Space stories so a few hundred cover two months and 100,000 cover about four years.
        spacing = timedelta(minutes=max(20, min(300, 4 * 365 * 24 * 60 // max(total, 1))))
        content_type = ContentType.objects.get_for_model(Article)
        section_names = list(SECTIONS)
        created = 0
        bar = tqdm(total=total, unit="article", disable=not progress, desc="Articles")
        for start in range(0, total, batch_size):
            numbers = range(start, min(start + batch_size, total))
            specs = {}
            for number in numbers:
                rng = random.Random(seed * 1_000_003 + number)
                section_index = rng.randrange(len(sections))
                title, topic = self.headline(rng, section_names[section_index])
                slug = f"{slugify(title)[:180]}-{number}"
                specs[slug] = (number, rng, section_index, title, topic)
            existing = set(Article.objects.filter(slug__in=specs).values_list("slug", flat=True))
            rows, extras = [], []
            for slug, (number, rng, section_index, title, topic) in specs.items():
                if slug in existing:
                    continue
                status = Article.Status.PUBLISHED
                published_at = now - spacing * number - timedelta(minutes=rng.randint(0, 15))
                if number % 97 == 13:
                    status = Article.Status.DRAFT
                elif number % 151 == 7:
                    published_at = now + timedelta(days=rng.randint(1, 10))  # scheduled
                body = sanitize_html(self.body(rng, topic))
                image = rng.choice(pool) if pool and rng.random() < 0.85 else None
                rows.append(
                    Article(
                        title=title,
                        slug=slug,
                        standfirst=rng.choice(SENTENCES).format(
                            subject=rng.choice(SUBJECTS), topic=topic
                        ),
                        body=body,
                        reading_time=reading_time(body),
                        category=sections[section_index],
                        status=status,
                        published_at=published_at,
                        publish_date=timezone.localdate(published_at),
                        is_featured=number < 40 and number % 7 == 0,
                        image=image["source"] if image else "",
                        image_width=image["width"] if image else None,
                        image_height=image["height"] if image else None,
                        image_renditions=image or {},
                        image_alt=f"An illustration for a story about {topic}" if image else "",
                        image_caption=f"A scene linked to {topic}." if image else "",
                        image_credit="Newsportal Pictures" if image else "",
                        view_count=rng.randint(0, 5000),
                        # Never edited after publication: no "Updated" line on the page.
                        created_at=published_at,
                        updated_at=published_at,
                    )
                )
                byline = rng.sample(authors, 1 if rng.random() < 0.8 else 2)
                extras.append((byline, rng.sample(tags, rng.randint(1, 4))))
            with transaction.atomic(), given_timestamps():
                made = Article.objects.bulk_create(rows)
                ArticleAuthor.objects.bulk_create(
                    ArticleAuthor(article=article, author=author, position=position)
                    for article, (byline, _) in zip(made, extras, strict=True)
                    for position, author in enumerate(byline)
                )
                TaggedItem.objects.bulk_create(
                    TaggedItem(content_type=content_type, object_id=article.pk, tag=tag)
                    for article, (_, article_tags) in zip(made, extras, strict=True)
                    for tag in article_tags
                )
                self.add_recent_views(made, now)
            created += len(made)
            bar.update(len(specs))
        bar.close()
        if created:
            # Fresh statistics, or the planner keeps its empty-table estimates for a while.
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE articles_article, taggit_taggeditem, articles_articleauthor"
                )
        return created
