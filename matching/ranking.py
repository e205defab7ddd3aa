"""The ranking engine: who should help with a request, in what order, and why. A pure function of plain data.

``rank(need, candidates, now)`` scores every candidate who can help before the deadline and returns the best
``TOP_N`` as ``Match``es, each with 2–4 short sentences that explain it. The score adds six terms, all
weighted in ``Weights`` (the one place to tune them):

- **skill**: the share of asked skills the mentor offers, and how well (expert > strong > working knowledge);
- **working hours**: a slot inside both the asker's and the mentor's working hours beats one at 00:30 for
  either of them, whatever else the other has going (these points outweigh all the other terms together, so
  the shortlist comes in two tiers: inside both people's hours, then outside; skills lead within each);
- **urgency**: a first slot comfortably before the deadline beats one just before it;
- **load**: mentors who held few sessions lately and have room under their weekly cap rise, nearly full ones
  fall, so that help is spread instead of piling on the same few people;
- **quality**: a Bayesian-average rating (a new mentor counts as a few average ratings, so one bad review does
  not rank below nobody-has-rated-yet) and a record of no-shows and cancellations;
- **preference**: another department or the same time zone, when the asker asked for it.

Never listed: the asker, a paused mentor, a mentor without an asked skill, and a mentor without a bookable
slot that ends by the deadline. Ties are broken by mentor id, so the same input always gives the same output.

No ORM, no settings, no clock: ``now`` and the zones are arguments (docs/design.md "Pure engines"). The
reasons are worded in the active language (matching.services activates the asker's).

One module on purpose (over 400 lines): the score and the sentences that explain it are written side by side,
so that a reason can never describe a term the score does not use.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.ratings import rating_for_page
from marketplace.slots import Interval
from marketplace.timezones import get_zone, iso_week_start

TOP_N = 10
LEVEL_NAMES = {1: "working knowledge", 2: "strong", 3: "expert"}


@dataclass(frozen=True)
class Weights:
    """Every weight of the score, in points. A perfect mentor scores about 100 (more with preferences met).

    Scores compare mentors for one request; they mean nothing across requests. The defaults were tuned with
    bench/matching_sim.py: skill coverage dominates (a mentor who knows everything asked nearly always ranks
    above one who does not), and load weighs enough to spread sessions (Gini about half the skill-only
    baseline's) without moving coverage; level and urgency break the remaining ties.
    """

    skill_coverage: float = 45.0
    """Points for offering every asked skill; a mentor offering one of two asked skills gets half."""

    skill_level: float = 6.0
    """Points for expert level in every asked skill (strong earns half, working knowledge none)."""

    working_hours: float = 120.0
    """Points for a slot inside both people's working hours: more than all the other terms can add up to, so
    that no slot outside them ranks above one inside them, however sooner, better matched or less loaded. The
    pages show only times inside both people's hours until "show all times": the top of the shortlist must be
    bookable there."""

    urgency: float = 12.0
    """Points for a first slot ending at least a comfortable margin before the deadline; fewer as it nears."""

    comfortable_share: float = 0.25
    """The comfortable margin is this share of the time between now and the deadline ..."""

    comfortable_min: timedelta = timedelta(hours=1)
    comfortable_max: timedelta = timedelta(hours=24)
    """... but at least an hour and at most a day."""

    load: float = 30.0
    """Points for a light load: half for few sessions held in the last four weeks, half for room under the
    weekly cap in the coming weeks (the fuller of the slot's week and the weeks up to the deadline counts)."""

    recent_sessions_half: float = 3.0
    """Sessions held in the last four weeks at which the recent-load half drops to half its points."""

    nearly_full: float = 0.8
    """Share of the weekly cap above which a mentor counts as nearly full: the room half gives no points."""

    quality: float = 10.0
    """Points for quality: the Bayesian-average rating and, for `reliability_share` of them, reliability."""

    reliability_share: float = 0.4
    """Share of the quality points that reliability earns: 1 minus twice the share of sessions that fell
    through (no-show or cancelled by the mentor), so a mentor who drops a third of sessions keeps a third."""

    rating_prior: float = 4.0
    """The rating a mentor is assumed to have before anyone rated them ..."""

    rating_prior_count: float = 3.0
    """... counted as this many ratings, so one bad review moves a new mentor only part of the way."""

    reliability_prior_sessions: float = 5.0
    """Sessions assumed to have gone well, so that a single no-show among few sessions is not fatal."""

    preference: float = 6.0
    """Points for each preference the asker set that the mentor meets (another department, same time zone)."""


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class AskedSkill:
    skill_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Need:
    """A request for help, as the engine sees it."""

    asker_id: int
    skills: tuple[AskedSkill, ...]
    needed_by: datetime  # aware; a session must be over by then
    duration_minutes: int
    asker_timezone: str  # reasons speak in the asker's zone
    asker_department_id: int | None = None
    prefer_other_department: bool = False
    prefer_same_timezone: bool = False
    # A quarter of the help promise passed without a booking (matching.escalation): candidate generation
    # looks further (neighbouring skills, other departments and zones, mentors a little over soft limits).
    widened: bool = False


@dataclass(frozen=True, slots=True)
class OfferedSkill:
    skill_id: int
    level: int  # 1 working knowledge, 2 strong, 3 expert


@dataclass(frozen=True, slots=True)
class Candidate:
    """A mentor who might help: what they know, their first slot, their load and their record."""

    mentor_id: int
    skills: tuple[OfferedSkill, ...]
    slot: Interval | None  # the first bookable slot that ends by the deadline (slot engine), or None
    # Whether the slot lies wholly inside the asker's and the mentor's working hours (each in their own zone);
    # None: not known (no points, no words).
    in_asker_hours: bool | None = None
    in_mentor_hours: bool | None = None
    accepting: bool = True
    timezone: str = "UTC"  # the zone of their weekly blocks; their ISO weeks and the cap are counted in it
    department_id: int | None = None
    department_name: str = ""
    weekly_minutes_cap: int | None = None  # None = no cap
    # The Monday of an ISO week in `timezone` -> minutes of confirmed sessions already booked that week.
    booked_minutes_by_week: Mapping[date, int] = field(default_factory=dict)
    held_recently: int = 0  # sessions held as mentor in the last four weeks
    held_total: int = 0
    no_shows: int = 0
    cancelled_by_mentor: int = 0
    rating_average: float | None = None
    rating_count: int = 0


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The weighted terms of a score, in points."""

    skill: float
    urgency: float
    load: float
    quality: float
    preference: float
    working_hours: float = 0.0

    @property
    def total(self) -> float:
        return self.skill + self.working_hours + self.urgency + self.load + self.quality + self.preference


@dataclass(frozen=True, slots=True)
class Match:
    mentor_id: int
    rank: int  # 1 = best
    score: float
    slot: Interval
    reasons: tuple[str, ...]
    parts: ScoreParts


def rank(
    need: Need,
    candidates: Iterable[Candidate],
    now: datetime,
    weights: Weights = DEFAULT_WEIGHTS,
    top: int = TOP_N,
) -> list[Match]:
    """The best `top` candidates for `need`, best first, each with the reasons for its place."""
    scored: list[tuple[float, int, Candidate, Interval, ScoreParts]] = []
    for candidate in candidates:
        slot = candidate.slot
        if slot is None or not is_eligible(need, candidate, now):  # is_eligible refuses None too
            continue
        parts = score_parts(need, candidate, now, weights)
        scored.append((-parts.total, candidate.mentor_id, candidate, slot, parts))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [
        Match(
            mentor_id=candidate.mentor_id,
            rank=position,
            score=round(parts.total, 2),
            slot=slot,
            reasons=reasons(need, candidate, parts, now, weights),
            parts=parts,
        )
        for position, (_, _, candidate, slot, parts) in enumerate(scored[:top], start=1)
    ]


def is_eligible(need: Need, candidate: Candidate, now: datetime) -> bool:
    """Whether the candidate may be listed at all: the rules no score can outweigh."""
    slot = candidate.slot
    return (
        candidate.mentor_id != need.asker_id
        and candidate.accepting
        and slot is not None
        and slot.start >= now
        and slot.end <= need.needed_by
        and covered_count(need, candidate) > 0
    )


def covered_count(need: Need, candidate: Candidate) -> int:
    offered = {skill.skill_id for skill in candidate.skills}
    return sum(1 for skill in need.skills if skill.skill_id in offered)


def preferences_met(need: Need, candidate: Candidate, at: datetime) -> tuple[bool, bool]:
    """(another department, same time zone), each True only when the asker asked for it and it holds."""
    other_department = (
        need.prefer_other_department
        and need.asker_department_id is not None
        and candidate.department_id is not None
        and candidate.department_id != need.asker_department_id
    )
    same_zone = need.prefer_same_timezone and _same_offset(need.asker_timezone, candidate.timezone, at)
    return other_department, same_zone


def _same_offset(zone_a: str, zone_b: str, at: datetime) -> bool:
    if zone_a == zone_b:
        return True
    return at.astimezone(get_zone(zone_a)).utcoffset() == at.astimezone(get_zone(zone_b)).utcoffset()


def pool_order_key(
    need: Need,
    mentor_id: int,
    skill_ids: Collection[int],
    *,
    department_id: int | None,
    timezone: str,
    at: datetime,
) -> tuple:
    """How candidate generation orders mentors before their slots are known (lower sorts first).

    Most asked skills covered first, then the preferences the asker set; among equals a fixed pseudo-random
    order seeded by the request, so that a bounded shortlist samples equally skilled mentors fairly instead of
    always taking the lowest ids (which would pile every request onto the same few people).
    """
    covered = sum(1 for skill in need.skills if skill.skill_id in skill_ids)
    met = 0
    if need.prefer_other_department or need.prefer_same_timezone:
        probe = Candidate(
            mentor_id=mentor_id, skills=(), slot=None, department_id=department_id, timezone=timezone
        )
        met = sum(preferences_met(need, probe, at))
    return (-covered, -met, zlib.crc32(f"{_pool_seed(need)}:{mentor_id}".encode()), mentor_id)


@lru_cache(maxsize=64)
def _pool_seed(need: Need) -> str:
    skill_ids = sorted(skill.skill_id for skill in need.skills)
    return f"{need.asker_id}:{skill_ids}"


def score_parts(
    need: Need, candidate: Candidate, now: datetime, weights: Weights = DEFAULT_WEIGHTS
) -> ScoreParts:
    """The weighted terms of the candidate's score. Expects an eligible candidate (a slot is set)."""
    assert candidate.slot is not None
    levels = {skill.skill_id: skill.level for skill in candidate.skills}
    asked = len(need.skills) or 1
    covered = [levels[skill.skill_id] for skill in need.skills if skill.skill_id in levels]
    skill = (
        weights.skill_coverage * len(covered) / asked
        + weights.skill_level * sum((level - 1) / 2 for level in covered) / asked
    )

    working_hours = weights.working_hours if candidate.in_asker_hours and candidate.in_mentor_hours else 0.0
    urgency = weights.urgency * urgency_fit(need, candidate.slot, now, weights)

    recent = 1 / (1 + candidate.held_recently / weights.recent_sessions_half)
    week_fill = slot_week_fill(need, candidate)
    room = 0.0 if week_fill > weights.nearly_full else 1 - max(upcoming_fill(need, candidate, now), week_fill)
    load = weights.load * (0.5 * recent + 0.5 * room)

    share = weights.reliability_share
    quality = weights.quality * (
        (1 - share) * (bayesian_rating(candidate, weights) - 1) / 4 + share * reliability(candidate, weights)
    )

    other_department, same_zone = preferences_met(need, candidate, candidate.slot.start)
    preference = weights.preference * (int(other_department) + int(same_zone))
    return ScoreParts(
        skill=skill,
        urgency=urgency,
        load=load,
        quality=quality,
        preference=preference,
        working_hours=working_hours,
    )


def urgency_fit(need: Need, slot: Interval, now: datetime, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """1 when the slot ends a comfortable margin or more before the deadline, falling to 0 at it."""
    window = max(need.needed_by - now, timedelta(0))
    comfortable = min(
        max(window * weights.comfortable_share, weights.comfortable_min), weights.comfortable_max
    )
    margin = need.needed_by - slot.end
    if margin <= timedelta(0):
        return 0.0
    return min(1.0, margin / comfortable)


def _weeks_between(first: date, last: date) -> list[date]:
    weeks = []
    week = first
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def upcoming_fill(need: Need, candidate: Candidate, now: datetime) -> float:
    """Share of the weekly cap already booked over the weeks from now to the deadline (mentor's weeks)."""
    cap = candidate.weekly_minutes_cap
    if cap is None:
        return 0.0
    if cap <= 0:
        return 1.0
    weeks = _weeks_between(
        iso_week_start(now, candidate.timezone), iso_week_start(need.needed_by, candidate.timezone)
    )
    booked = sum(candidate.booked_minutes_by_week.get(week, 0) for week in weeks)
    return min(1.0, booked / (cap * len(weeks)))


def slot_week_fill(need: Need, candidate: Candidate) -> float:
    """Share of the cap the slot's week would be at once this session is booked."""
    cap = candidate.weekly_minutes_cap
    if cap is None or candidate.slot is None:
        return 0.0
    if cap <= 0:
        return 1.0
    week = iso_week_start(candidate.slot.start, candidate.timezone)
    return min(1.0, (candidate.booked_minutes_by_week.get(week, 0) + need.duration_minutes) / cap)


def bayesian_rating(candidate: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The average rating pulled towards the prior by `rating_prior_count` imaginary ratings."""
    count = max(candidate.rating_count, 0) if candidate.rating_average is not None else 0
    total = (candidate.rating_average or 0.0) * count + weights.rating_prior * weights.rating_prior_count
    return total / (count + weights.rating_prior_count)


def reliability(candidate: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """1 minus twice the share of sessions that fell through (no-show or cancelled by the mentor), at least 0.

    `reliability_prior_sessions` imaginary good sessions keep one no-show among few from counting much.
    """
    bad = max(candidate.no_shows, 0) + max(candidate.cancelled_by_mentor, 0)
    sessions = max(candidate.held_total, 0) + bad + weights.reliability_prior_sessions
    return max(0.0, 1 - 2 * bad / sessions)


# --- Reasons: short sentences built from the same terms as the score ---


def reasons(
    need: Need, candidate: Candidate, parts: ScoreParts, now: datetime, weights: Weights = DEFAULT_WEIGHTS
) -> tuple[str, ...]:
    """2–4 sentences: the skills, the slot, the preferences met, then load and quality, the stronger first."""
    assert candidate.slot is not None
    found = [skills_sentence(need, candidate), slot_sentence(need, candidate.slot, now, candidate)]
    other_department, same_zone = preferences_met(need, candidate, candidate.slot.start)
    if other_department:
        found.append(
            _("Works in another department (%(department)s)") % {"department": candidate.department_name}
            if candidate.department_name
            else _("Works in another department")
        )
    if same_zone:
        found.append(_("Works in your time zone"))
    extras = [
        (points, sentence)
        for points, sentence in (
            (parts.load, _load_sentence(need, candidate, now, weights)),
            (parts.quality, _quality_sentence(candidate)),
        )
        if sentence
    ]
    extras.sort(key=lambda item: -item[0])
    found.extend(sentence for _, sentence in extras)
    return tuple(found[:4])


def skills_sentence(need: Need, candidate: Candidate) -> str:
    levels = {skill.skill_id: skill.level for skill in candidate.skills}
    known = [
        _("%(skill)s (expert)") % {"skill": skill.name} if levels[skill.skill_id] == 3 else skill.name
        for skill in need.skills
        if skill.skill_id in levels
    ]
    missing = [skill.name for skill in need.skills if skill.skill_id not in levels]
    if missing:
        return _("Knows %(known)s, not %(missing)s") % {
            "known": _and_list(known),
            "missing": _or_list(missing),
        }
    return _("Knows %(known)s") % {"known": _and_list(known)}


def slot_sentence(need: Need, slot: Interval, now: datetime, candidate: Candidate | None = None) -> str:
    """'Free Tue 14:00 in both your working hours, 2 days before your deadline', in the asker's zone.

    Says whether the slot lies in both people's working hours when the candidate is given.
    """
    zone = get_zone(need.asker_timezone)
    local = slot.start.astimezone(zone)
    today = now.astimezone(zone).date()
    days_ahead = (local.date() - today).days
    if days_ahead == 0:
        when = _("today %(time)s") % {"time": f"{local:%H:%M}"}
    elif days_ahead == 1:
        when = _("tomorrow %(time)s") % {"time": f"{local:%H:%M}"}
    elif days_ahead < 7:
        when = date_format(local, _("D H:i"))
    else:
        when = date_format(local, _("D j M H:i"))
    words = {"when": when, "margin": _margin_words(need.needed_by - slot.end)}
    # Whole sentences, not pieces, so that each language can order them its own way.
    in_asker = None if candidate is None else candidate.in_asker_hours
    in_mentor = None if candidate is None else candidate.in_mentor_hours
    if in_asker is None or in_mentor is None:
        sentence = _("Free %(when)s, %(margin)s before your deadline")
    elif in_asker and in_mentor:
        sentence = _("Free %(when)s in both your working hours, %(margin)s before your deadline")
    elif not in_asker and not in_mentor:
        sentence = _("Free %(when)s, outside your working hours and theirs, %(margin)s before your deadline")
    elif not in_asker:
        sentence = _("Free %(when)s, outside your working hours, %(margin)s before your deadline")
    else:
        sentence = _("Free %(when)s, outside their working hours, %(margin)s before your deadline")
    return sentence % words


def _margin_words(margin: timedelta) -> str:
    hours = margin.total_seconds() / 3600
    if hours >= 48:
        return _("%(days)s days") % {"days": int(hours // 24)}
    if hours >= 24:
        return _("a day")
    if hours >= 2:
        return _("%(hours)s hours") % {"hours": int(hours)}
    if hours >= 1:
        return _("an hour")
    minutes = max(int(margin.total_seconds() // 60), 0)
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}


def _load_sentence(need: Need, candidate: Candidate, now: datetime, weights: Weights) -> str:
    assert candidate.slot is not None
    if slot_week_fill(need, candidate) > weights.nearly_full:
        return ""
    this_week = iso_week_start(now, candidate.timezone) == iso_week_start(
        candidate.slot.start, candidate.timezone
    )
    if this_week and slot_week_fill(need, candidate) <= 0.5:
        return _("Has time this week")
    if candidate.held_recently == 0:
        return _("Has had no sessions in the last four weeks")
    if candidate.held_recently <= weights.recent_sessions_half / 2:
        return _("Has had few sessions lately")
    if slot_week_fill(need, candidate) <= 0.5:
        return _("Has room in their weekly time budget")
    return ""


def _quality_sentence(candidate: Candidate) -> str:
    if candidate.rating_average is not None and candidate.rating_count > 0:
        if candidate.rating_average < 3.5:
            return ""
        return ngettext(
            "Rated %(average)s by %(count)s colleague",
            "Rated %(average)s by %(count)s colleagues",
            candidate.rating_count,
        ) % {"average": rating_for_page(candidate.rating_average), "count": candidate.rating_count}
    if candidate.held_total == 0:
        return _("New to mentoring on Sidebar")
    return ""


def _and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}
