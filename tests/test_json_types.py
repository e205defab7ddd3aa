"""A JSON body's values must have the JSON type docs/api.md and the OpenAPI schema give (issue 13 items 10
and 18): a number for text, a string or a float for an integer, "yes" or 1 for a boolean is a 400 naming the
field, and nothing is stored. Query strings and form posts, where every value is text, are read as before.

Each case is followed by the same body with the right types, accepted: the 400 is the type's doing.
"""

from datetime import time, timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from marketplace.api_fields import JsonType, StrictJSONInput, expected_json_type
from marketplace.models import AvailabilityBlock, Department, MentorProfile, TimeOff
from matching.models import MentorRequest
from sessions_app.models import Booking, Feedback, Moment
from tests.factories import BookingFactory, DepartmentFactory, SkillFactory
from tests.sessions_app.helpers import BOOKINGS, payload

ME = "/api/v1/me/"


@pytest.fixture
def open_mentor(mentor):
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    return mentor


# --- Text ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "given"), [(0, "an integer"), (1.5, "a number"), (True, "true or false"), (["Ann"], "a list")]
)
def test_a_text_field_takes_only_a_string(api_as, mentee, value, given):
    response = api_as(mentee).patch(ME, {"display_name": value, "headline": "Staff engineer"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"display_name": [f"Expected a string, got {given}."]}
    mentee.refresh_from_db()
    assert (mentee.display_name, mentee.headline) == ("Maya Mentee", "")
    assert api_as(mentee).patch(ME, {"display_name": "0"}, format="json").json()["display_name"] == "0"


def test_a_list_of_text_takes_only_strings_naming_the_item(api_as, mentee):
    SkillFactory(slug="python")
    response = api_as(mentee).patch(ME, {"skills_wanted": ["python", 7]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"skills_wanted": {"1": ["Expected a string, got an integer."]}}
    assert not mentee.skills_wanted.exists()


def test_text_is_measured_as_sent_not_after_trimming_its_whitespace(api_as, mentee, open_mentor):
    """The schema's maxLength counts what is sent; "\x1f" is whitespace to Python, so DRF alone would trim
    it and accept 201 characters as 200 (schemathesis found this on a cancel's reason)."""
    booking = BookingFactory(mentor=open_mentor, mentee=mentee)
    client = api_as(mentee)

    too_long = client.post(BOOKINGS, payload(open_mentor, topic="\x1f" + "t" * 200), format="json")
    reason = client.post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": "\x1f" + "r" * 500}, format="json")

    assert (too_long.status_code, list(too_long.json())) == (400, ["topic"])
    assert (reason.status_code, list(reason.json())) == (400, ["reason"])
    assert not Booking.objects.exclude(pk=booking.pk).exists()
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    fits = client.post(f"{BOOKINGS}{booking.pk}/cancel/", {"reason": " " + "r" * 499}, format="json")
    assert fits.status_code == 200


def test_the_token_endpoint_takes_the_password_only_as_a_string(api, mentee):
    mentee.set_password("12345678")
    mentee.save()
    body = {"email": "mentee@example.com", "password": 12345678}

    response = api.post("/api/v1/auth/token/", body, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"password": ["Expected a string, got an integer."]},
    )
    ok = api.post("/api/v1/auth/token/", {**body, "password": "12345678"}, format="json")
    assert ok.status_code == 200


# --- Integers (and integer choices, ids) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "given"),
    [
        (lambda pk: {"mentor": str(pk)}, "mentor", "a string"),
        (lambda pk: {"mentor": float(pk)}, "mentor", "a number"),
        (lambda pk: {"duration": 20.0}, "duration", "a number"),
        (lambda pk: {"duration": True}, "duration", "true or false"),
        (lambda pk: {"duration": "20"}, "duration", "a string"),
        (lambda pk: {"request": True}, "request", "true or false"),
    ],
)
def test_an_integer_field_takes_only_a_json_integer(api_as, mentee, open_mentor, change, field, given):
    response = api_as(mentee).post(BOOKINGS, payload(open_mentor, **change(open_mentor.pk)), format="json")

    assert response.status_code == 400
    assert response.json() == {field: [f"Expected an integer, got {given}."]}
    assert not Booking.objects.exists()
    assert api_as(mentee).post(BOOKINGS, payload(open_mentor, duration=20), format="json").status_code == 201


