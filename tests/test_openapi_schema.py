"""The OpenAPI schema at /api/schema/ is typed (issue 13 item 18): it generates and validates with no warning,
and every operation declares a typed success response and the error statuses it can answer, in
docs/api.md's shapes. A new endpoint without types fails here."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from marketplace.api_schema import CONFLICT_CODES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"
WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def resolve(schema: dict, body: dict) -> dict:
    while "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


def test_the_schema_generates_and_validates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def _placeholder(match: re.Match) -> str:
    """<int:pk> is {id} in the schema, any other <int:name> is {name}."""
    return "{id}" if match[1] == "pk" else f"{{{match[1]}}}"


def routes(patterns, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= routes(pattern.url_patterns, route)
        else:
            found.add("/" + re.sub(r"<int:(\w+)>", _placeholder, route))
    return found


def test_every_api_url_is_in_the_schema(schema):
    api_urls = {route for route in routes(get_resolver().url_patterns) if route.startswith("/api/v1/")}
    assert api_urls == {path for path in schema["paths"] if path.startswith("/api/v1/")}


def test_every_operation_declares_a_typed_success_response(schema):
    untyped = []
    for path, method, operation in operations(schema):
        success = {code: answer for code, answer in operation["responses"].items() if code.startswith("2")}
        assert len(success) == 1, (method, path, list(operation["responses"]))
        [(code, answer)] = success.items()
        if code == "204":
            assert "content" not in answer, (method, path)
            continue
        for media_type, content in answer["content"].items():
            body = resolve(schema, content["schema"])
            if media_type == "application/json" and not (
                body.get("properties") or body.get("type") == "array"
            ):
                untyped.append(f"{method.upper()} {path}")
            if media_type != "application/json":
                assert media_type in {"text/calendar", "text/csv"}, (method, path, media_type)
    assert untyped == []


def test_every_operation_declares_the_errors_it_can_answer(schema):
    missing = []
    for path, method, operation in operations(schema):
        declared = set(operation["responses"])
        logging_in = (method, path) == ("post", "/api/v1/auth/token/")
        expected = {"400", "429"} if logging_in else {"401"}
        if method in WRITES and not logging_in:
            expected.add("403")  # a browser session without its CSRF token
        if "{id}" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            expected.add("404")
        expected.add("400")  # any query string with text that cannot be stored, on every operation
        if expected - declared:
            missing.append(f"{method.upper()} {path}: {sorted(expected - declared)}")
    assert missing == []


def test_errors_have_the_shapes_of_docs_api_md(schema):
    for path, method, operation in operations(schema):
        for code, answer in operation["responses"].items():
            if code.startswith("2"):
                continue
            body = resolve(schema, answer["content"]["application/json"]["schema"])
            if code == "400":
                assert body["additionalProperties"], (method, path)
            elif code == "409":
                assert set(body["required"]) == {"detail", "code"}, (method, path)
            else:
                assert body["required"] == ["detail"], (method, path, code)


def test_the_conflict_codes_are_those_of_docs_api_md(schema):
    table = DOCS.read_text().split("The 409 codes, all in one place")[1].split("\n\n")[1]
    documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE)
    assert sorted(documented) == sorted(CONFLICT_CODES)
    assert schema["components"]["schemas"]["CodeEnum"]["enum"] == list(CONFLICT_CODES)


def test_nullable_times_and_enums_are_typed(schema):
    booking = schema["components"]["schemas"]["Booking"]["properties"]
    assert booking["start"] == {"type": "string", "format": "date-time", "readOnly": True}
    assert booking["cancelled_at"]["nullable"] is True
    assert booking["status"]["$ref"].endswith("/BookingStatusEnum")
    mentor = schema["components"]["schemas"]["Mentor"]["properties"]
    assert mentor["rating"]["nullable"] is True
    assert mentor["department"]["nullable"] is True
    slots = schema["paths"]["/api/v1/mentors/{id}/slots/"]["get"]["parameters"]
    assert next(p for p in slots if p["name"] == "id")["schema"]["minimum"] == 1
