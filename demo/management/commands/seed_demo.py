"""seed_demo: a deterministic demo organisation (docs/api.md "Demo data")."""

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.answers import seed_answers
from demo.group_sessions import seed_group_sessions
from demo.joins import seed_join_dates
from demo.people import DEMO_PASSWORD, seed_people
from demo.reflections import seed_moments
from demo.requests import seed_requests
from demo.sessions import seed_sessions
from insights import rollups
from marketplace.models import User


class Command(BaseCommand):
    help = "Builds a deterministic demo organisation with the demo logins (password demo-pass-123)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--mentors", type=int, default=60, help="generated mentors (mentor<n>@example.com)"
        )
        parser.add_argument(
            "--employees", type=int, default=240, help="generated employees (employee<n>@example.com)"
        )
        parser.add_argument("--weeks-of-history", type=int, default=12, help="weeks of past sessions")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed builds the same data"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when anyone is already registered"
        )

    def handle(
        self,
        *args,
        mentors: int,
        employees: int,
        weeks_of_history: int,
        seed: int,
        force: bool,
        if_empty: bool,
        **options,
    ):
        if if_empty and User.objects.exists():
            self.stdout.write("People are already registered: no demo data added.")
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Add --force to seed demo data anyway."
            )
        for name, value in (
            ("--mentors", mentors),
            ("--employees", employees),
            ("--weeks-of-history", weeks_of_history),
        ):
            if value < 0:
                raise CommandError(f"{name} must be 0 or more.")
        if User.objects.filter(email="mentee@example.com").exists():
            raise CommandError(
                "The demo organisation is already here (mentee@example.com exists). "
                "Start from an empty database."
            )

        started = time.perf_counter()
        rng = random.Random(seed)
        now = timezone.now()
        with transaction.atomic():
            people = seed_people(rng=rng, mentors=mentors, employees=employees, progress=self.progress)
            sessions = seed_sessions(
                rng=rng,
                mentee_ids=people.mentee_pool,
                demo_mentor_id=people.mentor_id,
                demo_mentee_id=people.mentee_id,
                in_demand_mentor_ids=people.in_demand_mentor_ids,
                weeks_of_history=weeks_of_history,
                progress=self.progress,
                now=now,
            )
            groups = seed_group_sessions(
                rng=random.Random(f"group sessions {seed}"),
                people=people,
                weeks_of_history=weeks_of_history,
                progress=self.progress,
                now=now,
            )
            requests = seed_requests(
                rng=rng,
                people=people,
                progress=self.progress,
                now=now,
                weeks_of_history=max(weeks_of_history, 1),
            )
            answers = seed_answers(
                rng=random.Random(f"answers {seed}"),
                now=now,
                demo_mentee_id=people.mentee_id,
                progress=self.progress,
            )
            moments = seed_moments(
                rng=rng,
                demo_mentee_id=people.mentee_id,
                weeks_of_history=weeks_of_history,
                progress=self.progress,
                now=now,
            )
            seed_join_dates(
                rng=random.Random(f"join dates {seed}"),
                now=now,
                weeks_of_history=weeks_of_history,
                launch_people=(people.mentee_id, people.mentor_id, people.hr_id),
                progress=self.progress,
            )
        # The HR dashboard reads summary tables: filled now, so that its first visitor sees figures.
        rollups.refresh(
            now=now, full=True, progress=lambda done, total: self.progress("insights weeks", done, total)
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation ready in {elapsed:.1f}s: {len(people.mentor_ids) + 1} mentors, "
                f"{len(people.employee_ids) + 2} other people, {sessions.sessions:,} sessions "
                f"({sessions.upcoming:,} upcoming), {sessions.feedback:,} feedback answers, "
                f"{sessions.follow_ups:,} follow-ups, {groups.sessions:,} group sessions "
                f"({groups.upcoming:,} upcoming, {groups.seats:,} seats, {groups.waiting:,} waiting, "
                f"{groups.from_waitlist:,} seated from a waiting list, {groups.questions:,} questions), "
                f"{requests:,} requests, {answers.answers:,} written answers ({answers.helpful:,} helpful, "
                f"{answers.replies:,} replies), {moments:,} moments. "
                f"Log in as mentee@example.com, mentor@example.com or hr@example.com with password "
                f"{DEMO_PASSWORD}."
            )
        )

    def progress(self, label: str, done: int, total: int | None) -> None:
        """`done` of `total` on one line, rewritten in place on a terminal; while `total` is not known (rows
        still being generated), the count alone: a total shown is the final one, never a guess."""
        finished = total is not None and done >= total
        counted = f"  {label}: {done:,}" + (f"/{total:,}" if total is not None else "")
        if self.stdout.isatty():
            self.stdout.write(f"\r{counted}", ending="\n" if finished else "")
        elif finished or total is None or done % 10000 < 2000:
            self.stdout.write(counted)
        self.stdout.flush()
