"""SCIM's HTTP contract beyond the identity providers' happy paths: the token, errors in SCIM's shape naming
the attribute, paging, and the discovery documents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import User
from provisioning.models import ProvisionedPerson
from tests.factories import UserFactory
from tests.provisioning.scim_client import (
    ENTERPRISE,
    LIST,
    TOKEN,
    USER_SCHEMA,
    ScimClient,
    assert_scim_error,
    patch_op,
)

pytestmark = pytest.mark.django_db


def new_user(user_name: str = "new@example.com", /, **extra: object) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "N", "familyName": "Ew"},
        **extra,
    }


# --- The token ---


def test_without_a_scim_token_configured_scim_is_off_and_answers_404(client, settings):
    settings.SCIM_TOKEN = ""
    UserFactory()

    for path in ("/Users", "/ServiceProviderConfig"):
        assert_scim_error(ScimClient(client, token="").get(path), 404)
        assert_scim_error(ScimClient(client, token="anything").get(path), 404)
    assert_scim_error(ScimClient(client, token="").post("/Users", new_user()), 404)
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Token {TOKEN}", f"Basic {TOKEN}", TOKEN],
    ids=["none", "empty", "one-short", "one-long", "token-scheme", "basic", "no-scheme"],
)
def test_a_missing_or_wrong_token_is_a_401_and_nothing_is_written(scim, client, authorization):
    response = client.post(
        "/scim/v2/Users",
        data=new_user(),
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=authorization,
    )

    assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_scheme_is_case_insensitive(scim, client):
    response = client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert response.status_code == 200


def test_the_token_is_compared_in_constant_time(scim, monkeypatch):
    import hmac

    compared = []
    real = hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert scim.get("/Users").status_code == 200
    assert compared == [(TOKEN.encode(), TOKEN.encode())]


def test_a_short_scim_token_stops_the_start_without_showing_it(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config import env

    monkeypatch.setenv("SCIM_TOKEN", "short-secret")
    with pytest.raises(ImproperlyConfigured) as error:
        env.read_secret("SCIM_TOKEN", min_length=32)
    assert "SCIM_TOKEN" in str(error.value)
    assert "short-secret" not in str(error.value)
    monkeypatch.setenv("SCIM_TOKEN", "")
    assert env.read_secret("SCIM_TOKEN", min_length=32) == ""


def test_scim_needs_no_csrf_token(scim, client):
    client.handler.enforce_csrf_checks = True
    assert scim.post("/Users", new_user()).status_code == 201


# --- Errors name the attribute ---


@pytest.mark.parametrize(
    ("body", "attribute"),
    [
        (new_user("not-an-address"), "userName"),
        ({"schemas": [USER_SCHEMA], "name": {"givenName": "A"}}, "userName"),
        (new_user(userName=42), "userName"),
        (new_user(displayName="Line\nbreak"), "displayName"),
        (new_user(title="x" * 121), "title"),
        (new_user(active="maybe"), "active"),
        (new_user(name="Ana"), "name"),
        (new_user(name={"givenName": ["A"]}), "name.givenName"),
        (new_user(timezone="Mars/Olympus"), "timezone"),
        (new_user(**{ENTERPRISE: {"department": "d" * 101}}), f"{ENTERPRISE}:department"),
        (new_user(externalId="x" * 256), "externalId"),
    ],
    ids=[
        "email",
        "missing-user-name",
        "user-name-number",
        "line-break",
        "long-title",
        "active",
        "name-string",
        "given-name-list",
        "timezone",
        "department",
        "external-id",
    ],
)
def test_a_bad_value_is_a_400_invalid_value_naming_the_attribute(scim, body, attribute):
    error = assert_scim_error(scim.post("/Users", body), 400, "invalidValue")

    assert error["detail"].startswith(attribute) or f" {attribute} " in f" {error['detail']}"
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe{}", b"[1, 2]", '{"userName": "a\\u0000@example.com"}', "[" * 5000 + "]" * 5000],
    ids=["not-json", "not-utf8", "a-list", "nul", "deep"],
)
def test_a_body_that_is_no_user_is_a_400_never_a_500(scim, body):
    response = scim.post("/Users", body)
    assert_scim_error(response, 400)
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ('displayName eq "Ana"', "displayName"),
        ('userName co "ana"', "userName"),
        ('userName eq "a@example.com" and active eq true', "userName"),
        ("userName eq ana@example.com", "userName"),
        ("userName eq", "userName"),
        ("userName", "userName"),
        ('title sw "E"', "title"),
        ("(((", None),
    ],
)
def test_a_filter_sidebar_cannot_answer_is_a_400_invalid_filter_naming_the_attribute(scim, written, named):
    error = assert_scim_error(scim.get(f"/Users?filter={written}"), 400, "invalidFilter")
    if named:
        assert named in error["detail"]


def test_the_filter_takes_the_core_schema_urn_and_emails(scim):
    person = UserFactory(email="ana@example.com")
    for written in (
        f'{USER_SCHEMA}:userName eq "ANA@example.com"',
        'emails.value eq "ana@example.com"',
        'emails[type eq "work"].value eq "ana@example.com"',
        f'id eq "{person.pk}"',
    ):
        found = scim.get(f"/Users?filter={written}").json()
        assert [resource["id"] for resource in found["Resources"]] == [str(person.pk)], written


@pytest.mark.parametrize(
    ("operations", "scim_type"),
    [
        ([], "invalidSyntax"),
        (None, "invalidSyntax"),
        ([{"op": "move", "path": "title", "value": "x"}], "invalidSyntax"),
        ([{"op": "remove"}], "noTarget"),
        ([{"op": "replace", "value": "not an object"}], "invalidValue"),
        ([{"op": "replace", "path": "title[", "value": "x"}], "invalidPath"),
        ([{"op": "replace", "path": "urn:example:unknown:title", "value": "x"}], "invalidPath"),
        ([{"op": "replace", "path": "active", "value": "nope"}], "invalidValue"),
        ([{"op": "replace", "path": "userName", "value": "no-address"}], "invalidValue"),
        (["replace"], "invalidSyntax"),
    ],
    ids=[
        "empty",
        "missing",
        "unknown-op",
        "remove-no-path",
        "no-path-string",
        "bad-path",
        "unknown-urn",
        "active",
        "user-name",
        "not-an-object",
    ],
)
def test_a_bad_patch_is_a_400_and_changes_nothing(scim, operations, scim_type):
    person = UserFactory(email="ana@example.com", job_title="Engineer")

    response = scim.patch(f"/Users/{person.pk}", {"schemas": [], "Operations": operations})

    assert_scim_error(response, 400, scim_type)
    person.refresh_from_db()
    assert (person.email, person.job_title, person.is_active) == ("ana@example.com", "Engineer", True)


def test_changing_user_name_to_someone_elses_is_a_409_uniqueness(scim):
    UserFactory(email="taken@example.com")
    person = UserFactory(email="ana@example.com")

    replace = scim.patch(
        f"/Users/{person.pk}", patch_op({"op": "replace", "path": "userName", "value": "Taken@example.com"})
    )
    put = scim.put(f"/Users/{person.pk}", new_user("taken@example.com"))

    assert "userName" in assert_scim_error(replace, 409, "uniqueness")["detail"]
    assert_scim_error(put, 409, "uniqueness")
    person.refresh_from_db()
    assert person.email == "ana@example.com"


def test_someone_elses_external_id_is_a_409(scim):
    first = scim.post("/Users", new_user("one@example.com", externalId="ext-1"))
    assert first.status_code == 201
    second = scim.post("/Users", new_user("two@example.com"))

    response = scim.patch(
        f"/Users/{second.json()['id']}", patch_op({"op": "add", "path": "externalId", "value": "ext-1"})
    )

    assert "externalId" in assert_scim_error(response, 409, "uniqueness")["detail"]
    assert ProvisionedPerson.objects.filter(external_id="ext-1").count() == 1


def test_unknown_ids_and_urls_are_scim_404s(scim):
    assert_scim_error(scim.get("/Users/999999"), 404)
    assert_scim_error(scim.put("/Users/999999", new_user()), 404)
    assert_scim_error(scim.delete("/Users/999999"), 404)
    assert_scim_error(scim.get("/Users/not-a-number"), 404)
    assert_scim_error(scim.get("/Groups"), 404)


def test_a_method_a_url_does_not_take_is_a_scim_405(scim):
    response = scim.send("DELETE", "/Users")
    assert_scim_error(response, 405)
    assert "POST" in response["Allow"]


def test_put_clears_what_it_leaves_out_but_keeps_active_and_timezone(scim):
    created = scim.post(
        "/Users",
        new_user(title="Engineer", timezone="Europe/Paris", **{ENTERPRISE: {"department": "Sales"}}),
    ).json()

    replaced = scim.put(f"/Users/{created['id']}", {"schemas": [USER_SCHEMA], "userName": "new@example.com"})

    body = replaced.json()
    assert "title" not in body
    assert ENTERPRISE not in body
    assert (body["active"], body["timezone"]) == (True, "Europe/Paris")
    person = User.objects.get(pk=created["id"])
    assert (person.job_title, person.department, person.display_name) == ("", None, "")


def test_a_department_is_found_whatever_its_case_or_created(scim):
    from marketplace.models import Department

    sales = Department.objects.create(name="Sales")
    one = scim.post("/Users", new_user("one@example.com", **{ENTERPRISE: {"department": "SALES"}})).json()
    two = scim.post("/Users", new_user("two@example.com", **{ENTERPRISE: {"department": "Legal"}})).json()

    assert User.objects.get(pk=one["id"]).department == sales
    assert str(User.objects.get(pk=two["id"]).department) == "Legal"
    assert Department.objects.count() == 2


# --- Lists ---


def test_lists_page_with_start_index_and_count_in_a_fixed_number_of_queries(scim):
    people = [UserFactory(email=f"p{n:02}@example.com") for n in range(7)]

    def page(query: str) -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as queries:
            response = scim.get(f"/Users?{query}")
        assert response.status_code == 200
        return response.json(), len(queries)

    first, queries_of_two = page("startIndex=1&count=2")
    third, _ = page("startIndex=3&count=2")
    everyone, queries_of_seven = page("")
    beyond, _ = page("startIndex=50&count=10")
    below_one, _ = page("startIndex=0&count=1")
    none, _ = page("count=0")

    assert first["schemas"] == [LIST]
    assert [r["id"] for r in first["Resources"]] == [str(p.pk) for p in people[:2]]
    assert [r["id"] for r in third["Resources"]] == [str(p.pk) for p in people[2:4]]
    assert (third["totalResults"], third["itemsPerPage"], third["startIndex"]) == (7, 2, 3)
    assert len(everyone["Resources"]) == 7
    assert (beyond["totalResults"], beyond["Resources"]) == (7, [])
    assert below_one["startIndex"] == 1
    assert (none["totalResults"], none["itemsPerPage"], none["Resources"]) == (7, 0, [])
    assert queries_of_two == queries_of_seven


@pytest.mark.parametrize("query", ["startIndex=one", "count=1.5"])
def test_paging_values_that_are_no_numbers_are_a_400_naming_them(scim, query):
    error = assert_scim_error(scim.get(f"/Users?{query}"), 400, "invalidValue")
    assert query.split("=")[0] in error["detail"]


# --- Discovery ---


def test_discovery_documents_say_what_sidebar_supports(scim):
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True
    assert config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = scim.get("/ResourceTypes").json()
    assert [resource["id"] for resource in types["Resources"]] == ["User"]
    assert scim.get("/ResourceTypes/User").json()["schema"] == USER_SCHEMA
    assert_scim_error(scim.get("/ResourceTypes/Group"), 404)

    schemas = scim.get("/Schemas").json()
    assert {schema["id"] for schema in schemas["Resources"]} == {USER_SCHEMA, ENTERPRISE}
    user_schema = scim.get(f"/Schemas/{USER_SCHEMA}").json()
    assert "userName" in {attribute["name"] for attribute in user_schema["attributes"]}
    assert_scim_error(scim.get("/Schemas/urn:example:nothing"), 404)