@pytest.mark.parametrize("rating", ["5", 5.0, True])
def test_a_rating_is_a_json_integer(api_as, mentee, open_mentor, rating):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    url = f"{BOOKINGS}{booking.pk}/feedback/"

    response = api_as(mentee).post(url, {"rating": rating, "helpful": True}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["rating"]
    assert not Feedback.objects.exists()
    assert api_as(mentee).post(url, {"rating": 5, "helpful": True}, format="json").status_code == 201


@pytest.mark.parametrize("department", ["{pk}", True])
def test_a_department_id_is_a_json_integer(api_as, mentee, department):
    engineering, before = DepartmentFactory(), mentee.department
    value = department.format(pk=engineering.pk) if isinstance(department, str) else department

    response = api_as(mentee).patch(ME, {"department": value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["department"]
    mentee.refresh_from_db()
    assert mentee.department == before
    assert api_as(mentee).patch(ME, {"department": engineering.pk}, format="json").status_code == 200
    assert Department.objects.get(members=mentee) == engineering


def test_a_nested_integer_is_named_where_it_is(api_as, mentor):
    body = {"timezone": "Europe/Berlin", "blocks": [{"weekday": 1, "start": "09:00", "end": "10:00"}]}
    wrong = {**body, "blocks": [*body["blocks"], {"weekday": "2", "start": "09:00", "end": "10:00"}]}

    response = api_as(mentor).put("/api/v1/me/availability/", wrong, format="json")

    assert response.status_code == 400
    assert response.json() == {"blocks": {"1": {"weekday": ["Expected an integer, got a string."]}}}
    assert not AvailabilityBlock.objects.exists()
    assert api_as(mentor).put("/api/v1/me/availability/", body, format="json").status_code == 200


def test_a_skill_level_is_a_json_integer(api_as, mentee):
    SkillFactory(slug="python")

    response = api_as(mentee).patch(ME, {"skills": [{"slug": "python", "level": True}]}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["skills"]
    assert not mentee.skills_offered.exists()


# --- Booleans -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "given"), [("yes", "a string"), (1, "an integer"), ("true", "a string")])
def test_a_boolean_takes_only_true_or_false(api_as, mentee, open_mentor, value, given):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    url = f"{BOOKINGS}{booking.pk}/feedback/"

    response = api_as(mentee).post(url, {"rating": 4, "helpful": value}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"helpful": [f"Expected true or false, got {given}."]},
    )
    assert not Feedback.objects.exists()
    assert api_as(mentee).post(url, {"rating": 4, "helpful": False}, format="json").status_code == 201


def test_a_nested_boolean_is_named_where_it_is(api_as, mentor):
    response = api_as(mentor).patch(ME, {"mentoring": {"accepting": 0}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"mentoring": {"accepting": ["Expected true or false, got an integer."]}}
    assert MentorProfile.objects.get(user=mentor).accepting is True


def test_type_errors_come_with_the_other_fields_errors(api_as, mentee):
    response = api_as(mentee).post(
        "/api/v1/requests/", {"topic": 42, "skills": [], "prefer_same_timezone": "no"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "topic": ["Expected a string, got an integer."],
        "skills": ["Pick at least one skill."],
        "prefer_same_timezone": ["Expected true or false, got a string."],
    }
    assert not MentorRequest.objects.exists()


def test_moments_and_time_off_refuse_wrong_types_too(api_as, mentee, mentor):
    moment = api_as(mentee).post("/api/v1/moments/", {"kind": "advice", "note": 12}, format="json")
    time_off = api_as(mentor).post(
        "/api/v1/me/time-off/",
        {"start": "2100-01-01T00:00:00Z", "end": "2100-01-02T00:00:00Z", "note": 0},
        format="json",
    )

    assert (moment.status_code, list(moment.json())) == (400, ["note"])
    assert (time_off.status_code, list(time_off.json())) == (400, ["note"])
    assert not Moment.objects.exists()
    assert not TimeOff.objects.exists()


# --- Query strings and form posts: text, read as before -----------------------------------------------------


def test_query_parameters_are_still_read_from_text(api_as, mentee, open_mentor):
    engineering = DepartmentFactory()
    client = api_as(mentee)

    slots = client.get(f"/api/v1/mentors/{open_mentor.pk}/slots/?duration=20")
    mentors = client.get(f"/api/v1/mentors/?department={engineering.pk}&page=1")
    bookings = client.get(f"{BOOKINGS}?upcoming=true&role=mentee")

    assert slots.status_code == 200
    assert slots.json()["slots"][0]["end"] > slots.json()["slots"][0]["start"]
    assert (mentors.status_code, bookings.status_code) == (200, 200)
    assert client.get(f"/api/v1/mentors/{open_mentor.pk}/slots/?duration=25").status_code == 400


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_form_post_is_still_read_from_text(api_as, mentee, open_mentor, encoding):
    booking = BookingFactory(mentor=open_mentor, mentee=mentee, start=timezone.now() - timedelta(hours=2))
    url, form = f"{BOOKINGS}{booking.pk}/feedback/", {"rating": "4", "helpful": "true"}
    client = api_as(mentee)

    if encoding == "multipart":
        response = client.post(url, form, format="multipart")
    else:
        response = client.post(url, urlencode(form), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 201, response.json()
    assert Feedback.objects.values_list("rating", "helpful").get() == (4, True)


# --- Every request body is held to its types ----------------------------------------------------------------


def request_serializers() -> dict[str, type[serializers.Serializer]]:
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    found = {}
    for schema in generator.schemas_storage:
        if schema.method in {"POST", "PUT", "PATCH"} and (serializer := schema.get_request_serializer()):
            found[f"{schema.method} {schema.path}"] = serializer
    return found


def untyped_fields(serializer: serializers.Serializer, path: str) -> list[str]:
    """The writable fields, nested ones included, that StrictJSONInput could not hold to a JSON type."""
    problems = []
    if not isinstance(serializer, StrictJSONInput):
        problems.append(f"{path}: {type(serializer).__name__} is not a StrictJSONInput")
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        where = f"{path}.{name}"
        if isinstance(field, serializers.ListSerializer):
            assert isinstance(field.child, serializers.Serializer)
            problems += untyped_fields(field.child, f"{where}[]")
        elif isinstance(field, serializers.Serializer):
            problems += untyped_fields(field, where)
        elif expected_json_type(field) is None:
            problems.append(f"{where}: no JSON type for {type(field).__name__}")
        elif isinstance(field, serializers.ListField) and expected_json_type(field.child) is None:
            problems.append(f"{where}[]: no JSON type for {type(field.child).__name__}")
    return problems


def test_every_request_body_serializer_holds_every_field_to_its_json_type(db):
    bodies = request_serializers()
    assert {"PATCH /api/v1/me/", "POST /api/v1/bookings/", "POST /api/v1/requests/"} <= set(bodies)

    problems = [problem for where, body in bodies.items() for problem in untyped_fields(body(), where)]

    assert problems == []


def test_a_lax_field_would_be_found(db):
    class Lax(serializers.Serializer):
        when: serializers.Field = serializers.Field()
        tags = serializers.ListField(child=serializers.Field())

    class Typed(StrictJSONInput):
        note = serializers.CharField()
        weekday = serializers.IntegerField()

    assert untyped_fields(Lax(), "X") == [
        "X: Lax is not a StrictJSONInput",
        "X.when: no JSON type for Field",
        "X.tags[]: no JSON type for Field",
    ]
    assert untyped_fields(Typed(), "Y") == []
    assert expected_json_type(serializers.ChoiceField(choices=[20, 30])) is JsonType.INTEGER
