"""Mentors: sessions and minutes per mentor, the minutes they offer, how concentrated the load is, and skills
in demand against skills on offer."""

from collections import defaultdict
from dataclasses import dataclass
from typing import TypedDict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext, ngettext

from insights.models import WeekSkill
from insights.selectors.figures import rate
from insights.selectors.privacy import FEWER_THAN_5, MIN_GROUP_SIZE
from insights.selectors.scope import Scope, in_weeks
from insights.selectors.sql import fetch, on_postgres
from marketplace.models import MentorProfile, Skill, UserSkill
from sessions_app.models import Booking

HELD = Booking.Status.COMPLETED
BOOKED_STATUSES = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED, Booking.Status.NO_SHOW)


def _bookings_in_range(scope: Scope) -> QuerySet:
    return Booking.objects.filter(start__gte=scope.since, start__lt=scope.until).order_by()


@dataclass(frozen=True)
class MentorLoad:
    held: int
    booked_minutes: int


def mentor_loads(scope: Scope) -> dict[int, MentorLoad]:
    """Sessions held and minutes booked per mentor in the range (whole company): one query, live."""
    rows = (
        _bookings_in_range(scope)
        .values_list("mentor_id")
        .annotate(
            held=Count("mentor_id", filter=Q(status=HELD)),  # not pk: the covering index has no id
            booked=Sum("duration", filter=Q(status__in=BOOKED_STATUSES)),
        )
    )
    return {mentor: MentorLoad(held, booked or 0) for mentor, held, booked in rows}


@dataclass(frozen=True)
class Mentor:
    department_id: int | None
    weekly_minutes: int  # offered now: min(weekly cap, minutes of weekly blocks); 0 when not accepting


