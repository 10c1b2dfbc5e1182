"""Take over ImportedItem from articles, with its rows.

The table already exists (articles 0002): the first step only tells Django's state that
wpimport owns it now (articles 0011 forgets it on its side), the second renames the table
to wpimport's name, and the last moves the content type along, so permissions granted on
the model keep working. Nothing is copied, so no row can be lost.
"""

from django.db import migrations, models


def content_type_follows(apps, schema_editor, old="articles", new="wpimport"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="importeditem").exists():
        ContentType.objects.filter(app_label=old, model="importeditem").update(app_label=new)


def content_type_returns(apps, schema_editor):
    content_type_follows(apps, schema_editor, old="wpimport", new="articles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0010_search_vector_inline"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportedItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                help_text="The site the item came from, e.g. its URL.",
                                max_length=200,
                                verbose_name="source",
                            ),
                        ),
                        ("kind", models.CharField(max_length=20, verbose_name="kind")),
                        (
                            "key",
                            models.CharField(max_length=255, verbose_name="key in the source"),
                        ),
                        ("object_id", models.BigIntegerField(verbose_name="object ID here")),
                        (
                            "imported_at",
                            models.DateTimeField(auto_now=True, verbose_name="last imported"),
                        ),
                    ],
                    options={
                        "verbose_name": "imported item",
                        "verbose_name_plural": "imported items",
                        "db_table": "articles_importeditem",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("source", "kind", "key"),
                                name="imported_item_once_per_source",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="importeditem", table=None),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
