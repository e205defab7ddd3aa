"""What every API request body goes through before a serializer sees it, and every JSON answer after.

One place for the input no field should have to think about: JSON nested deeper than ``MAX_DEPTH`` (which
would exhaust the stack in parsing, validating or rendering) is ``400 {"detail"}``, and text that cannot be
stored (NUL, an unpaired surrogate: marketplace.text) is a 400 naming the field it was found in, before any
validation, so that no error message can echo it and nothing is half-stored.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer

from marketplace.text import UNSTORABLE_MESSAGE, is_storable

MAX_DEPTH = 64
TOO_DEEP_MESSAGE = f"JSON nested deeper than {MAX_DEPTH} levels is not accepted."


def refuse_unstorable_input(data: Any) -> None:
    """``ParseError`` for the first string (key or value) that cannot be stored, or past ``MAX_DEPTH``.

    The error names the path to the bad text the way serializers name nested fields
    (``{"mentoring": {"meeting_url": [...]}}``, list items by index as ListField does); the bad text itself
    is never echoed.
    """
    if isinstance(data, QueryDict):  # a form: flat, each name with its values
        for name, values in data.lists():
            if not is_storable(name):
                raise ParseError(_error_at(()))
            if not all(is_storable(value) for value in values if isinstance(value, str)):
                raise ParseError(_error_at((name,)))
        return
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, Mapping | list | tuple) and len(path) >= MAX_DEPTH:  # the root is level 1
            raise ParseError({"detail": TOO_DEEP_MESSAGE})
        if isinstance(value, str):
            if not is_storable(value):
                raise ParseError(_error_at(path))
        elif isinstance(value, Mapping):
            children = []
            for key, child in value.items():
                if not is_storable(str(key)):
                    raise ParseError(_error_at(path))
                children.append((child, (*path, str(key))))
            stack.extend(reversed(children))
        elif isinstance(value, list | tuple):
            stack.extend((child, (*path, str(index))) for index, child in reversed(list(enumerate(value))))


def _error_at(path: tuple[str, ...]) -> dict:
    if not path:
        return {"detail": [gettext(UNSTORABLE_MESSAGE)]}
    error: dict | list = [gettext(UNSTORABLE_MESSAGE)]
    for name in reversed(path):
        error = {name: error}
    assert isinstance(error, dict)
    return error


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, plus ``refuse_unstorable_input`` (and depth past the decoder's own limit)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # nesting deep enough to exhaust the decoder's stack
            raise ParseError({"detail": TOO_DEEP_MESSAGE}) from None
        refuse_unstorable_input(data)
        return data


class StrictFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable_input(data)
        return data


class StrictMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_unstorable_input(parsed.data)
        return parsed


class SafeJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, which never fails on a string UTF-8 cannot encode.

    Input is refused before it could be echoed (StrictJSONParser); should a lone surrogate still reach an
    answer, it is written as a ``\\ud800`` escape (valid JSON) instead of raising on encoding.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return json.dumps(
                data, cls=self.encoder_class, ensure_ascii=True, allow_nan=not self.strict
            ).encode("ascii")
