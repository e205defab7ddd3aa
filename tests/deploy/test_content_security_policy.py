"""Every page carries a Content-Security-Policy that allows no inline script, handler or style, and no page
needs one: what the policy would block is not in our templates, nor in the pages third-party apps render.

tests/e2e/test_content_security_policy.py loads the pages in Chromium and looks for violations in the console.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from provisioning.models import PeopleImport
from tests.factories import BookingFactory, MentorRequestFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
# Executable script types: a <script> of another type (application/json data) runs nothing.
SCRIPT_TYPES = {"", "text/javascript", "module", "application/javascript"}


class InlineCode(HTMLParser):
    """Collects what a policy without 'unsafe-inline' refuses: inline scripts, on* handlers, style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and (attributes.get("type") or "") in SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}={value!r}> at line {self.getpos()[0]}")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def page_templates() -> list[Path]:
    """Our templates of pages (emails are not served to a browser: their inline styles are for mail apps)."""
    return sorted(
        path for path in (ROOT / "templates").rglob("*.html") if "email" not in path.relative_to(ROOT).parts
    )


@pytest.mark.parametrize("template", page_templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_of_ours_holds_inline_script_handlers_or_style(template):
    assert inline_code(template.read_text()) == []


@pytest.fixture
def pages(db, mentee, mentor, hr) -> list[tuple[object, str]]:
    """(who, url) for every page, including the ones allauth, the admin and drf-spectacular render."""
    booking = BookingFactory(mentor=mentor, mentee=mentee)
    request = MentorRequestFactory(asker=mentee)
    staff = UserFactory(is_staff=True, is_superuser=True)
    people_file = PeopleImport.objects.create(
        uploaded_by=hr,
        file_name="people.csv",
        created_at=booking.start,
        headers={"email": "email", "name": "name"},
        rows=[{"row": 2, "email": "new@example.com", "display_name": "New Person"}],
        errors=[{"row": 3, "column": "email", "message": "This is not an email address."}],
    )
    return [
        *(
            (None, url)
            for url in (
                "/",
                "/accounts/login/",
                "/accounts/signup/",
                "/accounts/password/reset/",
                "/api/docs/",
                "/admin/login/",
            )
        ),
        *(
            (mentee, url)
            for url in (
                "/",
                "/mentors/",
                f"/mentors/{mentor.pk}/",
                f"/mentors/{mentor.pk}/introduce/",
                "/requests/",
                "/requests/new/",
                f"/requests/{request.pk}/",
                "/sessions/",
                f"/sessions/{booking.pk}/",
                f"/sessions/{booking.pk}/reschedule/",
                "/moments/",
                "/me/profile/",
                "/me/availability/",
            )
        ),
        (mentor, "/me/impact/"),
        (hr, "/insights/"),
        (hr, "/insights/people/import/"),
        (hr, f"/insights/people/import/{people_file.pk}/"),
        *(
            (staff, url)
            for url in (
                "/admin/",
                "/admin/marketplace/user/",
                f"/admin/marketplace/user/{mentor.pk}/change/",
                f"/admin/sessions_app/booking/{booking.pk}/change/",
            )
        ),
    ]


def test_every_page_has_a_policy_without_unsafe_inline_and_needs_none(client, pages):
    for person, url in pages:
        if person is None:
            client.logout()
        else:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response.get("Content-Security-Policy", "")
        directives = {
            name: value.strip()
            for name, _, value in (item.strip().partition(" ") for item in policy.split(";"))
            if name
        }
        assert directives.get("default-src") == "'self'", (url, policy)
        assert directives.get("script-src") == "'self'", (url, policy)
        assert directives.get("style-src") == "'self'", (url, policy)
        assert directives.get("object-src") == "'none'", (url, policy)
        assert directives.get("frame-ancestors") == "'none'", (url, policy)
        assert inline_code(response.content.decode()) == [], url
