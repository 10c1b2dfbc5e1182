from django.db import migrations


class Migration(migrations.Migration):
    """Recent-reader keys need no crash safety: skip the write-ahead log for them.

    PostgreSQL empties an unlogged table after a crash; then readers inside their window
    may be counted once more, which is cheap compared with logging every first view.
    """

    dependencies = [
        ("articles", "0007_search_prefix_words"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE articles_viewdedupe SET UNLOGGED",
            reverse_sql="ALTER TABLE articles_viewdedupe SET LOGGED",
        ),
    ]
