"""Count new readers per address, article and minute, to bound what one address can add.

Unlogged like ViewDedupe: the counts only matter for a minute, so they skip the write-ahead
log; after a database crash, which empties the table, the bound starts again.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("readership", "0002_rename_tables"),
    ]

    operations = [
        migrations.CreateModel(
            name="AddressReaders",
            fields=[
                (
                    "key",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="address key"
                    ),
                ),
                ("readers", models.PositiveIntegerField(default=0, verbose_name="readers")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="expires")),
            ],
            options={
                "verbose_name": "readers from one address",
                "verbose_name_plural": "readers from one address",
            },
        ),
        migrations.RunSQL(
            "ALTER TABLE readership_addressreaders SET UNLOGGED",
            "ALTER TABLE readership_addressreaders SET LOGGED",
        ),
    ]
