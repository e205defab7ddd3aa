"""SCIM PATCH and filters as pure functions: a resource (plain dict) in, the patched one out."""

import pytest

from provisioning.scim.errors import ScimError
from provisioning.scim.filters import EMAIL, EXTERNAL_ID, USER_NAME, Filter, parse_filter
from provisioning.scim.patch import Path, apply_patch, parse_path

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
RESOURCE = {
    "userName": "ana@example.com",
    "name": {"givenName": "Ana", "familyName": "Lima"},
    "active": True,
    "emails": [{"value": "ana@example.com", "type": "work", "primary": True}],
    ENTERPRISE: {"department": "Sales", "manager": {"value": "7"}},
}


def test_attribute_names_and_ops_are_case_insensitive_and_the_input_is_left_alone():
    patched = apply_patch(RESOURCE, [{"OP": "Replace", "Path": "ACTIVE", "Value": False}])

    assert patched["active"] is False
    assert "ACTIVE" not in patched
    assert RESOURCE["active"] is True


def test_a_complex_attribute_is_merged_and_a_sub_attribute_set():
    patched = apply_patch(
        RESOURCE,
        [
            {"op": "replace", "path": "name", "value": {"familyName": "Lima-Reis"}},
            {"op": "add", "path": "name.formatted", "value": "Ana Lima-Reis"},
        ],
    )

    assert patched["name"] == {"givenName": "Ana", "familyName": "Lima-Reis", "formatted": "Ana Lima-Reis"}


def test_a_value_filter_sets_the_matching_item_or_adds_one():
    patched = apply_patch(
        RESOURCE,
        [
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "ana.lima@example.com"},
            {"op": "add", "path": 'emails[type eq "home"].value', "value": "ana@home.example"},
        ],
    )

    assert patched["emails"] == [
        {"value": "ana.lima@example.com", "type": "work", "primary": True},
        {"type": "home", "value": "ana@home.example"},
    ]
    removed = apply_patch(patched, [{"op": "remove", "path": 'emails[type eq "home"]'}])
    assert [item["type"] for item in removed["emails"]] == ["work"]


def test_without_a_path_the_value_holds_attribute_paths_and_extension_urns():
    patched = apply_patch(
        RESOURCE,
        [
            {
                "op": "add",
                "value": {
                    "displayName": "Ana L.",
                    "name.givenName": "Anna",
                    f"{ENTERPRISE}:department": "Legal",
                    ENTERPRISE: {"costCenter": "4130"},
                },
            }
        ],
    )

    assert patched["displayName"] == "Ana L."
    assert patched["name"]["givenName"] == "Anna"
    assert patched[ENTERPRISE] == {"department": "Legal", "manager": {"value": "7"}, "costCenter": "4130"}


def test_remove_takes_attributes_sub_attributes_and_the_extension():
    patched = apply_patch(
        RESOURCE,
        [
            {"op": "remove", "path": f"{ENTERPRISE}:manager"},
            {"op": "remove", "path": "name.familyName"},
            {"op": "remove", "path": "nickName"},
        ],
    )

    assert patched[ENTERPRISE] == {"department": "Sales"}
    assert patched["name"] == {"givenName": "Ana"}
    assert apply_patch(RESOURCE, [{"op": "remove", "path": ENTERPRISE}])[ENTERPRISE] == {}


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("title", Path(None, "title")),
        ("name.givenName", Path(None, "name", None, "givenName")),
        ('emails[type eq "work"].value', Path(None, "emails", ("type", "work"), "value")),
        ("urn:ietf:params:scim:schemas:core:2.0:User:userName", Path(None, "userName")),
        (f"{ENTERPRISE}:manager.value", Path(ENTERPRISE, "manager", None, "value")),
        (ENTERPRISE.upper(), Path(ENTERPRISE, None)),
    ],
)
def test_paths_are_parsed(text, path):
    assert parse_path(text) == path


@pytest.mark.parametrize("text", ["", "name..given", "emails[type]", 'emails[type eq "x"', "urn:x:y:z"])
def test_a_path_that_is_none_is_an_invalid_path(text):
    with pytest.raises(ScimError) as error:
        parse_path(text)
    assert (error.value.status, error.value.scim_type) == (400, "invalidPath")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('userName eq "Ana@Example.com"', Filter(USER_NAME, "Ana@Example.com")),
        ('  USERNAME  EQ  "a b"  ', Filter(USER_NAME, "a b")),
        ('externalId eq "00u1"', Filter(EXTERNAL_ID, "00u1")),
        ('userName eq "quote \\" inside"', Filter(USER_NAME, 'quote " inside')),
        ('emails[type eq "work"].value eq "a@example.com"', Filter(EMAIL, "a@example.com")),
    ],
)
def test_filters_sidebar_answers(text, found):
    assert parse_filter(text) == found
