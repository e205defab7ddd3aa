"""Someone logs an informal moment from the keyboard in seconds and sees the week's progress toward three."""

from sessions_app.models import Moment
from tests.factories import PASSWORD, MentorFactory, UserFactory


def test_a_moment_is_logged_from_the_keyboard_and_counts_toward_three(
    page, transactional_db, log_in, screenshot, axe_violations
):
    person = UserFactory(email="ines@example.com", display_name="Ines Intern", timezone="Asia/Tokyo")
    colleague = MentorFactory(email="kofi@example.com", display_name="Kofi Mensah")
    log_in(person.email, PASSWORD)

    page.get_by_role("link", name="Moments").click()
    page.get_by_role("heading", name="Moments", level=1).wait_for()
    assert page.get_by_text("0 of 3").is_visible()
    assert page.get_by_label("When").input_value()  # today, already filled in

    page.get_by_label("What was it?").select_option("encouragement")
    page.get_by_label("With whom?").fill(colleague.email)
    page.keyboard.press("Tab")
    page.keyboard.type("Told me to apply for the stretch project")
    page.keyboard.press("Enter")

    page.get_by_text("Moment logged.").wait_for()
    assert page.get_by_text("1 of 3").is_visible()
    assert page.get_by_text(
        "Encouragement with Kofi Mensah: Told me to apply for the stretch project"
    ).is_visible()
    assert Moment.objects.get(author=person).with_person == colleague
    screenshot(page, "moments")
    assert axe_violations(page) == []
