import pytest
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def person(db):
    return UserFactory(email="someone@example.com")


def test_token_is_issued_for_right_credentials_and_authenticates_requests(api, person):
    response = api.post(TOKEN_URL, {"email": "someone@example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=person).key == token
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["email"] == "someone@example.com"


def test_token_login_ignores_email_case(api, person):
    response = api.post(TOKEN_URL, {"email": "SomeOne@Example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=person).key


def test_same_token_is_returned_on_a_second_login(api, person):
    first = api.post(TOKEN_URL, {"email": person.email, "password": PASSWORD}, format="json").json()["token"]
    second = api.post(TOKEN_URL, {"email": person.email, "password": PASSWORD}, format="json").json()["token"]
    assert first == second
    assert list(Token.objects.values_list("key", flat=True)) == [first]


def test_wrong_password_is_a_400_without_a_token(api, person):
    response = api.post(TOKEN_URL, {"email": person.email, "password": "nope"}, format="json")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["detail"]
    assert not Token.objects.exists()


def test_inactive_person_gets_no_token(api, person):
    person.is_active = False
    person.save()
    response = api.post(TOKEN_URL, {"email": person.email, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "x"}, "email"),
        ({"email": "someone@example.com"}, "password"),
        ({"email": "not-an-email", "password": "x"}, "email"),
        ({"email": ["a@example.com"], "password": "x"}, "email"),
        ({"email": "someone@example.com", "password": {"nested": 1}}, "password"),
    ],
)
def test_malformed_token_request_is_a_400_naming_the_field(api, person, body, field):
    response = api.post(TOKEN_URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Token.objects.exists()


def test_unparsable_json_is_a_400_not_a_500(api, person):
    response = api.generic("POST", TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_api_without_credentials_is_a_401(api, db):
    assert api.get("/api/v1/me/").status_code == 401


def test_bad_token_is_a_401(api, db):
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401
