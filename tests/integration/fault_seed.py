"""`python -m tests.integration.fault_seed CLIENTS MENTORS_EACH`: the people of a fault run, in the database
of DATABASE_URL (a private cluster the test process is not connected to); prints them as one JSON line."""

import json
import os
import sys
from datetime import time as clock


def main(clients: int, mentors_each: int) -> list[dict]:
    from rest_framework.authtoken.models import Token

    from marketplace.models import AvailabilityBlock
    from tests.factories import DepartmentFactory, MentorFactory, UserFactory

    # A later run into the same database (bench/bench_faults.py seeds each scenario) goes on where the
    # factories' sequences (unique names and e-mail addresses) left off.
    for made in (UserFactory, DepartmentFactory):
        latest = made._meta.model.objects.order_by("-pk").values_list("pk", flat=True).first()
        made.reset_sequence((latest or 0) + 1, force=True)
    seeded = []
    for _ in range(clients):
        mentors = MentorFactory.create_batch(mentors_each, timezone="Europe/Berlin")
        AvailabilityBlock.objects.bulk_create(
            AvailabilityBlock(mentor=mentor, weekday=weekday, start=clock(0, 0), end=clock(23, 50))
            for mentor in mentors
            for weekday in range(7)
        )
        token = Token.objects.create(user=UserFactory(timezone="Europe/London"))
        seeded.append({"token": token.key, "mentors": [mentor.pk for mentor in mentors]})
    return seeded


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # The factories' password, hashed the slow production way, would take most of the run; tokens log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
