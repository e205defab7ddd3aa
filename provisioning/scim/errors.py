"""SCIM's error (RFC 7644 3.12): an HTTP status, a message, and for a 400 the kind of mistake (scimType)."""

from provisioning.scim import ERROR_SCHEMA

INVALID_VALUE = "invalidValue"
INVALID_FILTER = "invalidFilter"
INVALID_PATH = "invalidPath"
INVALID_SYNTAX = "invalidSyntax"
NO_TARGET = "noTarget"
UNIQUENESS = "uniqueness"


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict:
        body: dict = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def bad_request(scim_type: str, detail: str) -> ScimError:
    return ScimError(400, detail, scim_type)
