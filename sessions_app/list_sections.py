"""Sections other apps add to "My sessions" (`/sessions/`), without sessions_app importing them.

An app registers a provider in its AppConfig.ready() (groups: the group sessions one hosts, has a seat in or
waits for, and the feedback they wait for); the page renders each section's template with its context after
the upcoming 1:1 sessions. A provider reads what it shows in a fixed number of queries.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from marketplace.models import User


@dataclass(frozen=True)
class ListSection:
    template: str  # rendered with the page's context plus `section` (this object)
    context: Mapping[str, object] = field(default_factory=dict)


ListSectionProvider = Callable[[User, datetime], ListSection | None]  # None: nothing to show

_providers: list[ListSectionProvider] = []


def register_list_section(provider: ListSectionProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def list_sections(user: User, now: datetime) -> list[ListSection]:
    return [section for provider in _providers if (section := provider(user, now)) is not None]
