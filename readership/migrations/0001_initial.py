"""Take over the view-counting models from articles, tables and rows as they are.

The tables already exist (articles 0001, 0004, 0008): this migration only tells Django's
state that readership owns them now; articles 0011 forgets them on its side. Nothing is
copied, so no row can be lost. 0002 then renames the tables.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0010_search_vector_inline"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="ArticleViewDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("views", models.PositiveIntegerField(default=0, verbose_name="views")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="view_days",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily views",
                "verbose_name_plural": "daily views",
                "ordering": ["-day"],
                "db_table": "articles_articleviewday",
                "indexes": [
                    models.Index(fields=["day", "article"], name="viewday_day_article_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("article", "day"), name="viewday_one_per_day")
                ],
            },
        ),
        migrations.CreateModel(
            name="ViewBuffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("shard", models.PositiveSmallIntegerField(verbose_name="shard")),
                ("views", models.PositiveIntegerField(default=0, verbose_name="views")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "buffered views",
                "verbose_name_plural": "buffered views",
                "db_table": "articles_viewbuffer",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "day", "shard"), name="viewbuffer_one_per_shard"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ViewDedupe",
            fields=[
                (
                    "key",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="reader key"
                    ),
                ),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires")),
            ],
            options={
                "verbose_name": "recent reader",
                "verbose_name_plural": "recent readers",
                "db_table": "articles_viewdedupe",
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
    ]
