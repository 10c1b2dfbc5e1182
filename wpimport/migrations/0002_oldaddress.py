"""Old WordPress addresses get their own table, checked against the article when asked for.

Earlier imports wrote them as django.contrib.redirects rows, which redirect whatever the
article's state: a scheduled post's `/?p=ID` gave away its future address. Those rows (the
ones pointing at an article the importer made) move here; an editor's own redirects stay.
"""

from urllib.parse import unquote

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.urls import reverse
from django.utils.encoding import iri_to_uri


def _address(day, slug: str) -> str:
    # What Article.get_absolute_url() gives for a dated article.
    return reverse(
        "articles:detail",
        kwargs={"year": day.year, "month": f"{day.month:02d}", "day": f"{day.day:02d}", "slug": slug},
    )


def move_imported_redirects(apps, schema_editor):
    ImportedItem = apps.get_model("wpimport", "ImportedItem")
    Article = apps.get_model("articles", "Article")
    Redirect = apps.get_model("redirects", "Redirect")
    OldAddress = apps.get_model("wpimport", "OldAddress")
    imported = ImportedItem.objects.filter(kind="post").values_list("object_id", flat=True)
    articles = {
        _address(day, slug): pk
        for pk, day, slug in Article.objects.filter(
            pk__in=imported, publish_date__isnull=False
        ).values_list("pk", "publish_date", "slug")
    }
    for redirect in Redirect.objects.filter(new_path__in=articles):
        path, _, query = redirect.old_path.partition("?")
        OldAddress.objects.update_or_create(
            path=unquote(path) + (f"?{query}" if query else ""),
            defaults={"article_id": articles[redirect.new_path]},
        )
        redirect.delete()


def restore_redirects(apps, schema_editor):
    Redirect = apps.get_model("redirects", "Redirect")
    OldAddress = apps.get_model("wpimport", "OldAddress")
    for address in OldAddress.objects.filter(
        article__status="published", article__publish_date__isnull=False
    ).select_related("article"):
        old_path = iri_to_uri(address.path)
        new_path = _address(address.article.publish_date, address.article.slug)
        if len(old_path) <= 200 and old_path != new_path:
            Redirect.objects.update_or_create(
                site_id=settings.SITE_ID, old_path=old_path, defaults={"new_path": new_path}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_importeditem_to_wpimport"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
        ("wpimport", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="OldAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "path",
                    models.CharField(
                        help_text="The path (and query) on the WordPress site, e.g. /?p=123.",
                        max_length=500,
                        unique=True,
                        verbose_name="old address",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
            ],
            options={
                "verbose_name": "old WordPress address",
                "verbose_name_plural": "old WordPress addresses",
            },
        ),
        migrations.RunPython(move_imported_redirects, restore_redirects),
    ]
