from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from demo.people import DEMO_PASSWORD
from demo.story import DEMO_TIMEZONES
from marketplace.models import AvailabilityBlock, Skill, User, UserSkill


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # pytest-django turns DEBUG off; seed_demo refuses that without --force


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"mentors": 12, "employees": 30, **options})
    return out.getvalue()


def snapshot() -> list[tuple]:
    people = User.objects.order_by("email").values_list(
        "email", "display_name", "timezone", "department__name", "job_level", "is_mentor", "calendar_token"
    )
    blocks = AvailabilityBlock.objects.order_by("mentor__email", "weekday", "start").values_list(
        "mentor__email", "weekday", "start", "end"
    )
    skills = UserSkill.objects.order_by("user__email", "skill__slug").values_list(
        "user__email", "skill__slug", "level"
    )
    return [*people, *blocks, *skills]


@pytest.mark.django_db
def test_seed_builds_the_demo_logins_and_generated_people(client):
    output = seed()

    assert "Demo organisation ready" in output
    for email in (
        "mentee@example.com",
        "mentor@example.com",
        "hr@example.com",
        "mentor12@example.com",
        "employee30@example.com",
    ):
        assert client.login(email=email, password=DEMO_PASSWORD), email
    assert not User.objects.filter(email="mentor13@example.com").exists()
    assert User.objects.get(email="hr@example.com").is_hr
    assert not User.objects.get(email="mentee@example.com").is_hr
    assert User.objects.filter(is_mentor=True).count() == 13


@pytest.mark.django_db
def test_demo_logins_work_on_the_login_page_and_the_token_endpoint_with_mandatory_verification(client, api):
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    seed()

    for email in ("mentee@example.com", "mentor@example.com", "hr@example.com", "employee30@example.com"):
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert response["Location"] == "/", email
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.logout()
        token = api.post("/api/v1/auth/token/", {"email": email, "password": DEMO_PASSWORD})
        assert token.status_code == 200, email


@pytest.mark.django_db
def test_seed_has_a_realistic_taxonomy_of_40_plus_skills_in_categories():
    seed()

    assert Skill.objects.count() >= 40
    categories = set(Skill.objects.values_list("category", flat=True))
    assert {"communication", "leadership", "engineering", "product", "career"} <= categories


@pytest.mark.django_db
def test_demo_mentor_has_blocks_on_every_weekday_and_mentors_span_seven_zones():
    seed(mentors=80)

    mentor = User.objects.get(email="mentor@example.com")
    assert set(mentor.availability_blocks.values_list("weekday", flat=True)) == {0, 1, 2, 3, 4}
    zones = set(User.objects.filter(is_mentor=True).values_list("timezone", flat=True))
    assert len(zones) >= 7
    assert zones <= set(DEMO_TIMEZONES)
    assert {"Australia/Sydney", "America/Sao_Paulo"} & zones, "both hemispheres"
    assert not User.objects.filter(is_mentor=True, availability_blocks__isnull=True).exists()


@pytest.mark.django_db
def test_same_seed_builds_the_same_organisation():
    seed(seed=7)
    first = snapshot()
    User.objects.all().delete()
    seed(seed=7)
    assert snapshot() == first
    User.objects.all().delete()
    seed(seed=8)
    assert snapshot() != first


@pytest.mark.django_db
def test_seed_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not User.objects.exists()
    seed(force=True)
    assert User.objects.filter(email="mentee@example.com").exists()


@pytest.mark.django_db
def test_seed_refuses_to_run_twice_and_if_empty_leaves_data_alone():
    seed()
    count = User.objects.count()
    with pytest.raises(CommandError, match="already"):
        seed()
    assert "no demo data added" in seed(if_empty=True)
    assert User.objects.count() == count


@pytest.mark.django_db
def test_seed_reports_progress():
    output = seed()
    assert "people: 45/45" in output
    assert "weekly blocks:" in output


@pytest.mark.django_db
def test_negative_sizes_are_refused():
    with pytest.raises(CommandError, match="--mentors"):
        seed(mentors=-1)
