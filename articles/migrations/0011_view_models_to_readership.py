"""The view-counting models now belong to readership (readership 0001 took them over).

State only: the tables and their rows stay where they are.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_search_vector_inline"),
        ("readership", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ArticleViewDay"),
                migrations.DeleteModel(name="ViewBuffer"),
                migrations.DeleteModel(name="ViewDedupe"),
            ],
        ),
    ]
