"""What a SCIM client reads to learn what Sidebar supports (RFC 7644 4, RFC 7643 5-7): fixed documents."""

from django.conf import settings
from django.urls import reverse

from provisioning.scim import CORE_SCHEMA, ENTERPRISE_SCHEMA, LIST_RESPONSE_SCHEMA

MAX_RESULTS = 200  # people per page of a list, at most


def _location(name: str, **kwargs: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def service_provider_config() -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": settings.SITE_URL + "/api/docs/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "Authorization: Bearer <SCIM_TOKEN>, the token set in Sidebar's environment.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": _location("scim-service-provider-config"),
        },
    }


def _attribute(name: str, *, kind: str = "string", required: bool = False, **extra: object) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": required,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **extra,
    }


def _sub_attributes(*names: str) -> list[dict]:
    return [_attribute(name) for name in names]


SCHEMAS = {
    CORE_SCHEMA: {
        "name": "User",
        "description": "A person in the company: userName is their email address, their login.",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute(
                "name", kind="complex", subAttributes=_sub_attributes("formatted", "givenName", "familyName")
            ),
            _attribute("displayName"),
            _attribute("title"),
            _attribute("timezone"),
            _attribute("active", kind="boolean"),
            _attribute("externalId", caseExact=True),
            {
                **_attribute("emails", kind="complex", subAttributes=_sub_attributes("value", "type")),
                "multiValued": True,
                "mutability": "readOnly",
            },
        ],
    },
    ENTERPRISE_SCHEMA: {
        "name": "EnterpriseUser",
        "description": "The department (created if missing) and the manager.",
        "attributes": [
            _attribute("department"),
            _attribute("manager", kind="complex", subAttributes=_sub_attributes("value", "displayName")),
        ],
    },
}


def schema_document(schema_id: str) -> dict:
    """One of SCHEMAS as /Schemas/{id} shows it."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": schema_id,
        **SCHEMAS[schema_id],
        "meta": {"resourceType": "Schema", "location": _location("scim-schema", schema_id=schema_id)},
    }


def user_resource_type() -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "People",
        "schema": CORE_SCHEMA,
        "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
        "meta": {"resourceType": "ResourceType", "location": _location("scim-resource-type", type_id="User")},
    }


def listed(resources: list[dict]) -> dict:
    return {
        "schemas": [LIST_RESPONSE_SCHEMA],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": resources,
    }
