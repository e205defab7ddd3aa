"""Reads of people, skills and mentoring settings."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework.authtoken.models import Token

from marketplace import schedules, session_data
from marketplace.api_tokens import expires_at, is_expired
from marketplace.models import AvailabilityBlock, MentorProfile, Skill, TimeOff, User, UserSkill
from marketplace.session_data import Rating
from marketplace.slots import Interval

NEXT_SLOT_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class MentoringSettings:
    session_lengths: list[int]
    min_notice_minutes: int
    buffer_minutes: int
    weekly_minutes_cap: int
    meeting_url: str
    accepting: bool


def mentoring_settings(user: User) -> MentoringSettings:
    """The person's mentoring settings, or the defaults when they have never set any."""
    profile = getattr(user, "mentor_profile", None) if _has_profile(user) else None
    profile = profile or MentorProfile(user=user)
    return MentoringSettings(
        session_lengths=sorted(profile.session_lengths),
        min_notice_minutes=profile.min_notice_minutes,
        buffer_minutes=profile.buffer_minutes,
        weekly_minutes_cap=profile.weekly_minutes_cap,
        meeting_url=profile.meeting_url,
        accepting=profile.accepting,
    )


def _has_profile(user: User) -> bool:
    try:
        user.mentor_profile  # noqa: B018
    except MentorProfile.DoesNotExist:
        return False
    return True


def person_with_details(user_id: int) -> User:
    """One person with department, skills and mentoring settings, in a fixed number of queries."""
    return (
        User.objects.select_related("department", "mentor_profile")
        .prefetch_related(
            Prefetch("skills_offered", queryset=UserSkill.objects.select_related("skill")),
            "skills_wanted",
            "working_hours",
        )
        .get(pk=user_id)
    )


def skills() -> QuerySet[Skill]:
    return Skill.objects.order_by("category", "name")


@dataclass(frozen=True)
class MentorFilters:
    skill: str | None = None
    q: str = ""
    department: int | None = None
    available_before: datetime | None = None


@dataclass(frozen=True)
class MentorCard:
    user: User
    skills: list[UserSkill]
    rating: Rating | None
    next_slots: list[Interval]

    @property
    def next_slot(self) -> Interval | None:
        return self.next_slots[0] if self.next_slots else None


def accepting_mentors(filters: MentorFilters) -> QuerySet[User]:
    """Mentors who take sessions now, filtered by skill, department and free text, in name order."""
    mentors = User.objects.filter(is_mentor=True, is_active=True, mentor_profile__accepting=True)
    if filters.skill:
        mentors = mentors.filter(
            Exists(UserSkill.objects.filter(user_id=OuterRef("pk"), skill__slug=filters.skill))
        )
    if filters.department:
        mentors = mentors.filter(department_id=filters.department)
    for word in filters.q.split()[:5]:
        mentors = mentors.filter(
            Q(display_name__icontains=word)
            | Q(headline__icontains=word)
            | Q(job_title__icontains=word)
            | Exists(UserSkill.objects.filter(user_id=OuterRef("pk"), skill__name__icontains=word))
        )
    return mentors.order_by("display_name", "id")


def _default_durations(profiles: list[MentorProfile]) -> dict[int, int]:
    return {profile.user_id: min(profile.session_lengths or [30]) for profile in profiles}


def mentor_ids_available_before(
    mentors: QuerySet[User],
    *,
    before: datetime,
    viewer_id: int | None,
    now: datetime,
    within_working_hours: bool = False,
) -> list[int]:
    """Ids of the mentors with a slot over by `before`, soonest first: the slot engine decides, not the DB.

    With `within_working_hours`, only slots inside both the mentor's and the viewer's working hours count.
    """
    profiles = list(MentorProfile.objects.filter(user__in=mentors.order_by()))
    slots = schedules.first_slots(
        [profile.user_id for profile in profiles],
        asker_id=viewer_id,
        start=now,
        end=before,
        durations=_default_durations(profiles),
        now=now,
        profiles=profiles,
        slot_must_end_by_range_end=True,
        within_working_hours=within_working_hours,
    )
    found = [(slot.start, mentor_id) for mentor_id, slot in slots.items() if slot is not None]
    return [mentor_id for _, mentor_id in sorted(found)]


def browsable_mentor_ids(
    filters: MentorFilters, *, viewer_id: int | None, now: datetime, within_working_hours: bool = False
) -> list[int] | QuerySet[User, int]:
    """The ids to page through: in name order, or soonest-free first when `available_before` is set."""
    mentors = accepting_mentors(filters)
    if filters.available_before:
        return mentor_ids_available_before(
            mentors,
            before=filters.available_before,
            viewer_id=viewer_id,
            now=now,
            within_working_hours=within_working_hours,
        )
    return mentors.values_list("pk", flat=True)


def mentor_cards(
    mentor_ids: list[int],
    *,
    viewer_id: int | None,
    now: datetime,
    horizon: timedelta = NEXT_SLOT_HORIZON,
    slot_count: int = 1,
    within_working_hours: bool = False,
) -> list[MentorCard]:
    """Cards for these mentors in the given order, with skills, rating and next free slots (fixed queries).

    With `within_working_hours`, the slots are those inside both the mentor's and the viewer's working hours.
    """
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=mentor_ids)
        .select_related("department", "mentor_profile")
        .prefetch_related(Prefetch("skills_offered", queryset=UserSkill.objects.select_related("skill")))
    }
    ordered = [users[mentor_id] for mentor_id in mentor_ids if mentor_id in users]
    profiles = [user.mentor_profile for user in ordered if _has_profile(user)]
    slot_lists = schedules.upcoming_slots(
        [profile.user_id for profile in profiles],
        asker_id=viewer_id,
        start=now,
        end=now + horizon,
        durations=_default_durations(profiles),
        now=now,
        limit=slot_count,
        profiles=profiles,
        within_working_hours=within_working_hours,
    )
    ratings = session_data.ratings([user.pk for user in ordered])
    return [
        MentorCard(
            user=user,
            skills=list(user.skills_offered.all()),
            rating=ratings.get(user.pk),
            next_slots=slot_lists.get(user.pk, []),
        )
        for user in ordered
    ]


def mentor_or_404(mentor_id: int) -> User:
    """A mentor's page, profile and slots: a deactivated person is nobody's mentor any more."""
    return get_object_or_404(
        User.objects.select_related("mentor_profile"), pk=mentor_id, is_mentor=True, is_active=True
    )


def availability(mentor: User) -> tuple[str, list[AvailabilityBlock]]:
    """The zone and weekly blocks of a mentor (the zone defaults to their profile's)."""
    zone = (
        MentorProfile.objects.filter(user=mentor).values_list("availability_timezone", flat=True).first()
        or mentor.timezone
    )
    return zone, list(AvailabilityBlock.objects.filter(mentor=mentor).order_by("weekday", "start"))


def upcoming_time_off(mentor: User, *, now: datetime) -> QuerySet[TimeOff]:
    return TimeOff.objects.filter(mentor=mentor, end__gt=now).order_by("start")


@dataclass(frozen=True)
class ApiTokenState:
    created: datetime
    expires: datetime
    expired: bool


def api_token_state(user: User, *, now: datetime) -> ApiTokenState | None:
    """Whether the person has an API token, and until when it works (None: they have none)."""
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    return ApiTokenState(created=token.created, expires=expires_at(token), expired=is_expired(token, now=now))
