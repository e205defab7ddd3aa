"""A real browser: Debian's chromium driven by Python Playwright against pytest-django's live_server.

Screenshots of failing tests land in test-artifacts/; `screenshot(page, name)` keeps one on purpose.
"""

import json
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread
# unless told that this is a test process driving the live server.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Loaded from the live server like the page's own scripts: the Content-Security-Policy refuses an inline one.
AXE_JS = "/static/vendor/axe-core/axe.min.js"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


PAGE_FIXTURES = ("page", "phone_page", "sized_page")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        page = next((item.funcargs[name] for name in PAGE_FIXTURES if name in item.funcargs), None)
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{item.name}.png"), full_page=True)
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


# Each page logs what its Content-Security-Policy refused as a console error, which `csp_violations` keeps.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} refused ${event.blockedURI || "inline code"} ` +
                `at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture
def csp_violations() -> list[str]:
    """What the pages of this test's `page` refused under their Content-Security-Policy, so far."""
    return []


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A phone of 390 CSS pixels (iPhone 12 to 15): the viewport meta tag counts and touch is on.
PHONE_WIDTH = 390
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 844}, "is_mobile": True, "has_touch": True}


def browser_page_on(browser, live_server, csp_violations, device: dict):
    context = browser.new_context(base_url=live_server.url, **device)
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    yield page
    context.close()
    assert csp_violations == [], "the Content-Security-Policy refused:\n" + "\n".join(csp_violations)


@pytest.fixture
def page(browser, live_server, csp_violations):
    """A browser page on the live server at 1280 px. A test whose pages broke their Content-Security-Policy
    errors."""
    yield from browser_page_on(browser, live_server, csp_violations, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server, csp_violations):
    """Like `page`, on a phone 390 px wide."""
    yield from browser_page_on(browser, live_server, csp_violations, PHONE)


# The two widths every journey is checked at: a laptop and a phone.
WIDTHS = {"desktop": 1280, "phone": PHONE_WIDTH}


@pytest.fixture(params=list(WIDTHS))
def width(request) -> str:
    """A test that asks for it runs twice: "desktop" (1280 px) and "phone" (390 px)."""
    return request.param


@pytest.fixture
def sized_page(browser, live_server, csp_violations, width):
    """Like `page`, at `width`'s size (900 px high)."""
    yield from browser_page_on(
        browser, live_server, csp_violations, {"viewport": {"width": WIDTHS[width], "height": 900}}
    )


@pytest.fixture
def screenshot():
    """Saves a full-page screenshot, after checking that the page does not scroll sideways (at any width)."""

    def take(page, name: str) -> Path:
        page_width, window_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert page_width <= window_width, (
            f"{name}: the page is {page_width} px wide in a {window_width} px window"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_violations():
    """Runs axe-core (from npm) in the page; returns serious/critical violations as (id, help, targets)."""

    def run(page) -> list[tuple[str, str, list]]:
        page.add_script_tag(url=AXE_JS)
        result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
        violations = json.loads(result)["violations"]
        return [
            (item["id"], item["help"], [node["target"] for node in item["nodes"]])
            for item in violations
            if item["impact"] in {"serious", "critical"}
        ]

    return run


def log_in_on(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def log_in(page):
    def login(email: str, password: str) -> None:
        log_in_on(page, email, password)

    return login
