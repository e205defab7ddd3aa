from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (key, label, url name, who sees it). Entries whose page does not exist yet are left out.
MAIN_NAVIGATION = (
    ("mentors", _("Find a mentor"), "mentor-list", "everyone"),
    ("request", _("Ask for help"), "request-new", "everyone"),
    ("requests", _("My requests"), "request-list", "everyone"),
    ("sessions", _("My sessions"), "session-list", "everyone"),
    ("group-sessions", _("Group sessions"), "group-session-list", "everyone"),
    ("moments", _("Moments"), "moments", "everyone"),
    ("insights", _("Insights"), "insights", "hr"),
)
ACCOUNT_NAVIGATION = (
    ("profile", _("Profile"), "profile", "everyone"),
    ("waitlists", _("My waiting lists"), "waitlist-list", "everyone"),
    ("availability", _("Availability"), "availability", "mentor"),
    ("impact", _("My impact"), "impact", "mentor"),
)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    current: bool


def _items(request: HttpRequest, entries, *, is_mentor: bool, is_hr: bool) -> list[NavItem]:
    allowed = {"everyone"} | ({"mentor"} if is_mentor else set()) | ({"hr"} if is_hr else set())
    items = []
    for key, label, url_name, audience in entries:
        if audience not in allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(key, label, url, request.path.startswith(url)))
    return items


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: which of the three kinds of user is looking, and their links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_mentor": False, "nav_is_hr": False, "nav_items": [], "account_items": []}
    is_mentor, is_hr = user.is_mentor, user.is_hr
    return {
        "nav_is_mentor": is_mentor,
        "nav_is_hr": is_hr,
        "nav_items": _items(request, MAIN_NAVIGATION, is_mentor=is_mentor, is_hr=is_hr),
        "account_items": _items(request, ACCOUNT_NAVIGATION, is_mentor=is_mentor, is_hr=is_hr),
    }
