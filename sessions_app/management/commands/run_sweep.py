"""`python manage.py run_sweep --every 60`: beat's schedule in a loop, for the embedded default (no Redis).

scripts/run.sh starts it next to the server when REDIS_URL is unset, so that a demo sees reminders and
prompts, requests expire and are re-matched, waiting-list holds pass on and calendars are synced. Every
`--every` seconds it runs, in this process, each entry of CELERY_BEAT_SCHEDULE that is due
(sessions_app.beat_in_process); the outbox sweep sends each claimed batch here. With Redis, beat and the
workers run the same schedule instead.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from sessions_app.beat_in_process import BeatInProcess
from sessions_app.sweep import deliver_due_messages


class Command(BaseCommand):
    help = "Runs beat's schedule (the outbox sweep first) every N seconds, or once with --once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=int, default=60, help="seconds between rounds (default 60)")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, every: int, once: bool, **options) -> None:
        schedule = {
            name: entry
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
            if entry["task"] != "sessions_app.tasks.send_due_messages"  # swept below, sending here
        }
        beat = BeatInProcess(schedule, started=timezone.now())
        # Celery logs each task it runs at INFO: here that is a few lines a minute of nothing to see.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        while True:
            try:
                sent = deliver_due_messages()
            except Exception as error:  # a locked SQLite file or a failing SMTP: try again next round
                self.stderr.write(f"sweep failed: {error!r}")
                sent = 0
            beat.run_due(
                timezone.now(), on_error=lambda name, error: self.stderr.write(f"{name} failed: {error!r}")
            )
            if sent or once:
                self.stdout.write(f"sweep: {sent} message(s) sent")
            if once:
                return
            time.sleep(max(every, 1))
