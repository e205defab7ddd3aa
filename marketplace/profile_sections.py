"""Sections other apps add to a person's profile page and to a mentor's page, without marketplace importing
them.

An app registers a provider in its AppConfig.ready() (calendars: the person's own calendars on the profile;
waitlists: "tell me when they have time" on a mentor's page); the page renders each section's template with
its context, after marketplace's own sections. A provider reads what it shows in a few queries.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import User
from marketplace.slots import Interval


@dataclass(frozen=True)
class ProfileSection:
    template: str  # rendered with the page's context plus `section` (this object)
    context: Mapping[str, object] = field(default_factory=dict)


ProfileSectionProvider = Callable[[User, datetime], ProfileSection]

_providers: list[ProfileSectionProvider] = []


def register_profile_section(provider: ProfileSectionProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def profile_sections(user: User, now: datetime) -> list[ProfileSection]:
    return [provider(user, now) for provider in _providers]


@dataclass(frozen=True)
class MentorPageView:
    """What a mentor's page shows its viewer, for the sections other apps add below the times."""

    viewer: User
    mentor: User
    accepting: bool
    session_lengths: tuple[int, ...]
    duration: int
    slots: tuple[Interval, ...]  # the times the page lists (the next 14 days)
    request_id: str  # the viewer's request the page was opened from ("" if none)
    now: datetime


MentorPageSectionProvider = Callable[[MentorPageView], ProfileSection | None]

_mentor_page_providers: list[MentorPageSectionProvider] = []


def register_mentor_page_section(provider: MentorPageSectionProvider) -> None:
    if provider not in _mentor_page_providers:
        _mentor_page_providers.append(provider)


def mentor_page_sections(view: MentorPageView) -> list[ProfileSection]:
    return [section for provider in _mentor_page_providers if (section := provider(view)) is not None]
