"""Request topics stored before 0002 refused control characters may hold a line break, which breaks the
Subject of every mail about the request. Each run of line breaks and control characters becomes one space."""

import re
import unicodedata

from django.db import migrations

BATCH = 2000


def on_one_line(value: str) -> str:
    spaced = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in value)
    return re.sub(r" {2,}", " ", spaced).strip()


def put_topics_on_one_line(apps, schema_editor) -> None:
    MentorRequest = apps.get_model("matching", "MentorRequest")
    changed = []
    for request in MentorRequest.objects.only("pk", "topic").iterator(chunk_size=BATCH):
        cleaned = on_one_line(request.topic)
        if cleaned != request.topic:
            request.topic = cleaned
            changed.append(request)
    MentorRequest.objects.bulk_update(changed, ["topic"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_single_line_names_and_topics"),
    ]

    operations = [migrations.RunPython(put_topics_on_one_line, migrations.RunPython.noop, elidable=True)]
