"""Hostile values against every operation of the API, read from its own OpenAPI schema.

Every write operation under /api/v1/ with a request body, and each of its fields (one level into nested
objects), gets values that broke the API before (NUL, a lone surrogate, JSON nested 5,000 deep, times at
the calendar's ends, wrong types, huge numbers, an empty object): each must be a 4xx (a 400 names the
field or "detail") and leave every stored row as it was. Query parameters of reads get the same, and must
never answer 5xx. A new endpoint is covered by being in the schema; a valid body for it (`world`) makes
its attacks land on one field at a time (without one, the base body is empty, and a test says so).
"""

import json
from collections.abc import Iterator
from datetime import time, timedelta
from functools import cache
from itertools import groupby
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache as django_cache
from django.db.models import Model
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplace.api_parsers import MAX_DEPTH, TOO_DEEP_MESSAGE, SafeJSONRenderer
from marketplace.instants import DAY_OUT_OF_RANGE, NAIVE, OUT_OF_RANGE
from marketplace.models import AvailabilityBlock, TimeOff
from marketplace.text import UNSTORABLE_MESSAGE
from tests.factories import PASSWORD, BookingFactory, GroupSessionFactory, QuestionFactory, SkillFactory
from tests.sessions_app.helpers import slot, z

DEEP = 5000
DEEP_MARK = "__deeply_nested__"
NUL = "a\x00b"
LONE_SURROGATE = "\ud800"
HUGE = 10**30
HUGE_FLOAT = 1e308
BAD_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "2026-03-10T09:00:00",  # no offset
    "2026-03-10",  # a date where a time is expected
]
BAD_DAYS = ["0001-01-01", "9999-12-31"]
# Writes without a body, which no value can reach.
NO_BODY = {("/api/v1/bookings/{id}/no-show/", "post"), ("/api/v1/me/calendar-feed/rotate/", "post")}


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(node: dict) -> dict:
    """A schema node with its $ref (or single allOf) followed."""
    while True:
        if "$ref" in node:
            node = schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
        else:
            return node


def _group_session_paths() -> list[str]:
    return [path for path in schema()["paths"] if path.startswith("/api/v1/group-sessions/{id}/")]


def write_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, operations in schema()["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete") and (path, method) not in NO_BODY
        if "requestBody" in operation
    ]


def read_operations() -> list[tuple[str, str]]:
    return [
        (path, "get")
        for path, operations in schema()["paths"].items()
        if path.startswith("/api/v1/") and "get" in operations
        if any(parameter["in"] == "query" for parameter in operations["get"].get("parameters", ()))
    ]


def body_fields(path: str, method: str) -> dict[str, dict]:
    content = schema()["paths"][path][method]["requestBody"]["content"]
    node = resolve(content["application/json"]["schema"])
    return {
        name: resolve(field)
        for name, field in node.get("properties", {}).items()
        if not field.get("readOnly")
    }


def hostile_values(field: dict) -> Iterator[Any]:
    """The values a field of this schema type must refuse."""
    yield from (NUL, LONE_SURROGATE, DEEP_MARK)
    kind, text_format = field.get("type"), field.get("format")
    if kind == "object" or "properties" in field:
        yield from ([], "x", HUGE, True)
        return
    yield {}
    if kind == "string" and text_format in ("date-time", "date"):
        yield from BAD_INSTANTS if text_format == "date-time" else BAD_DAYS
    if kind == "string" and text_format is None and "enum" not in field:
        yield from ([1], True)  # free text takes numbers as their digits: not hostile
        return
    yield from ("x", HUGE, HUGE_FLOAT, -HUGE)
    if kind != "boolean":
        yield True
    if kind == "array":
        yield from ([1, None, {}], [NUL], [LONE_SURROGATE], [DEEP_MARK])
    else:
        yield []


def encoded(body: Any) -> str:
    """JSON text of `body`, the deep mark replaced by 5,000 nested arrays (no encoder can write those)."""
    return json.dumps(body).replace(json.dumps(DEEP_MARK), "[" * DEEP + "]" * DEEP)


def attacks(path: str, method: str, valid: dict) -> Iterator[tuple[str, str]]:
    """(the top-level field to blame, the JSON text) for each hostile value of each field."""
    for text in (encoded(DEEP_MARK), encoded(LONE_SURROGATE), encoded(NUL), "[]", "123", "null"):
        yield "detail", text
    yield "detail", encoded({NUL: 1, **valid})
    for name, field in body_fields(path, method).items():
        for value in hostile_values(field):
            yield name, encoded({**valid, name: value})
        inner = valid.get(name)
        items = field.get("items", {})
        if isinstance(inner, dict) and "properties" in field:
            for sub, sub_field in field["properties"].items():
                for value in hostile_values(resolve(sub_field)):
                    yield name, encoded({**valid, name: {**inner, sub: value}})
        elif isinstance(inner, list) and inner and "properties" in resolve(items):
            for sub, sub_field in resolve(items)["properties"].items():
                for value in hostile_values(resolve(sub_field)):
                    yield name, encoded({**valid, name: [{**inner[0], sub: value}]})


