"""Give the view-counting tables readership's names, and move their content types along.

A rename keeps every row, index and constraint (and ViewDedupe stays unlogged). Moving the
content types keeps permissions and admin history pointing at the same models.
"""

from django.db import migrations

MODELS = ("articleviewday", "viewbuffer", "viewdedupe")


def move_content_types(apps, schema_editor, source="articles", target="readership"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=target, model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(
        app_label=target
    )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="readership", target="articles")


class Migration(migrations.Migration):
    dependencies = [
        ("readership", "0001_initial"),
        ("articles", "0011_view_models_to_readership"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="articleviewday", table=None),
        migrations.AlterModelTable(name="viewbuffer", table=None),
        migrations.AlterModelTable(name="viewdedupe", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
