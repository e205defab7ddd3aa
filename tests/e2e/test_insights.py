"""HR opens the insights dashboard, narrows the date range and sees the charts and their tables redraw."""

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from insights import rollups
from marketplace.models import AvailabilityBlock, JobLevel, User
from sessions_app.models import Booking, Feedback, FollowUp, Moment
from tests.e2e.conftest import ARTIFACTS, log_in_on
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    MentorFactory,
    MentorRequestFactory,
    SkillFactory,
    UserFactory,
    UserSkillFactory,
)
from tests.insights.conftest import group_session

pytestmark = pytest.mark.urls("tests.insights.urls")
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
LEVELS = (JobLevel.ASSOCIATE, JobLevel.PROFESSIONAL, JobLevel.SENIOR, JobLevel.LEAD, JobLevel.MANAGER)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_organisation(now: datetime, hr) -> None:
    """Four departments (one of 3 people), 12 mentors of uneven load, 16 weeks of sessions and requests."""
    rng = random.Random(8)
    joined = now - timedelta(days=400)
    skills = [
        SkillFactory(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Public speaking", "SQL", "Negotiation", "Roadmapping", "Hiring", "Design review")
    ]
    people: list[User] = []
    mentors: list[User] = []
    for name, size in (("Engineering", 14), ("Product", 9), ("Sales", 8), ("Legal", 3)):
        department = DepartmentFactory(name=name)
        for n in range(size):
            is_mentor = n < (4 if size > 5 else 0)
            factory = MentorFactory if is_mentor else UserFactory
            person = factory(
                department=department,
                job_level=rng.choice(LEVELS),
                timezone=rng.choice(ZONES),
                date_joined=joined,
            )
            (mentors if is_mentor else people).append(person)
        if name == "Product":
            hr.department = department
            hr.save()
    for index, mentor in enumerate(mentors):
        AvailabilityBlock.objects.create(mentor=mentor, weekday=index % 5, start=time(9), end=time(11))
        for skill in rng.sample(skills[:4], 2):  # nobody offers hiring or design reviews
            UserSkillFactory(user=mentor, skill=skill)
    weights = [8, 6, 5, 3, 2, 2, 1, 1, 1, 1, 1, 1]
    this_monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    for week in range(16):
        monday = this_monday - timedelta(weeks=16 - week)
        for n in range(3 + week // 2 + rng.randint(0, 3)):
            mentor = rng.choices(mentors, weights=weights)[0]
            mentee = rng.choice(people + mentors[4:])
            if mentee == mentor:
                continue
            start = monday + timedelta(days=n % 5, hours=8 + n)
            status = rng.choices(["completed", "no_show", "cancelled"], weights=[12, 1, 1])[0]
            booking = Booking.objects.create(
                mentor=mentor,
                mentee=mentee,
                start=start,
                end=start + timedelta(minutes=30),
                duration=30,
                topic="Help",
                status=status,
                meeting_url="https://meet.example.com/x",
            )
            if status == "completed" and rng.random() < 0.8:
                Feedback.objects.create(
                    booking=booking,
                    author=mentee,
                    role="mentee",
                    rating=rng.choice([3, 4, 4, 5, 5]),
                    helpful=rng.random() < 0.85,
                    comment="Thank you!",
                )
            if status == "completed" and start < now - timedelta(weeks=1) and rng.random() < 0.6:
                FollowUp.objects.create(
                    booking=booking,
                    outcome=rng.choices(["yes", "partly", "no"], weights=[6, 3, 1])[0],
                    created_at=start + timedelta(days=8),
                )
            made = start - timedelta(hours=rng.choice([3, 6, 20, 30, 50]))
            MentorRequestFactory(
                asker=mentee,
                created_at=made,
                needed_by=start + timedelta(days=1),
                status="booked",
                booked_at=made + timedelta(minutes=10),
                booked_session_start=start,
                skills=[rng.choice(skills[:4])],
            )
        for _ in range(rng.randint(0, 4)):
            Moment.objects.create(
                author=rng.choice(people + mentors),
                kind=rng.choice(["tip", "encouragement", "introduction"]),
                with_name="A colleague",
                note="Pointed me to the right runbook",
                happened_on=(monday + timedelta(days=rng.randint(0, 4))).date(),
            )
        for _ in range(rng.randint(1, 3)):  # asked, never helped: the skill gaps
            made = monday + timedelta(days=rng.randint(0, 4), hours=10)
            MentorRequestFactory(
                asker=rng.choice(people),
                created_at=made,
                needed_by=made + timedelta(days=2),
                skills=[rng.choice(skills[4:])],
            )
    for index, host in enumerate(mentors[:6]):  # weekly office hours of six mentors, the last six weeks
        for week in range(1, 7):
            attendees = rng.sample(people, 5)
            group_session(
                host,
                this_monday - timedelta(weeks=week) + timedelta(days=index % 5, hours=15),
                capacity=4,
                seated=attendees[:3],
                from_waitlist=attendees[3:4] if rng.random() < 0.5 else [],
                waiting=attendees[4:],
            )
    rollups.refresh(now=now, full=True)


def weekly_rows(page) -> list[str]:
    return page.locator("#table-weekly tbody th").all_inner_texts()


def test_hr_narrows_the_range_and_the_charts_redraw(
    page, transactional_db, hr, log_in, screenshot, axe_violations
):
    seed_organisation(datetime.now(UTC), hr)

    log_in(hr.email, PASSWORD)
    page.goto("/insights/")
    page.get_by_role("heading", name="Insights", level=1).wait_for()
    assert page.get_by_role("link", name="Insights").is_visible()
    page.wait_for_function("() => Chart.getChart(document.getElementById('chart-weekly')) !== undefined")
    labels_before = page.evaluate("() => Chart.getChart(document.getElementById('chart-weekly')).data.labels")
    assert len(labels_before) == 12
    assert len(weekly_rows(page)) == 12
    assert page.get_by_text("Largest gaps").is_visible()
    legal = page.locator("table[data-dimension='department'] tr", has_text="Legal")
    assert legal.locator("td").all_inner_texts() == ["fewer than 5"]
    assert page.locator("[data-figure='unblocked_rate'] .figure-value").inner_text().endswith("%")
    assert int(page.locator("[data-figure='moments_logged'] .figure-value").inner_text()) > 0
    screenshot(page, "insights-dashboard")
    assert axe_violations(page) == []
    assert int(page.locator("[data-figure='group_sessions_held'] .figure-value").inner_text()) == 36
    page.get_by_text("Group sessions per week").click()
    group_weeks = page.locator("#table-group-sessions")
    assert group_weeks.is_visible()
    assert group_weeks.locator("tbody tr").count() == 12
    page.get_by_role("heading", name="Group sessions", level=2).scroll_into_view_if_needed()
    screenshot(page, "insights-group-sessions")
    assert axe_violations(page) == []

    four_weeks_ago = (datetime.now(UTC).date() - timedelta(weeks=3)).isoformat()
    page.get_by_label("From").fill(four_weeks_ago)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(lambda url: f"start={four_weeks_ago}" in url)
    page.wait_for_function(
        "() => Chart.getChart(document.getElementById('chart-weekly')).data.labels.length === 4"
    )

    assert len(weekly_rows(page)) == 4
    assert weekly_rows(page) != labels_before[:4]
    page.get_by_text("Data table").first.click()
    assert page.locator("#table-weekly").is_visible()
    screenshot(page, "insights-dashboard-4-weeks")
    assert axe_violations(page) == []


def test_the_export_button_downloads_the_weekly_csv(page, transactional_db, hr, log_in):
    seed_organisation(datetime.now(UTC), hr)
    log_in(hr.email, PASSWORD)
    page.goto("/insights/")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export weekly CSV").click()

    with open(download.value.path()) as exported:
        lines = exported.read().splitlines()
    assert lines[0].startswith("week_start,department,employees,participants")
    assert any(",Legal," in line and "fewer than 5" in line for line in lines)


def test_the_group_sessions_figures_fit_a_laptop_and_a_phone(
    sized_page, width, transactional_db, hr, screenshot, axe_violations
):
    page = sized_page
    seed_organisation(datetime.now(UTC), hr)
    log_in_on(page, hr.email, PASSWORD)
    page.goto("/insights/")

    section = page.get_by_role("region", name="Group sessions", exact=True)
    section.get_by_text("Group sessions per week").click()
    assert page.locator("#table-group-sessions").is_visible()
    for figure in ("group_sessions_held", "group_fill_rate", "group_attendees", "waitlist_conversions"):
        assert page.locator(f"[data-figure='{figure}'] .figure-value").is_visible(), figure
    assert page.locator(
        "table[data-dimension='department'] th", has_text="Seated from a waiting list"
    ).count()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    section.scroll_into_view_if_needed()
    screenshot(page, f"insights-group-sessions-{width}")
    section.screenshot(path=str(ARTIFACTS / f"insights-group-sessions-section-{width}.png"))
    page.locator("[data-figure='group_sessions_held']").screenshot(
        path=str(ARTIFACTS / f"insights-group-sessions-card-{width}.png")
    )
    assert axe_violations(page) == []
