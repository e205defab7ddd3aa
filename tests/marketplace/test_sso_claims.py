"""The mapping from an identity provider's claims or attributes to a person (marketplace.sso_claims, pure) and
its application to a stored person (marketplace.sso.apply_identity)."""

import pytest

from marketplace.models import DISPLAY_NAME_MAX_LENGTH, JOB_TITLE_MAX_LENGTH, Department
from marketplace.sso import apply_identity
from marketplace.sso_claims import Identity, from_oidc, from_saml
from tests.factories import UserFactory


def test_oidc_standard_claims_and_the_usual_custom_ones():
    assert from_oidc(
        {
            "email": "ada@example.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "given_name": "Augusta",
            "department": "Research",
            "job_title": "Engineer",
            "title": "not this one",
            "zoneinfo": "Europe/London",
        }
    ) == Identity(
        email="ada@example.com",
        email_verified=True,
        display_name="Ada Lovelace",
        department="Research",
        job_title="Engineer",
        timezone="Europe/London",
    )


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"given_name": "Lin", "family_name": "Wu"}, ("Lin Wu", None)),
        ({"family_name": "Wu", "title": "SRE"}, ("Wu", "SRE")),
        ({"jobTitle": "Analyst"}, (None, "Analyst")),
        ({"name": "  ", "given_name": "Lin"}, ("Lin", None)),
    ],
)
def test_oidc_name_and_title_fall_back_in_order(claims, expected):
    identity = from_oidc({"email": "lin@example.com", **claims})
    assert (identity.display_name, identity.job_title) == expected


@pytest.mark.parametrize(
    ("value", "verified"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        (False, False),
        ("false", False),
        (None, False),
        (1, False),
    ],
)
def test_oidc_email_counts_as_verified_only_when_the_provider_says_so(value, verified):
    assert from_oidc({"email": "a@example.com", "email_verified": value}).email_verified is verified


def test_oidc_values_are_one_line_and_an_unknown_zone_is_ignored():
    identity = from_oidc(
        {"name": "Ada\nLovelace\x00", "department": 42, "job_title": True, "zoneinfo": "Mars/Olympus_Mons"}
    )
    assert (identity.display_name, identity.department, identity.job_title, identity.timezone) == (
        "Ada Lovelace",
        "42",
        None,
        None,
    )


def test_saml_takes_the_first_value_of_the_first_attribute_sent():
    identity = from_saml(
        {
            "displayName": ["Grace Hopper", "G. Hopper"],
            "urn:oid:2.5.4.42": ["Grace"],
            "department": ["Compilers"],
            "urn:oid:2.5.4.12": ["Rear Admiral"],
            "title": ["not this one"],
        },
        email="grace@example.com",
    )
    assert identity == Identity(
        email="grace@example.com",
        email_verified=True,
        display_name="Grace Hopper",
        department="Compilers",
        job_title="Rear Admiral",
    )


@pytest.mark.parametrize(
    ("said", "verified"), [(None, True), (["true"], True), (["false"], False), ([""], False)]
)
def test_saml_addresses_count_as_verified_unless_an_attribute_says_otherwise(said, verified):
    attributes = {"email_verified": said} if said is not None else {}
    assert from_saml(attributes, email="a@example.com").email_verified is verified


def test_applying_an_identity_changes_only_what_the_provider_sends_and_saves_only_changes(
    db, django_assert_num_queries
):
    person = UserFactory(display_name="Ada", job_title="Engineer", timezone="Asia/Tokyo")
    department = person.department

    with django_assert_num_queries(0):
        assert apply_identity(person, Identity(email=person.email, email_verified=True), new=False) == []

    changed = apply_identity(
        person,
        Identity(email=person.email, email_verified=True, job_title="Lead Engineer", timezone="UTC"),
        new=False,
    )

    person.refresh_from_db()
    assert changed == ["job_title"]
    assert (person.display_name, person.job_title, person.department, person.timezone) == (
        "Ada",
        "Lead Engineer",
        department,
        "Asia/Tokyo",
    )


def test_overlong_values_are_cut_to_what_a_person_holds(db):
    person = UserFactory()

    apply_identity(
        person,
        Identity(
            email=person.email,
            email_verified=True,
            display_name="N" * 500,
            job_title="T" * 500,
            department="D" * 500,
        ),
        new=False,
    )

    person.refresh_from_db()
    assert len(person.display_name) == DISPLAY_NAME_MAX_LENGTH
    assert len(person.job_title) == JOB_TITLE_MAX_LENGTH
    assert person.department == Department.objects.get(name="D" * 100)
