"""Microsoft Entra ID's provisioning as its SCIM validator runs it: a filter on someone who does not exist,
the create with the enterprise extension, filters by userName and externalId, a PATCH of many operations in
Entra's spelling ("Replace", "Add", paths with filters and extension URNs), "False" as a string, the manager
removed, a duplicate refused, then the hard DELETE."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import Department, User
from provisioning.models import ProvisionedPerson
from sessions_app.models import Booking, OutboundMessage
from tests.factories import BookingFactory, MentorFactory
from tests.provisioning.scim_client import ENTERPRISE, USER_SCHEMA, assert_scim_error, patch_op

pytestmark = pytest.mark.django_db


def entra_user(user_name: str, external_id: str) -> dict:
    """The body Entra ID sends to create a person, with its default attribute mappings."""
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": True,
        "addresses": [{"primary": True, "type": "work", "streetAddress": "1 Main St", "country": "DE"}],
        "displayName": "Dana Dietrich",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Dana Dietrich", "familyName": "Dietrich", "givenName": "Dana"},
        "phoneNumbers": [{"primary": True, "type": "work", "value": "+49 30 1234567"}],
        "preferredLanguage": "de-DE",
        "title": "Data engineer",
        ENTERPRISE: {"employeeNumber": "701984", "department": "Data Platform", "manager": {"value": ""}},
    }


def test_entra_validator_sequence(scim):
    manager = MentorFactory(email="boss@example.com", display_name="Bea Boss")
    user_name = "dana.dietrich@example.com"
    external_id = "4b3f9a2e-0c1d-4e5f-9a8b-7c6d5e4f3a2b"

    # Filter for a user who does not exist yet (Entra's first step before every create)
    missing = scim.get('/Users?filter=userName+eq+"dana.dietrich%40example.com"')
    assert missing.status_code == 200
    assert (missing.json()["totalResults"], missing.json()["Resources"]) == (0, [])

    created = scim.post("/Users", entra_user(user_name, external_id))
    assert created.status_code == 201, created.content
    resource = created.json()
    user_id = resource["id"]
    assert resource[ENTERPRISE] == {"department": "Data Platform"}
    assert (resource["title"], resource["displayName"], resource["externalId"]) == (
        "Data engineer",
        "Dana Dietrich",
        external_id,
    )
    person = User.objects.get(pk=user_id)
    assert (person.email, person.display_name, person.job_title, str(person.department)) == (
        user_name,
        "Dana Dietrich",
        "Data engineer",
        "Data Platform",
    )

    assert scim.get(f"/Users/{user_id}").json()["userName"] == user_name
    by_user_name = scim.get(f'/Users?filter=userName eq "{user_name}"').json()
    assert [found["id"] for found in by_user_name["Resources"]] == [user_id]
    by_external_id = scim.get(f'/Users?filter=externalId eq "{external_id}"').json()
    assert [found["id"] for found in by_external_id["Resources"]] == [user_id]

    # A duplicate create
    assert_scim_error(scim.post("/Users", entra_user(user_name, external_id)), 409, "uniqueness")

    # Update many attributes at once, as Entra does
    new_name = "dana.dietrich-lange@example.com"
    updated = scim.patch(
        f"/Users/{user_id}",
        patch_op(
            {"op": "Replace", "path": "userName", "value": new_name},
            {"op": "Add", "path": "displayName", "value": "Dana Dietrich-Lange"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": new_name},
            {"op": "Replace", "path": "name.givenName", "value": "Dana"},
            {"op": "Replace", "path": "name.familyName", "value": "Dietrich-Lange"},
            {"op": "Add", "path": "title", "value": "Staff data engineer"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Analytics"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(manager.pk)},
            {"op": "Replace", "path": 'addresses[type eq "work"].locality', "value": "Berlin"},
            {"op": "Replace", "path": "preferredLanguage", "value": "de-AT"},
        ),
    )
    assert updated.status_code == 200, updated.content
    body = updated.json()
    assert (body["userName"], body["displayName"], body["title"]) == (
        new_name,
        "Dana Dietrich-Lange",
        "Staff data engineer",
    )
    assert body["name"]["familyName"] == "Dietrich-Lange"
    assert body[ENTERPRISE]["department"] == "Analytics"
    assert body[ENTERPRISE]["manager"]["value"] == str(manager.pk)
    person.refresh_from_db()
    assert (person.email, str(person.department)) == (new_name, "Analytics")
    assert ProvisionedPerson.objects.get(user=person).manager == manager
    assert Department.objects.filter(name="Data Platform").exists()  # kept: others may belong to it

    # The old address finds nobody, the new one the person
    assert scim.get(f'/Users?filter=userName eq "{user_name}"').json()["totalResults"] == 0
    assert scim.get(f'/Users?filter=userName eq "{new_name}"').json()["totalResults"] == 1

    # Remove the manager
    removed = scim.patch(f"/Users/{user_id}", patch_op({"op": "Remove", "path": f"{ENTERPRISE}:manager"}))
    assert removed.status_code == 200
    assert "manager" not in removed.json()[ENTERPRISE]
    assert ProvisionedPerson.objects.get(user=person).manager is None

    # Disable: Entra writes the boolean as a string
    disabled = scim.patch(
        f"/Users/{user_id}", patch_op({"op": "Replace", "path": "active", "value": "False"})
    )
    assert disabled.status_code == 200, disabled.content
    assert disabled.json()["active"] is False
    filtered = scim.get(f'/Users?filter=userName eq "{new_name}"').json()["Resources"][0]
    assert filtered["active"] is False
    assert User.objects.get(pk=user_id).is_active is False

    # Enabled again with "True"
    enabled = scim.patch(f"/Users/{user_id}", patch_op({"op": "Replace", "path": "active", "value": "True"}))
    assert enabled.json()["active"] is True
    assert User.objects.get(pk=user_id).is_active is True

    # Hard delete: 204, then 404 for everything about them, their history kept
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert_scim_error(scim.get(f"/Users/{user_id}"), 404)
    assert_scim_error(
        scim.patch(f"/Users/{user_id}", patch_op({"op": "Replace", "path": "active", "value": "True"})), 404
    )
    assert scim.get(f'/Users?filter=userName eq "{new_name}"').json()["totalResults"] == 0
    assert User.objects.get(pk=user_id).is_active is False


def test_entra_disabling_a_mentor_cancels_their_sessions_and_a_new_create_brings_them_back(scim):
    created = scim.post("/Users", entra_user("dana@example.com", "ext-1")).json()
    person = User.objects.get(pk=created["id"])
    mentee = MentorFactory(email="other@example.com")
    upcoming = BookingFactory(mentor=person, mentee=mentee, start=timezone.now() + timedelta(days=1))

    scim.patch(f"/Users/{person.pk}", patch_op({"op": "Replace", "path": "active", "value": "False"}))
    assert scim.delete(f"/Users/{person.pk}").status_code == 204

    upcoming.refresh_from_db()
    assert upcoming.status == Booking.Status.CANCELLED
    notices = OutboundMessage.objects.filter(booking=upcoming, kind=OutboundMessage.Kind.CANCELLATION)
    assert list(notices.values_list("recipient__email", flat=True)) == ["other@example.com"]

    # Assigned to the app again: Entra creates them anew; Sidebar finds the same person, history and all
    again = scim.post("/Users", entra_user("Dana@Example.com", "ext-1"))
    assert again.status_code == 201, again.content
    assert again.json()["id"] == str(person.pk)
    assert again.json()["active"] is True
    assert Booking.objects.get(pk=upcoming.pk).status == Booking.Status.CANCELLED  # not restored
