"""Rules for text a person types: what can be stored at all, and what must stay on one line.

Every text that enters (JSON bodies through marketplace.api_parsers, query strings and form posts through
marketplace.middleware) is refused when it cannot be stored (``is_storable``). Text that ends up on one line,
in an email's Subject, a Slack note, a heading, is also refused with control characters: names and request
topics are checked once, by the validator on their model field, which the page forms and the API serializers
use too: a line break in a subject makes the mail library refuse the whole message.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

SINGLE_LINE_MESSAGE = _("Use letters, not line breaks or control characters.")
# Cc: control characters (line feed, carriage return, tab, NUL, DEL, C1 such as NEL); Zl, Zp: the Unicode
# line and paragraph separators.
_NOT_ON_ONE_LINE = {"Cc", "Zl", "Zp"}


def refuse_control_characters(value: str) -> None:
    if any(unicodedata.category(character) in _NOT_ON_ONE_LINE for character in value):
        raise ValidationError(gettext(SINGLE_LINE_MESSAGE), code="control_characters")


UNSTORABLE_MESSAGE = _(
    "Text cannot contain NUL characters (\\u0000) or unpaired surrogates (\\ud800-\\udfff)."
)
# What PostgreSQL text cannot hold (NUL) and UTF-8 cannot encode (a surrogate code point on its own, which a
# JSON "\ud800" escape produces): refused wherever text enters, so that no layer below has to cope.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(value: str) -> bool:
    return _UNSTORABLE.search(value) is None
