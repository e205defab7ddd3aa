"""Text a person types that ends up on one line: in an email's Subject, a Slack note, a heading.

Names and request topics are checked once, by the validator on their model field, which the page forms and
the API serializers use too: a line break in a subject makes the mail library refuse the whole message.
"""

import unicodedata

from django.core.exceptions import ValidationError

SINGLE_LINE_MESSAGE = "Use letters, not line breaks or control characters."
# Cc: control characters (line feed, carriage return, tab, NUL, DEL, C1 such as NEL); Zl, Zp: the Unicode
# line and paragraph separators.
_NOT_ON_ONE_LINE = {"Cc", "Zl", "Zp"}


def refuse_control_characters(value: str) -> None:
    if any(unicodedata.category(character) in _NOT_ON_ONE_LINE for character in value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")
