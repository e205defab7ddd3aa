"""SCIM filters (RFC 7644 3.4.2.2), the part identity providers send when they look a person up: one
``<attribute> eq "<value>"``. Pure: the text in, what to look for out, or a ScimError naming the attribute."""

import json
import re
from dataclasses import dataclass

from django.utils.translation import gettext

from provisioning.scim import CORE_SCHEMA
from provisioning.scim.errors import INVALID_FILTER, ScimError, bad_request

USER_NAME = "userName"
EXTERNAL_ID = "externalId"
ID = "id"
EMAIL = "emails"
# How each supported attribute path may be written (attribute names are case-insensitive, RFC 7643 2.1).
_ATTRIBUTES = {
    "username": USER_NAME,
    "externalid": EXTERNAL_ID,
    "id": ID,
    "emails": EMAIL,
    "emails.value": EMAIL,
    'emails[type eq "work"].value': EMAIL,
    "emails[primary eq true].value": EMAIL,
}
_OPERATORS = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}
_ATTRIBUTE_PATH = re.compile(r"(?:urn:[^\s\[\]]*:)?[A-Za-z][\w$-]*(?:\[[^\]]*\])?(?:\.[A-Za-z][\w$-]*)?")


@dataclass(frozen=True)
class Filter:
    attribute: str  # USER_NAME, EXTERNAL_ID, ID or EMAIL
    value: str


def parse_filter(text: str) -> Filter:
    """``userName eq "ana@example.com"`` → Filter(USER_NAME, "ana@example.com"). Only ``eq`` on userName,
    externalId, id or emails; anything else is a 400 ``invalidFilter`` that says what is supported."""
    text = text.strip()
    found = _ATTRIBUTE_PATH.match(text)
    if not found:
        raise bad_request(INVALID_FILTER, gettext("This filter does not start with an attribute."))
    written = found.group(0)
    rest = text[found.end() :].split(None, 1)
    operator = rest[0].lower() if rest else ""
    if operator not in _OPERATORS:
        raise bad_request(
            INVALID_FILTER,
            gettext("The filter on %(attribute)s needs an operator, such as eq.") % {"attribute": written},
        )
    attribute = _supported_attribute(written)
    if operator != "eq":
        raise bad_request(
            INVALID_FILTER,
            gettext("Only eq is supported: filter on %(attribute)s with eq.") % {"attribute": written},
        )
    raw = rest[1].strip() if len(rest) > 1 else ""
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_request(
            INVALID_FILTER,
            gettext(
                "Compare %(attribute)s with one value in double quotes (and, or and not are not supported)."
            )
            % {"attribute": written},
        ) from None
    if not isinstance(value, str):
        raise bad_request(
            INVALID_FILTER,
            gettext("Compare %(attribute)s with a string in double quotes.") % {"attribute": written},
        )
    return Filter(attribute, value)


def _supported_attribute(written: str) -> str:
    path = written
    if path.lower().startswith(CORE_SCHEMA.lower() + ":"):
        path = path[len(CORE_SCHEMA) + 1 :]
    attribute = _ATTRIBUTES.get(re.sub(r"\s+", " ", path).lower())
    if attribute is None:
        raise ScimError(
            400,
            gettext(
                "Filtering on %(attribute)s is not supported: filter on userName, externalId, id or emails."
            )
            % {"attribute": written},
            INVALID_FILTER,
        )
    return attribute