def snapshot() -> dict:
    """Every stored row of the domain's tables and of tokens."""
    models: list[type[Model]] = [Token]
    for label in ("marketplace", "matching", "sessions_app", "calendars", "groups"):
        models.extend(apps.get_app_config(label).get_models())
    return {model.__name__: list(model._default_manager.order_by("pk").values_list()) for model in models}


@pytest.fixture
def world(mentee, mentor, hr):
    """The personas, a mentor open all week, a future and an ended session, a time off, a skill."""
    AvailabilityBlock.objects.bulk_create(
        AvailabilityBlock(mentor=mentor, weekday=weekday, start=time(0, 0), end=time(23, 50))
        for weekday in range(7)
    )
    upcoming = BookingFactory(mentor=mentor, mentee=mentee, start=slot(days=4))
    ended = BookingFactory(mentor=mentor, mentee=mentee, start=timezone.now() - timedelta(days=2))
    now = timezone.now()
    time_off = TimeOff.objects.create(
        mentor=mentor, start=now + timedelta(days=20), end=now + timedelta(days=21)
    )
    skill = SkillFactory(slug="public-speaking")
    hosted = GroupSessionFactory(host=mentor, start=slot(days=6))
    question = QuestionFactory(session=hosted, author=mentor)
    ids = {
        "/api/v1/bookings/{id}/feedback/": ended.pk,
        "/api/v1/bookings/{id}/follow-up/": ended.pk,
        "/api/v1/me/time-off/{id}/": time_off.pk,
        "/api/v1/mentors/{id}/": mentor.pk,
        "/api/v1/mentors/{id}/slots/": mentor.pk,
        "/api/v1/mentors/{id}/waitlist/": mentor.pk,
    } | dict.fromkeys(_group_session_paths(), hosted.pk)
    bodies = {
        ("/api/v1/auth/token/", "post"): {"email": mentee.email, "password": PASSWORD},
        ("/api/v1/bookings/", "post"): {
            "mentor": mentor.pk,
            "start": z(slot(days=2)),
            "duration": 30,
            "topic": "Board deck",
        },
        ("/api/v1/bookings/{id}/cancel/", "post"): {"reason": "Ill"},
        ("/api/v1/bookings/{id}/reschedule/", "post"): {"start": z(slot(days=3))},
        ("/api/v1/bookings/{id}/feedback/", "post"): {"rating": 5, "helpful": True},
        ("/api/v1/bookings/{id}/follow-up/", "post"): {"outcome": "yes"},
        ("/api/v1/me/", "patch"): {},
        ("/api/v1/me/availability/", "put"): {
            "timezone": "Europe/Berlin",
            "blocks": [{"weekday": 0, "start": "09:00", "end": "10:00"}],
        },
        ("/api/v1/me/busy-calendars/", "post"): {
            "url": "https://calendar.example.com/private-1a2b/basic.ics"
        },
        ("/api/v1/me/time-off/", "post"): {"start": z(slot(days=30)), "end": z(slot(days=31)), "note": ""},
        ("/api/v1/moments/", "post"): {"kind": "tip", "note": "A tip about slides"},
        ("/api/v1/mentors/{id}/waitlist/", "post"): {"before": z(slot(days=3)), "duration": 30},
        ("/api/v1/requests/", "post"): {"topic": "Board deck", "skills": [skill.slug]},
        ("/api/v1/group-sessions/", "post"): {
            "title": "Office hours",
            "skills": [skill.slug],
            "start": z(slot(days=5)),
            "duration": 30,
            "capacity": 10,
        },
        ("/api/v1/group-sessions/{id}/", "patch"): {"title": "Office hours, moved"},
        ("/api/v1/group-sessions/{id}/cancel/", "post"): {"scope": "this"},
        ("/api/v1/group-sessions/{id}/questions/", "post"): {"text": "How long should a deck be?"},
        ("/api/v1/group-sessions/{id}/questions/{qid}/answered/", "post"): {"answered": True},
        # The host may not give feedback (403), but a bad value is refused, naming it, before that is asked.
        ("/api/v1/group-sessions/{id}/feedback/", "post"): {"rating": 5, "helpful": True},
    }

    def url(path: str) -> str:
        return path.replace("{id}", str(ids.get(path, upcoming.pk))).replace("{qid}", str(question.pk))

    def caller(path: str) -> APIClient:
        client = APIClient(raise_request_exception=False)
        # The host of a group session can reach every one of its writes.
        client.force_authenticate(
            hr if "/insights/" in path else mentor if "/group-sessions/" in path else mentee
        )
        return client

    return {"url": url, "caller": caller, "bodies": bodies}


