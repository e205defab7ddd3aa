"""HR imports people from the dashboard at desktop and phone width: a file with problems is previewed with
each problem's row and column and cannot be imported; the corrected file is previewed, then imported."""

import pytest

from marketplace.models import User
from tests.e2e.conftest import WIDTHS
from tests.factories import PASSWORD, UserFactory

WITH_PROBLEMS = (
    "email,name,department,job title,level,manager\n"
    "ana@example.com,Ana Lima,Sales,Account executive,senior,\n"
    "ben.example.com,Ben Okoro,Sales,Sales lead,lead,ana@example.com\n"
    "cy@example.com,Cy Chen,Engineering,Engineer,principal,ana@example.com\n"
)
CORRECTED = WITH_PROBLEMS.replace("ben.example.com", "ben@example.com").replace("principal", "senior")


@pytest.fixture(params=list(WIDTHS))
def width(request, page) -> str:
    page.set_viewport_size({"width": WIDTHS[request.param], "height": 900})
    return request.param


def choose_file(page, name: str, content: str) -> None:
    page.get_by_label("CSV file of people").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Preview the import").click()


def test_hr_previews_a_file_with_problems_then_imports_the_corrected_one(
    page, transactional_db, hr, log_in, screenshot, axe_violations, width
):
    UserFactory(email="cy@example.com", display_name="Cy Old", department=None)
    log_in(hr.email, PASSWORD)

    page.goto("/insights/")
    page.get_by_role("button", name="Import people").click()  # a link styled as a button, as the export
    page.get_by_role("heading", name="Import people", level=1).wait_for()
    screenshot(page, f"people-import-{width}")
    assert axe_violations(page) == []

    choose_file(page, "people.csv", WITH_PROBLEMS)
    page.get_by_role("heading", name="2 problems: nothing is imported").wait_for()
    problems = page.locator(".import-problems tbody tr").all_inner_texts()
    assert [text.split("\t")[:2] for text in problems] == [["3", "email"], ["4", "level"]]
    assert page.get_by_role("button", name="Import 3 people").count() == 0
    screenshot(page, f"people-import-problems-{width}")
    assert axe_violations(page) == []
    assert not User.objects.filter(email="ana@example.com").exists()

    page.get_by_role("button", name="Upload a corrected file").click()
    choose_file(page, "people-corrected.csv", CORRECTED)
    page.get_by_text("3 people in the file: 2 new, 1 to update, 0 unchanged.").wait_for()
    screenshot(page, f"people-import-preview-{width}")
    assert axe_violations(page) == []
    assert not User.objects.filter(email="ana@example.com").exists()

    page.get_by_role("button", name="Import 3 people").click()
    page.get_by_text("Imported: 2 new, 1 updated, 0 unchanged.").wait_for()
    page.get_by_role("heading", name="People imported", level=1).wait_for()
    screenshot(page, f"people-imported-{width}")
    assert axe_violations(page) == []
    assert User.objects.get(email="cy@example.com").display_name == "Cy Chen"
    assert User.objects.filter(email__in=["ana@example.com", "ben@example.com"]).count() == 2
