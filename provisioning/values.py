"""The rules for each value a person is provisioned with, shared by SCIM and the CSV import (pure).

Each cleaner takes what the identity provider or the file holds and returns what is stored, or raises
``BadValue`` with a message; each boundary names the value in its own terms (SCIM's attribute, the CSV's
column). The limits are marketplace's own (marketplace.models).
"""

import functools
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import translation
from django.utils.translation import gettext

from marketplace.models import DISPLAY_NAME_MAX_LENGTH, JOB_TITLE_MAX_LENGTH, Department, JobLevel
from marketplace.text import SINGLE_LINE_MESSAGE, refuse_control_characters
from provisioning.models import EXTERNAL_ID_MAX_LENGTH, NAME_PART_MAX_LENGTH

EMAIL_MAX_LENGTH = 254
DEPARTMENT_MAX_LENGTH = Department._meta.get_field("name").max_length or 100
_ZONES = frozenset(available_timezones()) - {"localtime", "posixrules"}


class BadValue(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _one_line(value: str, *, longest: int) -> str:
    value = value.strip()
    try:
        refuse_control_characters(value)
    except ValidationError:
        raise BadValue(gettext(SINGLE_LINE_MESSAGE)) from None
    if len(value) > longest:
        raise BadValue(
            gettext("Use at most %(count)s characters (this one has %(length)s).")
            % {"count": longest, "length": len(value)}
        )
    return value


def clean_email(value: str) -> str:
    """The login: an email address, stored in lower case (Sidebar matches addresses case-insensitively)."""
    value = value.strip().lower()
    if not value:
        raise BadValue(gettext("An email address is required."))
    if len(value) > EMAIL_MAX_LENGTH:
        raise BadValue(
            gettext("An email address has at most %(count)s characters.") % {"count": EMAIL_MAX_LENGTH}
        )
    try:
        EmailValidator()(value)
    except ValidationError:
        raise BadValue(gettext("This is not an email address.")) from None
    return value


def clean_display_name(value: str) -> str:
    return _one_line(value, longest=DISPLAY_NAME_MAX_LENGTH)


def clean_name_part(value: str) -> str:
    return _one_line(value, longest=NAME_PART_MAX_LENGTH)


def clean_job_title(value: str) -> str:
    return _one_line(value, longest=JOB_TITLE_MAX_LENGTH)


def clean_department(value: str) -> str:
    """A department's name ("" for none); the department is created if there is none of that name yet."""
    return _one_line(value, longest=DEPARTMENT_MAX_LENGTH)


def clean_external_id(value: str) -> str:
    return _one_line(value, longest=EXTERNAL_ID_MAX_LENGTH)


def clean_level(value: str) -> str:
    """A job level by its code (``senior``) or its label (``Lead / staff``, in English or the reader's
    language), any case; "" for none."""
    wanted = value.strip().casefold()
    if not wanted:
        return ""
    found = _level_names(translation.get_language() or "en").get(wanted)
    if found:
        return found
    raise BadValue(
        gettext("“%(value)s” is not a level: use one of %(levels)s.")
        % {"value": value.strip()[:40], "levels": ", ".join(JobLevel.values)}
    )


@functools.cache
def _level_names(language: str) -> dict[str, str]:
    """Each level's code and labels (English and `language`), case-folded, to its code: once per language,
    not once per row of a file."""
    names = {}
    for reading in ("en", language):
        with translation.override(reading):
            names.update({str(level.label).casefold(): level.value for level in JobLevel})
    names.update({level.value.casefold(): level.value for level in JobLevel})
    return names


def clean_timezone(value: str) -> str:
    value = value.strip()
    if value not in _ZONES:
        raise BadValue(
            gettext("“%(value)s” is not a time zone: use an IANA name such as Europe/Paris.")
            % {"value": value[:60]}
        )
    return value


def parse_bool(value: object) -> bool:
    """A JSON boolean, or one written as a string ("True", "false"), as Microsoft Entra ID sends them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise BadValue(gettext("Use true or false."))
