"""SCIM as an identity provider speaks it: a client sending the bearer token, JSON in and out."""

import json

TOKEN = "scim-test-token-0123456789-abcdefghijklmnop"
SCIM = "/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class ScimClient:
    def __init__(self, client, token: str = TOKEN) -> None:
        self.client = client
        self.token = token

    def send(self, method: str, path: str, body=None, **headers):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **headers}
        if body is not None:
            data = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs.update(data=data, content_type="application/scim+json")
        return getattr(self.client, method.lower())(SCIM + path, **kwargs)

    def get(self, path: str, **headers):
        return self.send("GET", path, **headers)

    def post(self, path: str, body, **headers):
        return self.send("POST", path, body, **headers)

    def put(self, path: str, body, **headers):
        return self.send("PUT", path, body, **headers)

    def patch(self, path: str, body, **headers):
        return self.send("PATCH", path, body, **headers)

    def delete(self, path: str, **headers):
        return self.send("DELETE", path, **headers)


def patch_op(*operations: dict) -> dict:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type
    return body
