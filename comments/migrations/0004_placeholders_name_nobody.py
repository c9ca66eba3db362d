from django.db import migrations


def anonymise_placeholders(apps, schema_editor):
    """Placeholders kept to hold replies used to keep their author's name, address, IP
    address and user agent; a placeholder names nobody."""
    Comment = apps.get_model("comments", "Comment")
    Comment.objects.filter(is_removed=True).update(
        name="Deleted", email="", website="", ip_address=None, user_agent="", user=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_sender_indexes"),
    ]

    operations = [migrations.RunPython(anonymise_placeholders, migrations.RunPython.noop)]
