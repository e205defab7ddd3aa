"""SCIM PATCH (RFC 7644 3.5.2) applied to a resource as a plain dict: pure, the resource in, a new one out.

What identity providers send, accepted as they send it: ``op`` in any case (Entra ID writes "Replace"), an
operation with a ``path`` (``active``, ``name.givenName``, ``emails[type eq "work"].value``, an extension's
``urn:…:User:department``) or without one, its value then an object of attribute paths (Okta's
``{"op": "replace", "value": {"active": false}}``). Attribute names are case-insensitive (RFC 7643 2.1).
The values are checked afterwards, when the patched resource is read like a PUT's body
(provisioning.scim.resources).
"""

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from provisioning.scim import CORE_SCHEMA, ENTERPRISE_SCHEMA
from provisioning.scim.errors import INVALID_PATH, INVALID_SYNTAX, INVALID_VALUE, NO_TARGET, bad_request

OPERATIONS = ("add", "replace", "remove")
_NAME = r"[A-Za-z][\w$-]*"
_PATH = re.compile(
    rf"^(?P<attribute>{_NAME})(?:\[\s*(?P<filter_attribute>{_NAME})\s+eq\s+(?P<filter_value>.+?)\s*\])?"
    rf"(?:\.(?P<sub>{_NAME}))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Path:
    schema: str | None  # ENTERPRISE_SCHEMA for the extension's attributes; None for the core's
    attribute: str | None  # None: the extension's whole object
    value_filter: tuple[str, Any] | None = None  # emails[type eq "work"] → ("type", "work")
    sub_attribute: str | None = None


def parse_path(text: str) -> Path:
    written = text.strip()
    lowered = written.lower()
    schema = None
    if lowered == ENTERPRISE_SCHEMA.lower():
        return Path(ENTERPRISE_SCHEMA, None)
    if lowered.startswith(ENTERPRISE_SCHEMA.lower() + ":"):
        schema, written = ENTERPRISE_SCHEMA, written[len(ENTERPRISE_SCHEMA) + 1 :]
    elif lowered.startswith(CORE_SCHEMA.lower() + ":"):
        written = written[len(CORE_SCHEMA) + 1 :]
    elif lowered.startswith("urn:"):
        raise bad_request(
            INVALID_PATH, gettext("The path %(path)s names an unknown schema.") % {"path": text}
        )
    found = _PATH.match(written)
    if not found:
        raise bad_request(INVALID_PATH, gettext("%(path)s is not an attribute path.") % {"path": text})
    value_filter = None
    if found.group("filter_attribute"):
        try:
            value_filter = (found.group("filter_attribute"), json.loads(found.group("filter_value")))
        except ValueError:
            raise bad_request(
                INVALID_PATH, gettext("The filter in %(path)s compares with no value.") % {"path": text}
            ) from None
    return Path(schema, found.group("attribute"), value_filter, found.group("sub"))


def apply_patch(resource: dict, operations: object) -> dict:
    """The resource after the operations, in order; the resource given is left as it was."""
    if not isinstance(operations, list) or not operations:
        raise bad_request(INVALID_SYNTAX, gettext("A PATCH needs a non-empty Operations list."))
    patched = copy.deepcopy(resource)
    for operation in operations:
        if not isinstance(operation, dict):
            raise bad_request(INVALID_SYNTAX, gettext("Each operation is an object with op, path and value."))
        op = _value_of(operation, "op")
        if not isinstance(op, str) or op.lower() not in OPERATIONS:
            raise bad_request(
                INVALID_SYNTAX,
                gettext("op is one of add, replace or remove, not %(op)s.") % {"op": json.dumps(op)[:40]},
            )
        op = op.lower()
        path = _value_of(operation, "path")
        value = _value_of(operation, "value")
        if path is None or path == "":
            if op == "remove":
                raise bad_request(NO_TARGET, gettext("A remove operation needs a path."))
            if not isinstance(value, dict):
                raise bad_request(
                    INVALID_VALUE, gettext("Without a path, the value is an object of attributes to set.")
                )
            for name, item in value.items():
                if str(name).lower() == ENTERPRISE_SCHEMA.lower() and isinstance(item, dict):
                    for sub_name, sub_item in item.items():
                        _set(patched, Path(ENTERPRISE_SCHEMA, str(sub_name)), sub_item, op)
                else:
                    _set(patched, parse_path(str(name)), item, op)
        elif not isinstance(path, str):
            raise bad_request(INVALID_PATH, gettext("path is a string."))
        elif op == "remove":
            _remove(patched, parse_path(path))
        else:
            _set(patched, parse_path(path), value, op)
    return patched


def _value_of(operation: dict, name: str) -> Any:
    return next((value for key, value in operation.items() if str(key).lower() == name), None)


def key_in(container: dict, name: str) -> str:
    """The key `container` has for `name`, whatever its case; `name` itself when it has none."""
    return next((key for key in container if key.lower() == name.lower()), name)


def _container(resource: dict, path: Path) -> dict:
    if path.schema is None:
        return resource
    key = key_in(resource, ENTERPRISE_SCHEMA)
    if not isinstance(resource.get(key), dict):
        resource[key] = {}
    return resource[key]


def _matches(item: object, value_filter: tuple[str, Any]) -> bool:
    if not isinstance(item, dict):
        return False
    name, wanted = value_filter
    found = item.get(key_in(item, name))
    if isinstance(found, str) and isinstance(wanted, str):
        return found.lower() == wanted.lower()
    return found == wanted


def _merge(target: dict, value: dict) -> None:
    for name, item in value.items():
        target[key_in(target, str(name))] = item


def _set(resource: dict, path: Path, value: Any, op: str) -> None:
    container = _container(resource, path)
    if path.attribute is None:  # the extension's whole object
        if not isinstance(value, dict):
            raise bad_request(INVALID_VALUE, gettext("The extension's value is an object."))
        _merge(container, value)
        return
    key = key_in(container, path.attribute)
    if path.value_filter is not None:
        items = container.get(key)
        items = items if isinstance(items, list) else []
        matching = [item for item in items if _matches(item, path.value_filter)]
        if not matching:
            name, wanted = path.value_filter
            matching = [{name: wanted}]
            items.append(matching[0])
        for item in matching:
            if path.sub_attribute:
                item[key_in(item, path.sub_attribute)] = value
            elif isinstance(value, dict):
                _merge(item, value)
            else:
                raise bad_request(
                    INVALID_VALUE, gettext("%(attribute)s takes an object.") % {"attribute": path.attribute}
                )
        container[key] = items
    elif path.sub_attribute:
        parent = container.get(key)
        parent = parent if isinstance(parent, dict) else {}
        parent[key_in(parent, path.sub_attribute)] = value
        container[key] = parent
    else:
        current = container.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)  # a complex attribute: the sub-attributes given change, the others stay
        elif op == "add" and isinstance(current, list):
            current.extend(value if isinstance(value, list) else [value])
        else:
            container[key] = value


def _remove(resource: dict, path: Path) -> None:
    container = _container(resource, path)
    if path.attribute is None:
        container.clear()
        return
    key = key_in(container, path.attribute)
    if key not in container:
        return
    if path.value_filter is not None:
        items = container[key] if isinstance(container[key], list) else []
        if path.sub_attribute:
            for item in items:
                if _matches(item, path.value_filter):
                    item.pop(key_in(item, path.sub_attribute), None)
        else:
            container[key] = [item for item in items if not _matches(item, path.value_filter)]
    elif path.sub_attribute:
        if isinstance(container[key], dict):
            container[key].pop(key_in(container[key], path.sub_attribute), None)
    else:
        del container[key]
