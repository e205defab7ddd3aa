"""Names stored before 0005 refused control characters may hold a line break: one in a mail's Subject made
every mail about that person fail. Each run of line breaks and control characters becomes one space."""

import re
import unicodedata

from django.db import migrations

BATCH = 2000


def on_one_line(value: str) -> str:
    spaced = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in value)
    return re.sub(r" {2,}", " ", spaced).strip()


def put_names_on_one_line(apps, schema_editor) -> None:
    User = apps.get_model("marketplace", "User")
    changed = []
    for user in User.objects.only("pk", "display_name").iterator(chunk_size=BATCH):
        cleaned = on_one_line(user.display_name)
        if cleaned != user.display_name:
            user.display_name = cleaned
            changed.append(user)
    User.objects.bulk_update(changed, ["display_name"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_single_line_names_and_topics"),
    ]

    operations = [migrations.RunPython(put_names_on_one_line, migrations.RunPython.noop, elidable=True)]
