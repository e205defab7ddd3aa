"""A person as a SCIM User resource (RFC 7643 4.1, with the enterprise extension's department and manager),
and a resource read back into provisioning.services.PersonData.

The mapping (docs/api.md, "SCIM"): userName is the email address, the login; displayName (else
name.formatted, else givenName and familyName) the display name; title the job title; the enterprise
extension's department the department (created if missing), its manager the manager; externalId, timezone and
active as they are. Attributes Sidebar does not keep (phoneNumbers, addresses, password …) are accepted and
not stored.
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from marketplace.models import User
from provisioning import values
from provisioning.models import ProvisionedPerson
from provisioning.scim import CORE_SCHEMA, ENTERPRISE_SCHEMA
from provisioning.scim.errors import INVALID_VALUE, bad_request
from provisioning.scim.patch import key_in
from provisioning.services import KEEP, Keep, PersonData


def user_location(user_id: int) -> str:
    return settings.SITE_URL + reverse("scim-user", kwargs={"user_id": user_id})


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_of(user: User) -> ProvisionedPerson | None:
    try:
        return user.provisioning
    except ProvisionedPerson.DoesNotExist:
        return None


def user_resource(user: User) -> dict:
    """The resource of a person (load them with provisioning.selectors.scim_people: no query here)."""
    record = record_of(user)
    name = {
        "formatted": user.display_name,
        "givenName": record.given_name if record else "",
        "familyName": record.family_name if record else "",
    }
    enterprise: dict[str, Any] = {}
    if user.department is not None:
        enterprise["department"] = user.department.name
    if record and record.manager_id:
        enterprise["manager"] = {
            "value": str(record.manager_id),
            "$ref": user_location(record.manager_id),
            "displayName": record.manager.name if record.manager else "",
        }
    resource: dict[str, Any] = {
        "schemas": [CORE_SCHEMA, ENTERPRISE_SCHEMA] if enterprise else [CORE_SCHEMA],
        "id": str(user.pk),
        "externalId": record.external_id if record else "",
        "userName": user.email,
        "name": {key: value for key, value in name.items() if value},
        "displayName": user.display_name,
        "title": user.job_title,
        "timezone": user.timezone,
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "meta": {
            "resourceType": "User",
            "created": _instant(user.date_joined),
            "lastModified": _instant(record.updated_at if record else user.date_joined),
            "location": user_location(user.pk),
        },
    }
    if enterprise:
        resource[ENTERPRISE_SCHEMA] = enterprise
    # Unassigned attributes are left out (RFC 7643 2.5), not sent as "" or null.
    return {key: value for key, value in resource.items() if value not in ("", {}, None)}


def _get(container: dict, name: str) -> Any:
    return container.get(key_in(container, name))


def _text(container: dict, name: str, attribute: str) -> str | None:
    value = _get(container, name)
    if value is None or isinstance(value, str):
        return value
    raise bad_request(INVALID_VALUE, gettext("%(attribute)s is a string.") % {"attribute": attribute})


def _clean(clean, value: str, attribute: str) -> str:
    try:
        return clean(value)
    except values.BadValue as error:
        raise bad_request(
            INVALID_VALUE,
            gettext("%(attribute)s: %(message)s") % {"attribute": attribute, "message": error.message},
        ) from None


def _object(container: dict, name: str, attribute: str) -> dict:
    value = _get(container, name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(INVALID_VALUE, gettext("%(attribute)s is an object.") % {"attribute": attribute})
    return value


def _manager_id(value: Any) -> int | None:
    """A manager given as {"value": id}, as the id itself (Entra ID's PATCH), or a list of one of those."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = _get(value, "value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value)
    return None  # not one of Sidebar's ids (a manager not provisioned yet): no manager


def person_data(resource: Any, *, creating: bool) -> PersonData:
    """What a POST's or PUT's body (or a patched resource) says of the person, checked: a 400 invalidValue
    naming the attribute for a value Sidebar cannot keep. Like PUT (RFC 7644 3.5.1), an attribute left out is
    cleared, except `active` (kept, true for a new person) and `timezone` (kept)."""
    if not isinstance(resource, dict):
        raise bad_request(INVALID_VALUE, gettext("The body is a User object."))
    user_name = _text(resource, "userName", "userName")
    if not user_name:
        raise bad_request(INVALID_VALUE, gettext("userName is required: the person's email address."))
    email = _clean(values.clean_email, user_name, "userName")
    name = _object(resource, "name", "name")
    given = _clean(values.clean_name_part, _text(name, "givenName", "name.givenName") or "", "name.givenName")
    family = _clean(
        values.clean_name_part, _text(name, "familyName", "name.familyName") or "", "name.familyName"
    )
    formatted = _text(name, "formatted", "name.formatted") or ""
    display = _text(resource, "displayName", "displayName") or ""
    if display:
        display_name = _clean(values.clean_display_name, display, "displayName")
    elif formatted:
        display_name = _clean(values.clean_display_name, formatted, "name.formatted")
    else:
        display_name = _clean(values.clean_display_name, f"{given} {family}", "name")
    title = _clean(values.clean_job_title, _text(resource, "title", "title") or "", "title")
    external_id = _clean(
        values.clean_external_id, _text(resource, "externalId", "externalId") or "", "externalId"
    )
    zone = _text(resource, "timezone", "timezone")
    timezone: str | Keep = _clean(values.clean_timezone, zone, "timezone") if zone else KEEP
    raw_active = _get(resource, "active")
    active: bool | Keep = True if creating else KEEP
    if raw_active is not None:
        try:
            active = values.parse_bool(raw_active)
        except values.BadValue as error:
            raise bad_request(
                INVALID_VALUE,
                gettext("%(attribute)s: %(message)s") % {"attribute": "active", "message": error.message},
            ) from None
    enterprise = _object(resource, ENTERPRISE_SCHEMA, ENTERPRISE_SCHEMA)
    department = _clean(
        values.clean_department,
        _text(enterprise, "department", f"{ENTERPRISE_SCHEMA}:department") or "",
        f"{ENTERPRISE_SCHEMA}:department",
    )
    return PersonData(
        email=email,
        display_name=display_name,
        given_name=given,
        family_name=family,
        job_title=title,
        department=department,
        timezone=timezone,
        external_id=external_id,
        manager_id=_manager_id(_get(enterprise, "manager")),
        active=active,
    )
