"""Okta's SCIM 2.0 test sequence (its "SCIM 2.0 Test Spec" for app integrations), request by request as Okta
sends them, then the profile update (PUT) and deactivation (PATCH without a path) of Okta's provisioning."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from marketplace.models import User
from sessions_app.models import Booking
from sessions_app.sweep import deliver_due_messages
from tests.factories import BookingFactory, MentorFactory, UserFactory
from tests.provisioning.scim_client import LIST, USER_SCHEMA, assert_scim_error, patch_op

pytestmark = pytest.mark.django_db


def okta_user(user_name: str) -> dict:
    """The body Okta sends to create a person (its test spec's "realistic values")."""
    return {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "name": {"givenName": "Ines", "familyName": "Okafor"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Ines Okafor",
        "locale": "en-US",
        "externalId": "00u1ab2cd3EF4gh5i6j7",
        "groups": [],
        "password": "1mPossible!",
        "active": True,
    }


def test_okta_test_spec_sequence_from_listing_to_deactivation(scim):
    already_there = UserFactory(email="first@example.com", display_name="First Person")

    # Test Users endpoint: the first page of one.
    listed = scim.get("/Users?count=1&startIndex=1")
    assert listed.status_code == 200
    assert listed["Content-Type"] == "application/scim+json"
    body = listed.json()
    assert body["schemas"] == [LIST]
    assert (body["totalResults"], body["itemsPerPage"], body["startIndex"]) == (1, 1, 1)
    first = body["Resources"][0]
    assert (first["id"], first["userName"]) == (str(already_there.pk), "first@example.com")

    # Get Users/{id}
    assert scim.get(f"/Users/{first['id']}").json()["userName"] == "first@example.com"

    # Test invalid User by username, then by id (a random UUID, as Okta sends)
    unknown = scim.get('/Users?filter=userName eq "not-there-' + uuid.uuid4().hex + '@example.com"')
    assert (unknown.status_code, unknown.json()["totalResults"], unknown.json()["Resources"]) == (200, 0, [])
    assert_scim_error(scim.get(f"/Users/{uuid.uuid4()}"), 404)

    # Make sure the random user does not exist, create it, and read it back
    user_name = f"ines.okafor.{uuid.uuid4().hex[:8]}@example.com"
    assert scim.get(f'/Users?filter=userName eq "{user_name}"').json()["totalResults"] == 0
    created = scim.post("/Users", okta_user(user_name))
    assert created.status_code == 201, created.content
    resource = created.json()
    assert resource["active"] is True
    assert resource["userName"] == user_name
    assert resource["name"] == {"givenName": "Ines", "familyName": "Okafor", "formatted": "Ines Okafor"}
    assert resource["externalId"] == "00u1ab2cd3EF4gh5i6j7"
    assert created["Location"] == f"https://sidebar.example.com/scim/v2/Users/{resource['id']}"
    assert resource["meta"]["location"] == created["Location"]
    fetched = scim.get(f"/Users/{resource['id']}").json()
    assert fetched == resource

    # Expect failure when recreating the user with the same values
    assert_scim_error(scim.post("/Users", okta_user(user_name)), 409, "uniqueness")
    assert User.objects.filter(email=user_name).count() == 1

    # Username case sensitivity check: userName is not case-exact
    shouted = scim.get(f'/Users?filter=userName eq "{user_name.upper()}"').json()
    assert shouted["totalResults"] == 1
    assert shouted["Resources"][0]["id"] == resource["id"]

    # Okta's profile push: PUT of the whole person
    update = okta_user(user_name) | {"name": {"givenName": "Inès", "familyName": "Okafor-Lee"}}
    update.pop("displayName")
    replaced = scim.put(f"/Users/{resource['id']}", update)
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["displayName"] == "Inès Okafor-Lee"

    # Deactivation: PATCH with no path, the value an object
    deactivated = scim.patch(
        f"/Users/{resource['id']}", patch_op({"op": "replace", "value": {"active": False}})
    )
    assert deactivated.status_code == 200, deactivated.content
    assert deactivated.json()["active"] is False
    assert scim.get(f"/Users/{resource['id']}").json()["active"] is False
    person = User.objects.get(pk=resource["id"])
    assert (person.is_active, person.display_name) == (False, "Inès Okafor-Lee")


def test_okta_deactivation_cancels_the_persons_upcoming_sessions_with_notice_to_the_other(scim):
    created = scim.post("/Users", okta_user("leaving@example.com")).json()
    leaving = User.objects.get(pk=created["id"])
    leaving.is_mentor = True
    leaving.save()
    mentee = UserFactory(email="asker@example.com", display_name="Asha Asker")
    mentor = MentorFactory(email="guide@example.com", display_name="Gus Guide")
    start = timezone.now() + timedelta(days=2)
    as_mentor = BookingFactory(mentor=leaving, mentee=mentee, start=start)
    as_mentee = BookingFactory(mentor=mentor, mentee=leaving, start=start + timedelta(hours=2))
    held = BookingFactory(
        mentor=leaving, mentee=mentee, start=start - timedelta(days=7), status=Booking.Status.COMPLETED
    )

    response = scim.patch(f"/Users/{created['id']}", patch_op({"op": "replace", "value": {"active": False}}))

    assert response.status_code == 200
    for booking in (as_mentor, as_mentee):
        booking.refresh_from_db()
        assert (booking.status, booking.cancelled_by_id) == (Booking.Status.CANCELLED, leaving.pk)
    held.refresh_from_db()
    assert held.status == Booking.Status.COMPLETED
    deliver_due_messages()
    cancellations = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert [to for to, _ in cancellations] == ["asker@example.com", "guide@example.com"]
    assert all(subject.startswith("Cancelled:") for _, subject in cancellations)
    assert "Ines Okafor's account has been deactivated." in mail.outbox[0].body
