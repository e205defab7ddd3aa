"""Reads of requests and of the shortlist each one offers."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from marketplace import home
from marketplace.models import Skill, User, UserSkill
from marketplace.selectors import MentorCard
from marketplace.session_data import Rating
from marketplace.slots import Interval
from matching.group_sessions import GroupSessionSuggestion, group_sessions_before
from matching.models import MentorRequest

MAX_ID = 2**63 - 1


def _with_skills(queryset: QuerySet[MentorRequest]) -> QuerySet[MentorRequest]:
    return queryset.select_related("asker").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("name"))
    )


def requests_of(user: User) -> QuerySet[MentorRequest]:
    """The person's own requests, newest first, with their skills (two queries per page)."""
    return _with_skills(MentorRequest.objects.filter(asker=user)).order_by("-created_at", "-id")


def request_for_owner(request_id: int, user: User) -> MentorRequest:
    """The request if `user` asked it; 404 otherwise, so nobody learns another person's request exists."""
    if not 0 < request_id <= MAX_ID:
        raise Http404("No such request.")
    try:
        return _with_skills(MentorRequest.objects.filter(asker=user).select_related("booked_mentor")).get(
            pk=request_id
        )
    except MentorRequest.DoesNotExist:
        raise Http404("No such request.") from None


@dataclass(frozen=True)
class OfferedMatch:
    """One place on a request's shortlist, as offered."""

    rank: int
    score: float
    reasons: list[str]
    slot: Interval
    card: MentorCard  # the mentor as browse shows them; next_slot is the offered slot
    in_working_hours: bool = True  # the slot lies inside both the asker's and the mentor's working hours
    earlier: Interval | None = None  # a sooner slot outside someone's working hours ("show all times")

    def times(self, *, all_times: bool) -> list[Interval]:
        """The times the page offers: inside both people's working hours, or every stored one."""
        if all_times:
            return [slot for slot in (self.earlier, self.slot) if slot is not None]
        return [self.slot] if self.in_working_hours else []

    @property
    def mentor(self) -> User:
        return self.card.user


def offered_matches(request: MentorRequest) -> list[OfferedMatch]:
    """The stored shortlist with each mentor's details and skills: one query, whatever its length.

    A mentor who has since left (or offers no skill any more) is left out rather than shown half.
    """
    entries = request.shortlist or []
    if not entries:
        return []
    skills_by_mentor: dict[int, list[UserSkill]] = {}
    for item in (
        UserSkill.objects.filter(user_id__in=[entry["mentor_id"] for entry in entries], user__is_active=True)
        .select_related("user__department", "skill")
        .order_by("user_id", "-level", "skill__name")
    ):
        skills_by_mentor.setdefault(item.user_id, []).append(item)
    offered = []
    for entry in entries:
        skills = skills_by_mentor.get(entry["mentor_id"])
        if not skills:
            continue
        slot = Interval(_parse(entry["slot_start"]), _parse(entry["slot_end"]))
        rating = Rating(entry["rating"], entry["rating_count"]) if entry.get("rating") is not None else None
        earlier = None
        if entry.get("earlier_start") and entry.get("earlier_end"):
            earlier = Interval(_parse(entry["earlier_start"]), _parse(entry["earlier_end"]))
        offered.append(
            OfferedMatch(
                rank=entry["rank"],
                score=entry["score"],
                reasons=list(entry["reasons"]),
                slot=slot,
                card=MentorCard(user=skills[0].user, skills=skills, rating=rating, next_slots=[slot]),
                in_working_hours=entry.get("in_working_hours", True),
                earlier=earlier,
            )
        )
    return offered


def group_sessions_for(
    request: MentorRequest, offered: list[OfferedMatch], *, now: datetime
) -> list[GroupSessionSuggestion]:
    """Upcoming group sessions on the request's skills that end by its deadline, when its shortlist has
    nobody: an office hour or AMA is help in time too. Empty while someone can meet."""
    if offered or request.status_at(now) != MentorRequest.Status.OPEN:
        return []
    return group_sessions_before(
        skill_ids=[skill.pk for skill in request.skills.all()],
        asker_id=request.asker_id,
        ends_by=request.needed_by,
        now=now,
    )


def _parse(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not an ISO time: {value!r}")
    return parsed


def open_requests_for_home(user_id: int, now: datetime, limit: int) -> list[home.OpenRequest]:
    """The person's requests still open at `now` (none booked, deadline ahead), soonest deadline first, with
    how many mentors each shortlist offers: one query (marketplace.home's provider, registered in apps.py)."""
    requests = (
        MentorRequest.objects.filter(asker_id=user_id, status=MentorRequest.Status.OPEN, needed_by__gt=now)
        .only("id", "topic", "needed_by", "match_count")
        .order_by("needed_by", "id")[:limit]
    )
    return [
        home.OpenRequest(
            topic=request.topic,
            needed_by=request.needed_by,
            shortlisted=request.match_count,
            url=reverse("request-detail", args=[request.pk]),
        )
        for request in requests
    ]