def mentor_capacity() -> dict[int, Mentor]:
    """Every person with mentoring settings, with the weekly minutes they offer today: one query."""
    block = ExpressionWrapper(
        F("user__availability_blocks__end") - F("user__availability_blocks__start"),
        output_field=DurationField(),
    )
    rows = (
        MentorProfile.objects.values_list(
            "user_id",
            "user__department_id",
            "accepting",
            "user__is_mentor",
            "user__is_active",
            "weekly_minutes_cap",
        )
        .annotate(blocks=Sum(block))
        .order_by()
    )
    mentors = {}
    for user_id, dept, accepting, is_mentor, is_active, cap, blocks in rows:
        block_minutes = int(blocks.total_seconds() // 60) if blocks else 0
        offering = accepting and is_mentor and is_active
        mentors[user_id] = Mentor(dept, min(cap, block_minutes) if offering else 0)
    return mentors


def load_spread(loads: dict[int, MentorLoad]) -> dict:
    """How concentrated sessions are: the fewest mentors carrying half, and each tenth's share."""
    counts = sorted((load.held for load in loads.values() if load.held), reverse=True)
    total = sum(counts)
    spread: dict = {
        "active_mentors": len(counts),
        "mentors_carrying_half": None,
        "share_of_mentors_carrying_half": None,
        "slices": [],
        "suppressed": None,
    }
    if not total:
        return spread
    if len(counts) < MIN_GROUP_SIZE:  # the spread over 1–4 mentors would tell each one's load
        return {**spread, "suppressed": FEWER_THAN_5}
    running = 0
    for index, count in enumerate(counts, start=1):
        running += count
        if running * 2 >= total:
            spread["mentors_carrying_half"] = index
            break
    spread["share_of_mentors_carrying_half"] = rate(spread["mentors_carrying_half"], len(counts))
    # Slices of the active mentors, busiest first (tenths, or fewer so that each holds at least 5 mentors):
    # the share of the sessions each slice held.
    slices = min(10, len(counts) // MIN_GROUP_SIZE)
    for n in range(slices if slices > 1 else 0):
        part = counts[len(counts) * n // slices : len(counts) * (n + 1) // slices]
        spread["slices"].append(
            {
                "from_percent": round(100 * n / slices),
                "to_percent": round(100 * (n + 1) / slices),
                "mentors": len(part),
                "sessions": sum(part),
                "share": rate(sum(part), total),
            }
        )
    return spread


class SkillDemand(TypedDict):
    slug: str
    name: str
    requested: int
    unmet: int
    offered: int
    free_minutes_per_week: int


def skill_demand(scope: Scope, loads: dict[int, MentorLoad], mentors: dict[int, Mentor]) -> list[SkillDemand]:
    """Demand (requests per skill, summary tables) against supply (mentors offering it, free minutes)."""
    demand = {
        skill_id: (requested or 0, unmet or 0)
        for skill_id, requested, unmet in in_weeks(WeekSkill.objects.all(), scope)
        .values_list("skill_id")
        .annotate(Sum("requested"), Sum("unmet"))
        .order_by()
    }
    offering_mentors: dict[int, int] = defaultdict(int)
    free_minutes: dict[int, float] = defaultdict(float)
    free_of: dict[int, float] = {}
    for user_id, mentor in mentors.items():
        if mentor.weekly_minutes > 0:
            load = loads.get(user_id)
            used_per_week = load.booked_minutes / scope.weeks if load else 0
            free_of[user_id] = max(0.0, mentor.weekly_minutes - used_per_week)
    for skill_id, user_ids in _mentors_by_skill():
        for user_id in user_ids:
            if user_id in free_of:
                offering_mentors[skill_id] += 1
                free_minutes[skill_id] += free_of[user_id]
    skills: list[SkillDemand] = []
    for skill_id, slug, name in Skill.objects.values_list("pk", "slug", "name"):
        requested, unmet = demand.get(skill_id, (0, 0))
        offered = offering_mentors.get(skill_id, 0)
        if requested or offered:
            skills.append(
                {
                    "slug": slug,
                    "name": name,
                    "requested": requested,
                    "unmet": unmet,
                    "offered": offered,
                    "free_minutes_per_week": round(free_minutes.get(skill_id, 0)),
                }
            )
    skills.sort(key=lambda skill: (-skill["requested"], -skill["unmet"], skill["slug"]))
    return skills


def _mentors_by_skill() -> list[tuple[int, list[int]]]:
    """(skill, ids of accepting mentors who offer it): one query, an array per skill on PostgreSQL."""
    offers = UserSkill.objects.filter(user__mentor_profile__accepting=True).order_by()
    if on_postgres():
        return list(offers.values_list("skill_id").annotate(mentors=ArrayAgg("user_id")))
    grouped: dict[int, list[int]] = defaultdict(list)
    for skill_id, user_id in fetch(offers.values_list("skill_id", "user_id")):
        grouped[skill_id].append(user_id)
    return list(grouped.items())


def skill_gaps(skills: list[SkillDemand], limit: int = 3) -> list[SkillDemand]:
    """The skills whose requests most often went without a session; ties: fewer mentors offering it first."""
    wanting = [skill for skill in skills if skill["unmet"]]
    wanting.sort(key=lambda skill: (-skill["unmet"], skill["offered"], skill["slug"]))
    return wanting[:limit]


def gap_sentence(skill: SkillDemand) -> str:
    """In the reader's language (the API's `sentence` too: it is for people)."""
    requests = ngettext(
        "%(skill)s: %(requested)s request, %(unmet)s without a session;",
        "%(skill)s: %(requested)s requests, %(unmet)s without a session;",
        skill["requested"],
    ) % {"skill": skill["name"], "requested": skill["requested"], "unmet": skill["unmet"]}
    if not skill["offered"]:
        return requests + " " + gettext("no mentor offers it.")
    return (
        requests
        + " "
        + ngettext(
            "%(mentors)s mentor offers it (%(minutes)s free minutes a week).",
            "%(mentors)s mentors offer it (%(minutes)s free minutes a week).",
            skill["offered"],
        )
        % {"mentors": skill["offered"], "minutes": skill["free_minutes_per_week"]}
    )
