"""The front page as it was before zones, curated from now on: the featured stories lead,
the newest follow, and a block for the first sections of the menu (the others are made
but hidden, for editors to switch on: 26 blocks made the phone page 22,000 px tall)."""

from django.db import migrations

from frontpage.defaults import DEFAULT_FRONT_ZONES

SECTION_BLOCKS_SHOWN = 6


def default_zones(apps, schema_editor):
    Zone = apps.get_model("frontpage", "Zone")
    Article = apps.get_model("articles", "Article")
    Category = apps.get_model("articles", "Category")
    if Zone.objects.exists():
        return
    # Without any featured story a "featured only" lead would stay empty: lead the newest.
    featured = Article.objects.filter(is_featured=True).exists()
    lead, latest = DEFAULT_FRONT_ZONES
    Zone.objects.create(**lead, featured_only=featured)
    Zone.objects.create(**latest)
    sections = Category.objects.order_by("position", "name", "id")
    for number, section in enumerate(sections):
        Zone.objects.create(
            title=section.name,
            layout="block",
            position=100 + number,
            size=4,
            section=section,
            is_visible=number < SECTION_BLOCKS_SHOWN,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("frontpage", "0001_initial"),
        ("articles", "0013_unicode_slugs_and_reading_indexes"),
    ]

    operations = [migrations.RunPython(default_zones, migrations.RunPython.noop)]
