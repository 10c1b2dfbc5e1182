"""ImportedItem now belongs to wpimport (wpimport 0001 took it over with its rows).

State only: the table is wpimport's to rename.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_view_models_to_readership"),
        ("wpimport", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportedItem")],
        ),
    ]
