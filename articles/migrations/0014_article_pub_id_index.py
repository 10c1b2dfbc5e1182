from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writers to a large archive.
    atomic = False

    dependencies = [
        ("articles", "0013_unicode_slugs_and_reading_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="article",
            index=models.Index(fields=["-published_at", "-id"], name="article_pub_id_idx"),
        ),
    ]
