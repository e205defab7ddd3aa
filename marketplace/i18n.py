"""Languages: which one a person reads Sidebar in, and wording that must be put together lazily.

A person's `language` (their profile) wins; without one, a page follows the browser (LocaleMiddleware reads
Accept-Language) and anything sent to them (e-mails, calendar texts, Slack and Teams notes) follows
LANGUAGE_CODE.
"""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import ngettext

from marketplace.models import User


def language_of(person: User) -> str:
    """The language to write to this person in when no browser is asking: their choice, or the default."""
    return person.language or settings.LANGUAGE_CODE


def _minutes(minutes: int) -> str:
    return ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}


def _hours(hours: int) -> str:
    return ngettext("%(hours)s hour", "%(hours)s hours", hours) % {"hours": hours}


def _days(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


# For choices built when a module is imported: each is worded in the language of whoever reads it.
minutes_label = lazy(_minutes, str)
hours_label = lazy(_hours, str)
days_label = lazy(_days, str)
