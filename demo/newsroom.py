"""The demo newsroom's sections, authors and tags, matched by slug so a re-run adds only
what is missing."""

from django.utils.text import slugify
from taggit.models import Tag

from accounts.models import Author
from articles.models import Category
from demo.wordlists import words

NAV_SECTIONS = 12
AUTHORS = 36


def sections_ensure() -> list[Category]:
    """Every section of demo/data/sections.json, in menu order."""
    existing = {c.slug: c for c in Category.objects.all()}
    sections = []
    for position, name in enumerate(words().sections):
        section = existing.get(slugify(name))
        if section is None:
            section = Category.objects.create(
                name=name,
                slug=slugify(name),
                position=position,
                description=f"News, analysis and opinion: {name.lower()} from our reporters.",
                show_in_nav=position < NAV_SECTIONS,
            )
        sections.append(section)
    return sections


def author_names() -> list[str]:
    w = words()
    names = [f"{first} {last}" for first, last in zip(w.first_names, w.last_names, strict=True)]
    names += [
        f"{first} {last}" for first, last in zip(w.first_names, w.last_names[7:], strict=False)
    ]
    return names[:AUTHORS] + w.wire_agencies


def authors_ensure() -> list[Author]:
    """Reporters with job titles and bios, and the wire agencies' bylines."""
    w = words()
    existing = {a.slug: a for a in Author.objects.all()}
    authors = []
    for index, name in enumerate(author_names()):
        author = existing.get(slugify(name))
        if author is None:
            wire = name in w.wire_agencies
            job = "" if wire else w.job_titles[index % len(w.job_titles)]
            author = Author.objects.create(
                name=name,
                slug=slugify(name),
                job_title=job,
                bio=(
                    "Stories from our partner news agency."
                    if wire
                    else f"{name} is our {job.lower()}, and has reported from across "
                    "the country for more than a decade."
                ),
                social_handle="" if wire else slugify(name).replace("-", "")[:15],
            )
        authors.append(author)
    return authors


def tags_ensure() -> list[Tag]:
    names = words().tags
    existing = set(Tag.objects.values_list("slug", flat=True))
    missing = [
        Tag(name=name, slug=slugify(name)) for name in names if slugify(name) not in existing
    ]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(slug__in=[slugify(name) for name in names]))
