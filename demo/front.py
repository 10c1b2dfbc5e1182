"""The demo's curated front page: pinned lead stories, a few section blocks, an opinion
strip, a section page with its own top story, one scheduled pin and a hidden banner."""

from datetime import timedelta

from django.utils import timezone

from articles.models import Article, Category
from frontpage import services
from frontpage.models import Banner, Pin, Zone

SECTION_BLOCKS = ("uk", "world", "politics", "business", "sport")


def front_curate() -> None:
    """Arrange the front page once: a site whose editors have pinned anything is theirs."""
    if Pin.objects.exists():
        return
    published = Article.objects.published().order_by("-published_at", "-id")
    sections = {section.slug: section for section in Category.objects.all()}
    newest = list(published.filter(image__gt="")[:3])
    Zone.objects.filter(page__isnull=True).delete()
    lead = Zone.objects.create(title="Top stories", layout=Zone.Layout.LEAD, position=10, size=5)
    for position, article in enumerate(newest[1:], start=1):
        Pin.objects.create(zone=lead, article=article, position=position)
    # Tonight's planned lead: an editor can preview it at /?at=... before it goes up.
    if newest:
        later = timezone.now() + timedelta(hours=6)
        Pin.objects.create(zone=lead, article=newest[0], position=0, starts_at=later)
    Zone.objects.create(title="Latest", layout=Zone.Layout.GRID, position=20, size=6)
    if "opinion" in sections:
        Zone.objects.create(
            title="Opinion",
            layout=Zone.Layout.LIST,
            position=30,
            size=4,
            section=sections["opinion"],
        )
    for number, slug in enumerate(SECTION_BLOCKS):
        if slug in sections:
            Zone.objects.create(
                title=sections[slug].name,
                layout=Zone.Layout.BLOCK,
                position=100 + number,
                size=4,
                section=sections[slug],
            )
    _section_front(sections.get("politics"), published)
    if not Banner.objects.exists():
        # Hidden: tick "shown" in the admin to see it on every page.
        Banner.objects.create(
            text="Polls have closed: follow the count live",
            link="/section/politics/",
            expires_at=timezone.now() + timedelta(days=1),
            is_shown=False,
        )
    services.zones_changed(zones=Zone.objects.all())
    services.banners_changed()


def _section_front(section, published) -> None:
    if section is None:
        return
    story = published.filter(category=section, image__gt="")[5:6].first()
    zone = Zone.objects.create(
        title=f"Top stories in {section.name}",
        page=section,
        layout=Zone.Layout.LEAD,
        size=1,
    )
    if story:
        Pin.objects.create(zone=zone, article=story)
