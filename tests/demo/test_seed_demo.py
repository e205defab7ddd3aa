import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from demo import bulk
from demo.people import DEMO_PASSWORD
from demo.story import DEMO_TIMEZONES, LAUNCH_WEEKS_BEFORE_HISTORY
from insights.models import RollupState, WeekCell
from marketplace.models import AvailabilityBlock, Skill, User, UserSkill
from matching.models import MentorRequest
from sessions_app.models import Booking


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


PROGRESS_LINE = re.compile(r"^  (?P<label>[a-z -]+): (?P<done>[\d,]+)(?:/(?P<total>[\d,]+))?$")


class Terminal(StringIO):
    """What seed_demo writes to when run in a terminal: progress lines are rewritten in place (\r)."""

    def isatty(self) -> bool:
        return True


def progress_by_label(output: str) -> dict[str, list[tuple[int, int | None]]]:
    found: dict[str, list[tuple[int, int | None]]] = {}
    for line in re.split(r"[\r\n]", output):
        if match := PROGRESS_LINE.match(line):
            total = match["total"]
            found.setdefault(match["label"], []).append(
                (int(match["done"].replace(",", "")), int(total.replace(",", "")) if total else None)
            )
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("stream", [StringIO, Terminal], ids=["log", "terminal"])
def test_progress_totals_are_exact_from_the_start_and_counts_only_grow(monkeypatch, stream):
    monkeypatch.setattr(bulk, "COPY_BATCH_SIZE", 7)  # rows written in many batches, as at a large size
    out = stream()
    call_command("seed_demo", stdout=out, mentors=12, employees=30)

    progress = progress_by_label(out.getvalue())
    assert {"people", "sessions", "feedback", "requests", "moments", "join dates", "insights weeks"} <= set(
        progress
    )
    for label, updates in progress.items():
        totals = {total for _done, total in updates if total is not None}
        assert len(totals) == 1, (label, updates)  # one total, the final one, whenever one is shown
        dones = [done for done, _total in updates]
        assert dones == sorted(dones), (label, updates)
        assert updates[-1] == (totals.pop(),) * 2, (label, updates)  # ends with all done
    streamed = progress["sessions"]
    assert len(streamed) > 1
    assert streamed[0][1] is None
    assert Booking.objects.count() == streamed[-1][0] == streamed[-1][1]


@pytest.mark.django_db
def test_negative_sizes_are_refused():
    with pytest.raises(CommandError, match="--mentors"):
        seed(mentors=-1)


@pytest.mark.django_db
def test_past_ranges_of_the_demo_show_figures_for_departments_of_5_or_more(client):
    seed(mentors=12, employees=60)
    assert client.login(email="hr@example.com", password=DEMO_PASSWORD)
    today = timezone.now().date()
    past = {
        "start": (today - timedelta(weeks=10)).isoformat(),
        "end": (today - timedelta(weeks=7)).isoformat(),
    }

    report = client.get("/api/v1/insights/summary/", past).json()

    assert report["suppressed"] is None
    everyone = User.objects.count()
    # Most were there already (the launch was before the history began); who joined later is
    # test_nobody_in_the_demo_did_anything_before_they_joined's to check.
    assert everyone // 2 < report["employees"] <= everyone
    departments = report["equity"]["department"]
    largest = max(departments, key=lambda row: row.get("employees") or 0)
    assert largest["suppressed"] is None
    assert largest["employees"] >= 5
    assert report["sessions_held"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["2026-12-03T15:47:55Z", "2027-01-05T08:00:00Z"])  # CI failed at the first
def test_nobody_in_the_demo_did_anything_before_they_joined(moment):
    with time_machine.travel(moment, tick=False):
        seed()
        _check_join_dates()


def _check_join_dates():
    assert not Booking.objects.filter(created_at__lt=F("mentee__date_joined")).exists()
    assert not Booking.objects.filter(start__lt=F("mentor__date_joined")).exists()
    history_start = timezone.now() - timedelta(weeks=12)
    launch_week_over = history_start - timedelta(weeks=LAUNCH_WEEKS_BEFORE_HISTORY - 1)
    assert User.objects.filter(date_joined__lt=history_start).exists()
    # Who joined after the launch signed up before their first activity, which may pull them back to
    # a fortnight before the history began, but never into the launch week.
    assert User.objects.filter(date_joined__gt=launch_week_over).exists()


@pytest.mark.django_db
def test_the_seeded_dashboard_has_its_summary_tables_filled():
    seed()
    assert RollupState.objects.exists()
    assert WeekCell.objects.exists()


@pytest.mark.django_db
def test_generated_job_titles_read_as_people_write_them():
    seed()
    titles = set(User.objects.values_list("job_title", flat=True))
    assert {"Manager", "Director"} & titles
    assert not any("above" in title or "/" in title for title in titles)
    assert all(title[0].isupper() for title in titles)


@pytest.mark.django_db
def test_every_demo_request_carries_its_help_promise():
    seed()
    requests = MentorRequest.objects.all()
    assert requests.exists()
    for request in requests:
        assert request.help_due_at == request.created_at + timedelta(hours=settings.HELP_PROMISE_HOURS)
