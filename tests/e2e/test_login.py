import random

import pytest

from demo.people import DEMO_PASSWORD, seed_people


@pytest.fixture
def demo_org(transactional_db):
    return seed_people(rng=random.Random(1), mentors=3, employees=3, progress=lambda *args: None)


@pytest.mark.parametrize(
    ("email", "greeting", "sees_insights_link"),
    [
        ("mentee@example.com", "Hello, Maya Mentee", False),
        ("mentor@example.com", "Hello, Marco Mentor", False),
        ("hr@example.com", "Hello, Hana HR", True),
    ],
)
def test_each_demo_login_works_in_a_real_browser(
    page, demo_org, log_in, screenshot, axe_violations, email, greeting, sees_insights_link
):
    log_in(email, DEMO_PASSWORD)

    assert page.get_by_role("heading", level=1).inner_text() == greeting
    path = screenshot(page, f"home-{email.split('@')[0]}")
    assert path.stat().st_size > 10_000
    assert axe_violations(page) == []


def test_visitor_home_and_login_pages_have_no_serious_accessibility_violations(
    page, db, screenshot, axe_violations
):
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Short, targeted help from colleagues"
    screenshot(page, "home-visitor")
    assert axe_violations(page) == []

    page.goto("/accounts/login/")
    screenshot(page, "login")
    assert axe_violations(page) == []


def test_wrong_password_shows_an_error_and_stays_logged_out(page, demo_org):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("mentee@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()

    assert "/accounts/login/" in page.url
    assert page.get_by_text("not correct").is_visible()


def test_keyboard_user_can_skip_to_content(page, db):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
