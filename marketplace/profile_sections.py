"""Sections other apps add to a person's profile page, without marketplace importing them.

An app registers a provider in its AppConfig.ready() (calendars: the person's own calendars); the profile
page renders each section's template with its context, after marketplace's own sections. A provider reads
what it shows in one query.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import User


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
