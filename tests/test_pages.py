import re

import pytest

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_home_explains_sidebar_to_a_visitor(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Short, targeted help from colleagues" in html
    assert 'href="/accounts/signup/"' in html
    assert "For mentors" in html


def test_home_greets_a_logged_in_person_by_name(client, mentee):
    client.login(email=mentee.email, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "Hello, Maya Mentee" in html
    assert "Log out" in html


@pytest.mark.django_db
def test_login_and_signup_pages_use_the_site_layout(client):
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'class="site-header"' in response.content.decode(), url


@pytest.mark.django_db
def test_signup_creates_an_account_with_name_zone_and_department(client):
    from marketplace.models import User
    from tests.factories import DepartmentFactory

    department = DepartmentFactory(name="Finance")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "display_name": "New Person",
            "timezone": "Asia/Tokyo",
            "department": department.pk,
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert (user.display_name, user.timezone, user.department) == ("New Person", "Asia/Tokyo", department)


@pytest.mark.django_db
def test_signup_refuses_a_name_with_a_line_break(client):
    from marketplace.models import User

    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "display_name": "New\nPerson",
            "timezone": "UTC",
        },
    )

    assert response.status_code == 200
    assert "Use letters, not line breaks or control characters." in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_login_failures_are_rate_limited(client, mentee):
    for _ in range(6):
        client.post("/accounts/login/", {"login": mentee.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": mentee.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_api_docs_and_schema_are_served_without_a_cdn(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content


@pytest.mark.django_db
def test_pages_reference_no_external_assets(client, mentee):
    client.login(email=mentee.email, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


@pytest.mark.parametrize(
    "url",
    ["/moments/", "/me/profile/", "/me/availability/", "/requests/new/", "/mentors/", "/mentors/?skill=nope"],
)
def test_every_field_description_a_page_points_to_exists(client, mentor, url):
    # aria-describedby naming a missing id leaves a screen reader without the field's help text.
    client.force_login(mentor)
    html = client.get(url).content.decode()

    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described_by = [
        name for value in re.findall(r'aria-describedby="([^"]*)"', html) for name in value.split()
    ]
    assert [name for name in described_by if name not in ids] == []


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/moments/", {"kind": "tip", "note": "", "happened_on": "soon"}),
        ("/requests/new/", {"topic": "", "needed_by": "", "duration": "45"}),
    ],
)
def test_every_error_a_refused_form_points_to_exists(client, mentor, url, data):
    client.force_login(mentor)
    response = client.post(url, data)

    html = response.content.decode()
    assert response.status_code == 400
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    described_by = [
        name for value in re.findall(r'aria-describedby="([^"]*)"', html) for name in value.split()
    ]
    assert any(name.endswith("_error") for name in described_by)
    assert [name for name in described_by if name not in ids] == []
