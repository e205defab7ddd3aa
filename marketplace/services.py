"""Every write to people, skills and mentoring settings."""

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from marketplace import time_changes
from marketplace.api_tokens import is_expired
from marketplace.errors import InvalidInput
from marketplace.instants import InstantError, check_instant
from marketplace.models import (
    HR_GROUP_NAME,
    TIME_OFF_LONGEST,
    VIEW_INSIGHTS_PERMISSION,
    WEEKDAY_NAMES,
    WEEKDAYS,
    WORKING_INTERVALS_PER_DAY,
    AvailabilityBlock,
    Department,
    MentorProfile,
    Skill,
    TimeOff,
    User,
    UserSkill,
    WorkingHours,
)
from marketplace.timezones import is_valid_timezone
from marketplace.validators import instant_message

PROFILE_FIELDS = (
    "display_name",
    "timezone",
    "language",
    "headline",
    "bio",
    "job_title",
    "job_level",
    "is_mentor",
)
MENTORING_FIELDS = (
    "session_lengths",
    "min_notice_minutes",
    "buffer_minutes",
    "weekly_minutes_cap",
    "meeting_url",
    "accepting",
)


class Unset(Enum):
    """A keyword left out, where None is a value the caller can give (no department)."""

    UNSET = "unset"


@transaction.atomic
def update_profile(
    *,
    user: User,
    fields: Mapping[str, Any],
    department: Department | Unset | None = Unset.UNSET,
    skills: list[tuple[str, int]] | None = None,
    skills_wanted: list[str] | None = None,
    mentoring: Mapping[str, Any] | None = None,
    working_hours: list["BlockInput"] | None = None,
) -> User:
    """Applies a validated profile change all at once: either everything is stored or nothing is.

    `department` left out keeps the department; `skills` replaces the offered skills with (slug, level) pairs;
    `skills_wanted` replaces the wanted skills; `working_hours` replaces the working hours (in the person's
    zone, the new one if `fields` changes it).
    """
    if working_hours is not None:
        problem = find_working_hours_problem(working_hours)
        if problem:
            raise InvalidInput("working_hours", problem)
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"{name} is not a profile field")
        setattr(user, name, value)
    if department is not Unset.UNSET:
        user.department = department
    user.save()

    if skills is not None:
        _replace_offered_skills(user, skills)
    if skills_wanted is not None:
        user.skills_wanted.set(_skills_by_slug("skills_wanted", skills_wanted).values())
    if working_hours is not None:
        WorkingHours.objects.filter(person=user).delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(person=user, weekday=item.weekday, start=item.start, end=item.end)
            for item in working_hours
        )

    if mentoring or user.is_mentor:
        profile, created = MentorProfile.objects.select_for_update().get_or_create(
            user=user, defaults={"availability_timezone": user.timezone}
        )
        for name, value in (mentoring or {}).items():
            if name not in MENTORING_FIELDS:
                raise ValueError(f"{name} is not a mentoring setting")
            setattr(profile, name, sorted(set(value)) if name == "session_lengths" else value)
        if mentoring or created:
            profile.save()
    if mentoring or "is_mentor" in fields or "timezone" in fields or working_hours is not None:
        time_changes.mentor_time_may_have_changed(user.pk)  # the cap, notice, pause or hours may free time
    return user


