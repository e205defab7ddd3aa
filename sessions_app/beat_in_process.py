"""Beat's schedule run in this process, for the embedded default (no Redis, so no beat and no workers).

`manage.py run_sweep` ticks it: every entry of CELERY_BEAT_SCHEDULE runs when due, by its task's name, so
that the demo also expires requests, re-matches them, passes waiting-list holds on and syncs calendars, as
beat does with Redis. An interval entry runs at the first tick and then every interval; a crontab entry at
its next moment after the start (a nightly job does not run at every start).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from celery import current_app
from celery.schedules import crontab


class BeatInProcess:
    def __init__(self, schedule: Mapping[str, Mapping[str, Any]], *, started: datetime) -> None:
        self.schedule = schedule
        self.last_run: dict[str, datetime | None] = {
            name: started if isinstance(entry["schedule"], crontab) else None
            for name, entry in schedule.items()
        }

    def due(self, now: datetime) -> list[str]:
        found = []
        for name, entry in self.schedule.items():
            every, last = entry["schedule"], self.last_run[name]
            if isinstance(every, crontab):
                assert last is not None  # a crontab entry starts from the start
                is_due = every.is_due(last).is_due  # on celery's clock, which is the machine's
            else:
                is_due = last is None or (now - last).total_seconds() >= float(every)
            if is_due:
                found.append(name)
        return found

    def run_due(self, now: datetime, *, on_error) -> list[str]:
        """Runs each entry due, in this process; a failing one is reported and tried again when next due."""
        ran = self.due(now)
        for name in ran:
            self.last_run[name] = now
            entry = self.schedule[name]
            try:
                current_app.tasks[entry["task"]].apply(
                    args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
                )
            except Exception as error:  # a locked SQLite file, an unreachable SMTP server: next time
                on_error(name, error)
        return ran
