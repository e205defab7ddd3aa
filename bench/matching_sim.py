"""Simulation: does Sidebar's ranking spread help across mentors without giving up skill fit?

A generated organisation of 2,000 mentors (demo-like skills, weekly blocks, caps, notice, buffers, zones) and
5,000 requests arriving over eight weeks; each request books its top match. Two worlds run on the same data:

- **ranking**: matching's own code (candidates.pool_of / first_slots / build_candidates, then ranking.rank);
- **baseline**: skill overlap only: most asked skills covered first, ties by mentor id, the first with a slot.

Both use the real slot engine (marketplace.slots) with each mentor's sessions, buffers, notice and weekly cap
consumed as bookings accumulate, and the asker's own sessions. Sessions end, get rated (from a hidden
quality per mentor) and count as recent load, as they would in production. Everything runs in memory.

Run: ``python bench/matching_sim.py [--mentors N] [--requests N] [--seed N] [--write FILE]``; ``--write``
replaces the "## Matching simulation" section of FILE (e.g. docs/benchmarks.md) with this run's table.
Target: Gini of sessions per mentor at least 40% lower than the baseline, full-skill coverage within 5 points.

One file on purpose (over 400 lines): a benchmark is run and read as one script, the two worlds side by side.
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import statistics
import sys
import time as clock
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()  # matching.candidates imports models; the simulation itself never touches a database

from demo.story import DEMO_TIMEZONES  # noqa: E402
from marketplace.session_data import Rating, TrackRecord  # noqa: E402
from marketplace.slots import Interval, MentorSchedule, WeeklyBlock, first_bookable_slot  # noqa: E402
from marketplace.taxonomy import SKILL_TAXONOMY  # noqa: E402
from marketplace.timezones import get_zone, iso_week_start  # noqa: E402
from matching import candidates, ranking  # noqa: E402
from matching.ranking import AskedSkill, Need  # noqa: E402

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
DEPARTMENTS = 11
RECENT = timedelta(weeks=4)


@dataclass
class Mentor:
    mentor_id: int
    zone: str
    department: int
    levels: dict[int, int]
    blocks: tuple[WeeklyBlock, ...]
    cap: int
    notice: int
    buffer: int
    lengths: tuple[int, ...]
    quality: float  # hidden: the mean of the ratings this mentor earns
    no_show_chance: float


@dataclass
class Request:
    request_id: int
    asker_id: int
    zone: str
    department: int
    skills: tuple[int, ...]
    created: datetime
    needed_by: datetime
    duration: int
    prefer_other_department: bool
    prefer_same_timezone: bool


@dataclass
class MentorState:
    busy: list[Interval] = field(default_factory=list)
    minutes_by_week: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    held: list[datetime] = field(default_factory=list)
    no_shows: int = 0
    rating_sum: float = 0.0
    rating_count: int = 0


@dataclass
class Outcome:
    request: Request
    mentor_id: int | None = None
    slot: Interval | None = None
    covers_all: bool = False


def generate(rng: random.Random, mentor_count: int, request_count: int, weeks: int) -> tuple[list, list]:
    skill_ids = list(range(1, len(SKILL_TAXONOMY) + 1))
    mentors = []
    for mentor_id in range(1, mentor_count + 1):
        blocks = []
        for weekday in sorted(rng.sample(range(5), rng.randint(2, 4))):  # as demo.people
            first = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60, 10 * 60, 11 * 60))
            blocks.append(_block(weekday, first, first + rng.choice((60, 90, 120))))
            if rng.random() < 0.5:
                second = rng.choice((13 * 60, 14 * 60, 15 * 60, 15 * 60 + 30))
                blocks.append(_block(weekday, second, second + rng.choice((60, 90))))
        mentors.append(
            Mentor(
                mentor_id=mentor_id,
                zone=rng.choice(DEMO_TIMEZONES),
                department=rng.randrange(DEPARTMENTS),
                levels={
                    skill: rng.choices((1, 2, 3), weights=(2, 5, 3))[0]
                    for skill in rng.sample(skill_ids, rng.randint(2, 5))
                },
                blocks=tuple(blocks),
                cap=rng.choice((60, 60, 90, 120, 180)),
                notice=rng.choice((60, 120, 240, 240, 480)),
                buffer=rng.choice((0, 5, 5, 10)),
                lengths=rng.choice(((20, 30), (20, 30), (30,), (20,))),
                quality=min(5.0, max(2.0, rng.gauss(4.2, 0.5))),
                no_show_chance=rng.choice((0.0, 0.0, 0.02, 0.05, 0.15)),
            )
        )
    # Uneven demand, as in demo.requests: a few skills are asked for far more often.
    by_popularity = list(skill_ids)
    rng.shuffle(by_popularity)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(by_popularity))]
    askers = [
        (asker_id, rng.choice(DEMO_TIMEZONES), rng.randrange(DEPARTMENTS)) for asker_id in range(1, 6001)
    ]
    requests = []
    for request_id in range(1, request_count + 1):
        asker_id, zone, department = rng.choice(askers)
        local_zone = get_zone(zone)
        day = START.date() + timedelta(days=rng.randrange(weeks * 7))
        while day.weekday() > 4:
            day -= timedelta(days=1)
        created = datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60)), tzinfo=local_zone)
        deadline_day = day
        for _ in range(rng.choice((1, 2, 3, 3, 3, 5))):
            deadline_day += timedelta(days=1)
            while deadline_day.weekday() > 4:
                deadline_day += timedelta(days=1)
        wanted = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        skills: dict[int, None] = {}
        while len(skills) < wanted:
            skills[rng.choices(by_popularity, weights=popularity)[0]] = None
        requests.append(
            Request(
                request_id=request_id,
                asker_id=asker_id,
                zone=zone,
                department=department,
                skills=tuple(skills),
                created=created.astimezone(UTC),
                needed_by=datetime.combine(deadline_day, time(17), tzinfo=local_zone).astimezone(UTC),
                duration=rng.choice((20, 30, 30)),
                prefer_other_department=rng.random() < 0.15,
                prefer_same_timezone=rng.random() < 0.1,
            )
        )
    requests.sort(key=lambda request: (request.created, request.request_id))
    return mentors, requests


def _block(weekday: int, start: int, end: int) -> WeeklyBlock:
    return WeeklyBlock(weekday, time(start // 60, start % 60), time(end // 60, end % 60))


class World:
    """One run of the eight weeks with one way of choosing the mentor."""

    def __init__(self, mentors: list[Mentor], rng: random.Random, strategy: str) -> None:
        self.mentors = {mentor.mentor_id: mentor for mentor in mentors}
        self.by_skill: dict[int, list[Mentor]] = defaultdict(list)
        for mentor in mentors:
            for skill in mentor.levels:
                self.by_skill[skill].append(mentor)
        self.state = {mentor.mentor_id: MentorState() for mentor in mentors}
        self.asker_busy: dict[int, list[Interval]] = defaultdict(list)
        self.rng = rng
        self.strategy = strategy
        self.ending: list[tuple[datetime, int, int]] = []  # (end, mentor, tie-breaker) of booked sessions
        self.outcomes: list[Outcome] = []

    def run(self, requests: list[Request]) -> list[Outcome]:
        for request in requests:
            self._sessions_end_by(request.created)
            need = self._need(request)
            offers = self._offers(request)
            outcome = (self._rank if self.strategy == "ranking" else self._baseline)(request, need, offers)
            if outcome.slot is not None:
                self._book(request, outcome)
            self.outcomes.append(outcome)
        return self.outcomes

    def _need(self, request: Request) -> Need:
        return Need(
            asker_id=-request.asker_id,  # askers are not mentors here
            skills=tuple(AskedSkill(skill, f"skill {skill}") for skill in request.skills),
            needed_by=request.needed_by,
            duration_minutes=request.duration,
            asker_timezone=request.zone,
            asker_department_id=request.department,
            prefer_other_department=request.prefer_other_department,
            prefer_same_timezone=request.prefer_same_timezone,
        )

    def _offers(self, request: Request) -> list[candidates.Offer]:
        seen: dict[int, candidates.Offer] = {}
        for skill in request.skills:
            for mentor in self.by_skill[skill]:
                if request.duration not in mentor.lengths:
                    continue
                offer = seen.get(mentor.mentor_id)
                if offer is None:
                    offer = seen[mentor.mentor_id] = candidates.Offer(
                        mentor_id=mentor.mentor_id,
                        levels={},
                        timezone=mentor.zone,
                        department_id=mentor.department,
                    )
                offer.levels[skill] = mentor.levels[skill]
        return list(seen.values())

    def _schedule(self, mentor_id: int, now: datetime) -> MentorSchedule:
        mentor, state = self.mentors[mentor_id], self.state[mentor_id]
        return MentorSchedule(
            timezone=mentor.zone,
            blocks=mentor.blocks,
            busy=tuple(interval for interval in state.busy if interval.end > now - timedelta(hours=3)),
            buffer_minutes=mentor.buffer,
            min_notice_minutes=mentor.notice,
            weekly_minutes_cap=mentor.cap,
            booked_minutes_by_week=state.minutes_by_week,
        )

    def _rank(self, request: Request, need: Need, offers: list[candidates.Offer]) -> Outcome:
        now = request.created
        pool = candidates.pool_of(need, offers, now)
        found = {offer.mentor_id: self._schedule(offer.mentor_id, now) for offer in pool}
        slots = candidates.first_slots(
            need, pool, found, asker_busy=self.asker_busy[request.asker_id], now=now
        )
        with_slot = [mentor_id for mentor_id, slot in slots.items() if slot is not None]
        ratings, records = {}, {}
        for mentor_id in with_slot:
            state = self.state[mentor_id]
            if state.rating_count:
                ratings[mentor_id] = Rating(
                    round(state.rating_sum / state.rating_count, 2), state.rating_count
                )
            records[mentor_id] = TrackRecord(
                held_recently=sum(1 for start in state.held if start >= now - RECENT),
                held_total=len(state.held),
                no_shows=state.no_shows,
                cancelled_by_mentor=0,
            )
        matches = ranking.rank(
            need, candidates.build_candidates(pool, found, slots, ratings, records), now, top=1
        )
        if not matches:
            return Outcome(request)
        top = matches[0]
        return Outcome(request, top.mentor_id, top.slot, self._covers_all(top.mentor_id, request))

    def _baseline(self, request: Request, need: Need, offers: list[candidates.Offer]) -> Outcome:
        now = request.created
        last_start = request.needed_by - timedelta(minutes=request.duration) + timedelta(microseconds=1)
        for offer in sorted(offers, key=lambda offer: (-len(offer.levels), offer.mentor_id)):
            slot = first_bookable_slot(
                self._schedule(offer.mentor_id, now),
                start=now,
                end=last_start,
                duration_minutes=request.duration,
                now=now,
                asker_busy=self.asker_busy[request.asker_id],
            )
            if slot is not None:
                return Outcome(request, offer.mentor_id, slot, self._covers_all(offer.mentor_id, request))
        return Outcome(request)

    def _covers_all(self, mentor_id: int, request: Request) -> bool:
        return all(skill in self.mentors[mentor_id].levels for skill in request.skills)

    def _book(self, request: Request, outcome: Outcome) -> None:
        mentor_id, slot = outcome.mentor_id, outcome.slot
        assert mentor_id is not None, "only a request with a slot (and so a mentor) is booked"
        assert slot is not None, "only a request with a slot is booked"
        state = self.state[mentor_id]
        state.busy.append(slot)
        state.minutes_by_week[iso_week_start(slot.start, self.mentors[mentor_id].zone)] += request.duration
        self.asker_busy[request.asker_id].append(slot)
        heapq.heappush(self.ending, (slot.end, mentor_id, request.request_id))

    def _sessions_end_by(self, now: datetime) -> None:
        while self.ending and self.ending[0][0] <= now:
            end, mentor_id, _ = heapq.heappop(self.ending)
            mentor, state = self.mentors[mentor_id], self.state[mentor_id]
            if self.rng.random() < mentor.no_show_chance:
                state.no_shows += 1
                continue
            state.held.append(end)
            if self.rng.random() < 0.6:
                state.rating_sum += min(5, max(1, round(self.rng.gauss(mentor.quality, 0.7))))
                state.rating_count += 1


def gini(values: list[int]) -> float:
    ordered = sorted(values)
    total = sum(ordered)
    if not total:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (len(ordered) * total) - (len(ordered) + 1) / len(ordered)


@dataclass
class Figures:
    gini: float
    full_coverage: float
    served: float
    median_hours_to_help: float
    mentors_with_sessions: float
    most_sessions: int
    top_quality: float


def figures(outcomes: list[Outcome], mentors: list[Mentor]) -> Figures:
    sessions: defaultdict[int, int] = defaultdict(int)
    for outcome in outcomes:
        if outcome.mentor_id is not None:
            sessions[outcome.mentor_id] += 1
    counts = [sessions[mentor.mentor_id] for mentor in mentors]
    # The served requests, with their slot and its mentor (a request with a slot always has one).
    served = [
        (outcome, outcome.slot, outcome.mentor_id)
        for outcome in outcomes
        if outcome.slot is not None and outcome.mentor_id is not None
    ]
    quality = {mentor.mentor_id: mentor.quality for mentor in mentors}
    return Figures(
        gini=gini(counts),
        full_coverage=sum(outcome.covers_all for outcome, _slot, _mentor in served) / max(len(served), 1),
        served=len(served) / len(outcomes),
        median_hours_to_help=statistics.median(
            (slot.start - outcome.request.created).total_seconds() / 3600 for outcome, slot, _mentor in served
        ),
        mentors_with_sessions=sum(1 for count in counts if count) / len(counts),
        most_sessions=max(counts),
        top_quality=statistics.mean(quality[mentor_id] for _outcome, _slot, mentor_id in served),
    )


def table(ranked: Figures, baseline: Figures) -> list[str]:
    rows = [
        ("Gini of sessions per mentor (lower = fairer)", "gini", "{:.3f}"),
        ("Top match covers every asked skill (of served)", "full_coverage", "{:.1%}"),
        ("Requests served before the deadline", "served", "{:.1%}"),
        ("Median hours from request to session", "median_hours_to_help", "{:.1f} h"),
        ("Mentors who gave at least one session", "mentors_with_sessions", "{:.1%}"),
        ("Most sessions given by one mentor", "most_sessions", "{}"),
        ("Mean hidden quality of the mentor booked", "top_quality", "{:.2f}"),
    ]
    lines = ["| figure | Sidebar ranking | skill-overlap baseline |", "|---|---|---|"]
    for label, name, style in rows:
        lines.append(
            f"| {label} | {style.format(getattr(ranked, name))} | {style.format(getattr(baseline, name))} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--write", type=Path, help="write the results table (Markdown) to this file")
    args = parser.parse_args()

    mentors, requests = generate(random.Random(args.seed), args.mentors, args.requests, args.weeks)
    results = {}
    for strategy in ("ranking", "baseline"):
        started = clock.perf_counter()
        outcomes = World(mentors, random.Random(args.seed + 1), strategy).run(requests)
        results[strategy] = figures(outcomes, mentors)
        print(f"{strategy}: {clock.perf_counter() - started:.0f} s", flush=True)

    ranked, baseline = results["ranking"], results["baseline"]
    reduction = 1 - ranked.gini / baseline.gini if baseline.gini else 0.0
    coverage_gap = (baseline.full_coverage - ranked.full_coverage) * 100
    lines = table(ranked, baseline)
    met = reduction >= 0.4 and coverage_gap <= 5
    verdict = (
        f"Gini {reduction:.0%} lower than the baseline's (target: at least 40% lower); full-skill coverage"
        f" {ranked.full_coverage:.1%} against {baseline.full_coverage:.1%} (target: at most 5 points below)."
        + (" Both targets met." if met else " TARGET MISSED.")
    )
    print("\n".join(["", *lines, "", verdict]))
    if args.write:
        section = [
            SECTION,
            "",
            f"{args.mentors:,} mentors, {args.requests:,} requests over {args.weeks} weeks, each booking its"
            f" top match (seed {args.seed}, {datetime.now(UTC):%Y-%m-%d}): `python bench/matching_sim.py`."
            " The baseline ranks by the number of asked skills a mentor offers, ties by id, and books the"
            " first with a slot; both use the slot engine with weekly caps consumed as bookings accumulate.",
            "",
            *lines,
            "",
            verdict,
        ]
        write_section(args.write, "\n".join(section))


SECTION = "## Matching simulation (bench/matching_sim.py)"


def write_section(path: Path, section: str) -> None:
    """Replaces this simulation's section of a Markdown file (up to the next "## " heading), or appends it."""
    text = path.read_text() if path.exists() else ""
    start = text.find(SECTION)
    if start == -1:
        text = f"{text.rstrip()}\n\n{section}\n" if text.strip() else f"{section}\n"
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[end:] if end != -1 else "\n")
    path.write_text(text)


if __name__ == "__main__":
    main()
