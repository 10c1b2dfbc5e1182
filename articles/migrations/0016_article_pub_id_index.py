from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writers to a large archive.
    atomic = False

    dependencies = [
        ("articles", "0015_edited_at_and_corrections"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="article",
            index=models.Index(fields=["-published_at", "-id"], name="article_pub_id_idx"),
        ),
    ]
