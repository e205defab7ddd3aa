"""`python manage.py run_sweep --every 60`: the outbox sweep in a loop, for the embedded default (no Redis).

scripts/run.sh starts it next to the server when REDIS_URL is unset, so a demo sees reminders and prompts.
It sends each claimed batch in this process; with Redis, beat runs the same sweep
(sessions_app.tasks.send_due_messages, sessions_app.sweep's loop) every minute instead.
"""

import time

from django.core.management.base import BaseCommand

from sessions_app.sweep import deliver_due_messages


class Command(BaseCommand):
    help = "Runs the outbox sweep every N seconds (or once with --once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=int, default=60, help="seconds between sweeps (default 60)")
        parser.add_argument("--once", action="store_true", help="sweep once and exit")

    def handle(self, *args, every: int, once: bool, **options) -> None:
        while True:
            try:
                sent = deliver_due_messages()
            except Exception as error:  # a locked SQLite file or a failing SMTP: try again next round
                self.stderr.write(f"sweep failed: {error!r}")
                sent = 0
            if sent or once:
                self.stdout.write(f"sweep: {sent} message(s) sent")
            if once:
                return
            time.sleep(max(every, 1))