def test_the_schema_lists_the_writes_these_tests_know_how_to_aim_at(world):
    known = set(world["bodies"])

    assert set(write_operations()) == known, "give each new write a valid body in world()'s bodies"


@pytest.mark.parametrize(("path", "method"), write_operations())
def test_hostile_values_in_a_body_are_a_4xx_naming_the_field_and_store_nothing(world, path, method):
    url, client = world["url"](path), world["caller"](path)
    valid = world["bodies"].get((path, method), {})
    before = snapshot()
    failures = []
    for blamed, texts in groupby(attacks(path, method, valid), key=lambda attack: attack[0]):
        for _, text in texts:
            django_cache.clear()  # the token endpoint's throttle would answer 429 before validating
            response = getattr(client, method)(url, data=text, content_type="application/json")
            problem = _problem(response, blamed)
            if problem:
                failures.append(f"{blamed}={text[:80]!r}: {response.status_code} {problem}")
        # Once per field, not per value, to stay fast; a change names the field whose values made it.
        if snapshot() != before:
            failures.append(f"a hostile value of {blamed!r} stored something")
            break
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("path", "method"), read_operations())
def test_hostile_query_parameters_never_answer_5xx(world, path, method):
    url, client = world["url"](path), world["caller"](path)
    names = [p["name"] for p in schema()["paths"][path]["get"]["parameters"] if p["in"] == "query"]
    values = ["a\x00b", "%ED%A0%80", *BAD_INSTANTS, *BAD_DAYS, "x", str(HUGE), "9" * 5000, "", "[]"]
    failures = []
    for name in names:
        for value in values:
            response = client.get(url, {name: value})
            if response.status_code >= 500 or (response.status_code == 400 and _problem(response, name)):
                failures.append(f"{name}={value[:40]!r}: {response.status_code} {response.content[:200]!r}")
    assert not failures, "\n".join(failures)


def _problem(response, blamed: str) -> str | None:
    if not 400 <= response.status_code < 500:
        return f"not a 4xx: {response.content[:200]!r}"
    if response.status_code != 400:
        return None
    body = json.loads(response.content)
    if not isinstance(body, dict) or not ({blamed, "detail"} & set(body)):
        return f"does not name {blamed!r}: {body!r}"
    return None


# --- the cases the review found, one by one ---------------------------------------------------------------


def send(client, method: str, url: str, text: str):
    """Raw JSON text: the test client's own encoder cannot write a lone surrogate or 5,000 levels."""
    return getattr(client, method)(url, data=text, content_type="application/json")


@pytest.mark.parametrize(
    ("skills", "blamed"),
    [([1, None, {}], {"0", "1", "2"}), (["speaking\x00"], {"0"}), ([{"slug": 7}], {"0"})],
)
def test_skills_that_are_not_slugs_are_a_400_on_skills(api_as, mentee, skills, blamed):
    response = send(api_as(mentee), "patch", "/api/v1/me/", json.dumps({"headline": "New", "skills": skills}))

    assert response.status_code == 400
    assert set(response.json()) == {"skills"}
    assert set(response.json()["skills"]) == blamed
    mentee.refresh_from_db()
    assert mentee.headline == ""


def test_a_lone_surrogate_in_a_choice_is_a_400_that_does_not_echo_it(api_as, mentee):
    response = send(api_as(mentee), "patch", "/api/v1/me/", '{"job_level": "\\ud800", "headline": "New"}')

    assert response.status_code == 400
    assert response.json() == {"job_level": [UNSTORABLE_MESSAGE]}
    mentee.refresh_from_db()
    assert mentee.headline == ""


def test_json_nested_5000_deep_is_a_400_detail(api_as, mentee):
    response = send(api_as(mentee), "patch", "/api/v1/me/", '{"bio": ' + "[" * DEEP + "]" * DEEP + "}")

    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP_MESSAGE}


