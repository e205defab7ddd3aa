"""Reads of people, skills and mentoring settings."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from marketplace.models import MentorProfile, Skill, User, UserSkill


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
        )
        .get(pk=user_id)
    )


def skills() -> QuerySet[Skill]:
    return Skill.objects.order_by("category", "name")