def _skills_by_slug(field: str, slugs: list[str]) -> dict[str, Skill]:
    found = {skill.slug: skill for skill in Skill.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise InvalidInput(
            field, gettext("Unknown skill: %(slugs)s.") % {"slugs": ", ".join(sorted(set(unknown)))}
        )
    return found


def _replace_offered_skills(user: User, skills: list[tuple[str, int]]) -> None:
    by_slug = _skills_by_slug("skills", [slug for slug, _ in skills])
    UserSkill.objects.filter(user=user).delete()
    UserSkill.objects.bulk_create(
        UserSkill(user=user, skill=by_slug[slug], level=level) for slug, level in skills
    )


@transaction.atomic
def make_hr_admin(*, user: User) -> None:
    """Puts a person in the HR admins group (created with its permission if missing)."""
    content_type = ContentType.objects.get_for_model(User)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=VIEW_INSIGHTS_PERMISSION.split(".")[1],
        defaults={"name": "Can see the HR insights dashboards and exports"},
    )
    group, _ = Group.objects.get_or_create(name=HR_GROUP_NAME)
    group.permissions.add(permission)
    user.groups.add(group)
    for cache in ("_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


@dataclass(frozen=True)
class BlockInput:
    weekday: int
    start: time
    end: time


def find_block_problem(blocks: list[BlockInput]) -> str | None:
    """The first rule a set of weekly blocks breaks (start before end, no overlap on a weekday), or None."""
    for block in blocks:
        if block.weekday not in WEEKDAYS:
            return gettext("Weekday %(weekday)s does not exist: use 0 (Monday) to 6 (Sunday).") % {
                "weekday": block.weekday
            }
        if block.start >= block.end:
            return gettext("On %(day)s, %(start)s–%(end)s ends before it starts.") % {
                "day": WEEKDAY_NAMES[block.weekday],
                "start": f"{block.start:%H:%M}",
                "end": f"{block.end:%H:%M}",
            }
    ordered = sorted(blocks, key=lambda block: (block.weekday, block.start))
    for earlier, later in itertools.pairwise(ordered):
        if earlier.weekday == later.weekday and later.start < earlier.end:
            return gettext("On %(day)s, %(start)s–%(end)s and %(later_start)s–%(later_end)s overlap.") % {
                "day": WEEKDAY_NAMES[earlier.weekday],
                "start": f"{earlier.start:%H:%M}",
                "end": f"{earlier.end:%H:%M}",
                "later_start": f"{later.start:%H:%M}",
                "later_end": f"{later.end:%H:%M}",
            }
    return None


def find_working_hours_problem(intervals: list[BlockInput]) -> str | None:
    """The first rule a person's working hours break, or None: at least one interval, each ending after it
    starts, none overlapping another on its day, at most WORKING_INTERVALS_PER_DAY a day."""
    if not intervals:
        return gettext("Give your working hours on at least one day.")
    problem = find_block_problem(intervals)
    if problem:
        return problem
    for weekday in range(7):
        if sum(1 for item in intervals if item.weekday == weekday) > WORKING_INTERVALS_PER_DAY:
            return gettext("On %(day)s, give at most %(count)d intervals.") % {
                "day": WEEKDAY_NAMES[weekday],
                "count": WORKING_INTERVALS_PER_DAY,
            }
    return None


@transaction.atomic
def replace_availability(*, mentor: User, timezone: str, blocks: list[BlockInput]) -> MentorProfile:
    """Replaces all weekly blocks and their zone at once: a rejected change leaves everything as it was."""
    if not is_valid_timezone(timezone):
        raise InvalidInput("timezone", gettext("Unknown time zone: %(zone)s.") % {"zone": timezone})
    problem = find_block_problem(blocks)
    if problem:
        raise InvalidInput("blocks", problem)
    profile, _ = MentorProfile.objects.select_for_update().get_or_create(
        user=mentor, defaults={"availability_timezone": timezone}
    )
    profile.availability_timezone = timezone
    profile.save(update_fields=["availability_timezone", "updated_at"])
    AvailabilityBlock.objects.filter(mentor=mentor).delete()
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=block.weekday, start=block.start, end=block.end)
        for block in blocks
    )
    time_changes.mentor_time_may_have_changed(mentor.pk)
    return profile


@transaction.atomic
def add_time_off(*, mentor: User, start: datetime, end: datetime, note: str = "", now: datetime) -> TimeOff:
    for field, instant in (("start", start), ("end", end)):
        try:
            check_instant(instant)
        except InstantError as error:
            raise InvalidInput(field, instant_message(error)) from None
    if end <= start:
        raise InvalidInput("end", gettext("Time off must end after it starts."))
    if end <= now:
        raise InvalidInput("end", gettext("This time off is already over."))
    if end - start > TIME_OFF_LONGEST:
        raise InvalidInput("end", gettext("Time off can last at most a year; add another period for more."))
    time_changes.mentor_time_may_have_changed(mentor.pk)  # a slot held inside it is released
    return TimeOff.objects.create(mentor=mentor, start=start, end=end, note=note)


@transaction.atomic
def remove_time_off(*, mentor: User, time_off_id: int) -> None:
    deleted, _ = TimeOff.objects.filter(mentor=mentor, pk=time_off_id).delete()
    if not deleted:
        raise TimeOff.DoesNotExist
    time_changes.mentor_time_may_have_changed(mentor.pk)


@transaction.atomic
def issue_api_token(*, user: User, now: datetime) -> Token:
    """The person's one token: the same while it is valid; an expired one is replaced by a new one."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").get()  # one issuer at a time
    token = Token.objects.filter(user=user).first()
    if token is not None and is_expired(token, now=now):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke_api_token(*, user: User) -> None:
    """Deletes the person's token, if they have one: the next call with it is a 401."""
    Token.objects.filter(user=user).delete()
