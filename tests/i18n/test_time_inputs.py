"""A refused time says why in the reader's language (marketplace.instants is pure: its refusals are worded
by marketplace.validators.instant_message)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone, translation

from marketplace.instants import InstantError, check_day, check_instant, parse_instant
from marketplace.models import User
from marketplace.services import issue_api_token
from marketplace.validators import instant_message


@pytest.mark.parametrize(
    ("code", "value", "french"),
    [
        ("invalid", "soon", "Indiquez une heure au format ISO 8601"),
        ("naive", "2026-03-10T09:00:00", "Indiquez l’heure avec son décalage"),
        ("out_of_range", "2300-01-01T00:00:00Z", "entre les années 2000 et 2199"),
    ],
)
def test_the_api_refuses_a_time_in_the_callers_language(api, mentor, code, value, french):
    User.objects.filter(pk=mentor.pk).update(language="fr")
    token = issue_api_token(user=mentor, now=timezone.now())
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.post(
        "/api/v1/me/time-off/", {"start": value, "end": "2027-01-02T00:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"start"}
    assert french in response.json()["start"][0]


def test_each_refusal_has_its_own_words_in_english_and_german():
    refusals = []
    for attempt in (
        lambda: parse_instant("soon"),
        lambda: parse_instant("2026-03-10T09:00:00"),
        lambda: check_instant(datetime(2300, 1, 1, tzinfo=UTC)),
        lambda: check_day(date(1999, 12, 31)),
    ):
        with pytest.raises(InstantError) as refused:
            attempt()
        refusals.append(refused.value)
    with translation.override("en-gb"):
        english = [instant_message(error) for error in refusals]
    assert english == [error.message for error in refusals]  # the pure module's own words, unchanged
    with translation.override("de"):
        german = [instant_message(error) for error in refusals]
    assert len(set(german)) == 4
    assert not set(german) & set(english)
    assert "Datum" in german[3]