def test_json_nested_just_past_the_limit_is_refused_and_at_it_is_read(api_as, mentee):
    client = api_as(mentee)
    # The body is level 1: 64 arrays inside it are one level too many, 63 reach the field's validation.
    past = send(client, "patch", "/api/v1/me/", '{"skills": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}")
    at = send(
        client, "patch", "/api/v1/me/", '{"skills": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    )

    assert past.json() == {"detail": TOO_DEEP_MESSAGE}
    assert at.status_code == 400
    assert "skills" in at.json()


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00Z", "9999-12-20T00:00:00Z", "9999-12-31T23:00:00-12:00"]
)
def test_slots_at_the_calendars_ends_are_a_400_on_start(api_as, mentee, mentor, start):
    response = api_as(mentee).get(f"/api/v1/mentors/{mentor.pk}/slots/", {"start": start})

    assert response.status_code == 400
    assert response.json() == {"start": [OUT_OF_RANGE]}


@pytest.mark.parametrize("before", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"])
def test_available_before_at_the_calendars_ends_is_a_400(api_as, mentee, mentor, before):
    response = api_as(mentee).get("/api/v1/mentors/", {"available_before": before})

    assert response.status_code == 400
    assert response.json() == {"available_before": [OUT_OF_RANGE]}


@pytest.mark.parametrize("naive", ["2026-12-10T09:00:00", "2026-12-10"])
def test_every_time_input_refuses_a_time_without_an_offset(api_as, mentee, mentor, naive):
    client = api_as(mentor)
    time_off = client.post(
        "/api/v1/me/time-off/", {"start": naive, "end": "2026-12-11T09:00:00Z"}, format="json"
    )
    slots = client.get(f"/api/v1/mentors/{mentor.pk}/slots/", {"start": naive, "end": naive})
    browse = client.get("/api/v1/mentors/", {"available_before": naive})

    assert time_off.status_code == slots.status_code == browse.status_code == 400
    assert time_off.json() == {"start": [NAIVE]}
    assert slots.json() == {"start": [NAIVE], "end": [NAIVE]}
    assert browse.json() == {"available_before": [NAIVE]}
    assert not TimeOff.objects.exists()


def test_time_off_far_in_the_future_is_refused_not_stored(api_as, mentor):
    response = api_as(mentor).post(
        "/api/v1/me/time-off/",
        {"start": "9999-12-31T00:00:00Z", "end": "9999-12-31T23:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"start", "end"}
    assert not TimeOff.objects.exists()


def test_time_off_read_with_the_browser_session_is_in_utc(client, mentor):
    mentor.timezone = "Asia/Tokyo"
    mentor.save()
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    TimeOff.objects.create(mentor=mentor, start=start, end=start + timedelta(days=1))
    client.force_login(mentor)

    listed = client.get("/api/v1/me/time-off/").json()

    assert listed[0]["start"] == z(start)


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(api_as, client, mentee):
    client.force_login(mentee)

    api = api_as(mentee).get("/api/v1/bookings/", {"role": "mentee\x00"})
    page = client.get("/mentors/", {"q": "a\x00b"})

    assert api.status_code == 400
    assert api.json() == {"role": [UNSTORABLE_MESSAGE]}
    assert page.status_code == 400
    assert b"q: Text cannot contain NUL" in page.content


# --- pages ---------------------------------------------------------------------------------------------


def test_a_row_count_that_is_not_a_number_is_a_form_error_and_keeps_the_week(client, mentor):
    AvailabilityBlock.objects.create(mentor=mentor, weekday=0, start=time(9), end=time(10))
    client.force_login(mentor)

    response = client.post(
        "/me/availability/",
        {"timezone": "UTC", "day-0-count": "x", "day-0-0-start": "11:00", "day-0-0-end": "12:00"},
    )

    assert response.status_code == 400
    assert b"rows could not be read" in response.content
    assert list(AvailabilityBlock.objects.values_list("start", flat=True)) == [time(9)]


@pytest.mark.parametrize("action", ["add-x", "remove-1", "remove-x-y", "add-"])
def test_editor_buttons_with_unreadable_values_change_nothing(client, mentor, action):
    client.force_login(mentor)

    response = client.post("/me/availability/", {"timezone": "UTC", "day-0-count": "0", "action": action})

    assert response.status_code == 200
    assert not AvailabilityBlock.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_time_off_on_the_page_at_the_calendars_ends_is_a_form_error(client, mentor, day):
    client.force_login(mentor)

    response = client.post("/me/availability/time-off/", {"start_date": day, "end_date": day})

    assert response.status_code == 400
    assert DAY_OUT_OF_RANGE.encode() in response.content
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("before", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_browse_free_before_at_the_calendars_ends_shows_a_message(client, mentee, before):
    client.force_login(mentee)

    response = client.get("/mentors/", {"available_before": before})

    assert response.status_code == 200
    assert OUT_OF_RANGE.encode() in response.content


def test_a_form_encoded_body_with_a_nul_is_a_400_naming_the_field(api_as, mentee):
    response = api_as(mentee).patch(
        "/api/v1/me/", data="headline=a%00b", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json() == {"headline": [UNSTORABLE_MESSAGE]}


def test_an_answer_holding_a_lone_surrogate_is_still_valid_json():
    rendered = SafeJSONRenderer().render({"kind": ["\ud800 is not a valid choice."]})

    assert json.loads(rendered) == {"kind": ["\ud800 is not a valid choice."]}
