"""The main journeys in French, at desktop and phone width: a browser set to French logs in, browses mentors,
books, gives feedback; HR reads the dashboard. German once through, for the screenshots. axe-core on each."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from marketplace.models import User
from sessions_app.models import Booking, Feedback
from tests.e2e.conftest import REPORT_CSP_VIOLATIONS, WIDTHS, is_csp_violation
from tests.e2e.test_insights import seed_organisation
from tests.factories import PASSWORD, AvailabilityBlockFactory, BookingFactory, MentorFactory, UserFactory


def browser_page(browser, live_server, csp_violations, *, locale: str, width: int):
    """A page whose browser asks for `locale` (navigator.language and Accept-Language)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, locale=locale
    )
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on("console", lambda message: is_csp_violation(message.text) and csp_violations.append(message.text))
    return context, page


@pytest.fixture
def french_page(browser, live_server, csp_violations, width):
    context, page = browser_page(browser, live_server, csp_violations, locale="fr-FR", width=WIDTHS[width])
    yield page
    context.close()
    assert csp_violations == [], "the Content-Security-Policy refused:\n" + "\n".join(csp_violations)


def log_in_in_french(page, email: str) -> None:
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_label(re.compile("^E-mail")).fill(email)  # Sidebar's own word for it, also on allauth's form
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_french_employee_logs_in_browses_books_and_gives_feedback(
    french_page, transactional_db, screenshot, axe_violations, width
):
    page = french_page
    UserFactory(email="eve@example.com", display_name="Ève Employée", timezone="Europe/Paris")
    mentor = MentorFactory(
        display_name="Sid Speaker", timezone="Australia/Sydney", headline="Prise de parole"
    )
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(11))
    earlier = BookingFactory(
        mentor=mentor,
        mentee=User.objects.get(email="eve@example.com"),
        start=timezone.now() - timedelta(hours=3),
        status=Booking.Status.COMPLETED,
        topic="Préparer ma présentation",
    )

    log_in_in_french(page, "eve@example.com")
    page.get_by_role("heading", name="Bonjour, Ève Employée").wait_for()
    screenshot(page, f"fr-home-{width}")
    assert axe_violations(page) == []

    # Sydney's mornings are the night in Paris, outside both working days: every time, then.
    page.goto("/mentors/?all_times=1")
    page.get_by_role("heading", name="Trouver un mentor", level=1).wait_for()
    assert page.get_by_text(re.compile(r"1 mentor trouvé\. Les heures sont dans votre fuseau")).is_visible()
    first_slot = page.locator("button.slot").first
    assert re.search(r"(lun|mar|mer|jeu|ven|sam|dim) \d+ \w+", first_slot.inner_text()), (
        first_slot.inner_text()
    )
    screenshot(page, f"fr-mentors-{width}")
    assert axe_violations(page) == []
    first_slot.click()

    page.get_by_role("heading", name="Réserver une session avec Sid Speaker").wait_for()
    assert page.get_by_text("votre heure (Europe/Paris)").is_visible()
    page.get_by_label("Sur quoi aimeriez-vous de l'aide\u00a0?").fill("Répéter mon intervention")
    screenshot(page, f"fr-book-{width}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirmer la réservation").click()

    page.get_by_role("heading", name="Session avec Sid Speaker").wait_for()
    assert page.get_by_text(re.compile(r"Réservé\u00a0: \d\d minutes avec Sid Speaker\.")).is_visible()
    assert page.get_by_role("link", name="Ajouter au calendrier (.ics)").is_visible()
    assert Booking.objects.filter(status="confirmed", topic="Répéter mon intervention").exists()

    page.goto("/sessions/")
    page.get_by_role("heading", name="Mes sessions", level=1).wait_for()
    assert page.get_by_text("Confirmée", exact=True).first.is_visible()
    screenshot(page, f"fr-sessions-{width}")
    assert axe_violations(page) == []

    page.goto(f"/sessions/{earlier.pk}/feedback/")
    page.get_by_role("heading", name="Comment s'est passée votre session avec Sid Speaker\u00a0?").wait_for()
    page.get_by_role("radio", name="4").check()
    page.get_by_role("radio", name="Oui").check()
    page.get_by_label("Quelle est votre prochaine étape\u00a0?").fill("Envoyer le support à ma responsable")
    screenshot(page, f"fr-feedback-{width}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.get_by_text("Merci\u00a0: votre avis est enregistré.").wait_for()
    assert Feedback.objects.get(booking=earlier).rating == 4


def test_a_french_employee_asks_for_help_and_reads_the_reasons(
    french_page, transactional_db, screenshot, axe_violations, width
):
    from tests.factories import SkillFactory, UserSkillFactory

    page = french_page
    UserFactory(email="eve@example.com", display_name="Ève", timezone="Europe/Paris", language="fr")
    speaking = SkillFactory(name="Public speaking", slug="public-speaking")
    mentor = MentorFactory(display_name="Sid Speaker", timezone="Europe/Paris")
    UserSkillFactory(user=mentor, skill=speaking, level=3)
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(17))

    log_in_in_french(page, "eve@example.com")
    page.goto("/requests/new/")
    page.get_by_role("heading", name="Demander de l'aide", level=1).wait_for()
    page.get_by_role("button", name="Trouver des mentors").click()  # nothing filled in: French errors
    assert page.get_by_text("Dites en quelques mots sur quoi vous avez besoin d'aide.").first.is_visible()
    assert page.get_by_text("Choisissez au moins une compétence.").first.is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Sur quoi avez-vous besoin d'aide\u00a0?").fill("Présenter au conseil")
    page.get_by_label("Public speaking").check()
    page.get_by_role("button", name="Trouver des mentors").click()
    page.get_by_role("heading", name="Qui peut aider avant votre échéance").wait_for()
    reasons = page.locator("ul.reasons").first.inner_text()
    assert "Connaît Public speaking (expert)" in reasons
    assert "avant votre échéance" in reasons
    screenshot(page, f"fr-shortlist-{width}")
    assert axe_violations(page) == []


@pytest.mark.urls("tests.insights.urls")
def test_hr_reads_the_dashboard_in_french(
    french_page, transactional_db, hr, screenshot, axe_violations, width
):
    page = french_page
    seed_organisation(datetime.now(UTC), hr)

    log_in_in_french(page, hr.email)
    page.goto("/insights/")
    page.get_by_role("heading", name="Indicateurs", level=1).wait_for()
    page.wait_for_function("() => Chart.getChart(document.getElementById('chart-weekly')) !== undefined")
    legend = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-weekly')).data.datasets[0].label"
    )
    assert legend == "Sessions tenues"
    legal = page.locator("table[data-dimension='department'] tr", has_text="Legal")
    assert legal.locator("td").all_inner_texts() == ["moins de 5"]
    assert re.fullmatch(
        r"\d+(,\d)?\u00a0%", page.locator("[data-figure='unblocked_rate'] .figure-value").inner_text()
    )
    screenshot(page, f"fr-insights-{width}")
    assert axe_violations(page) == []


@pytest.mark.urls("tests.insights.urls")
def test_the_main_pages_in_german_for_the_screenshots(
    browser, live_server, csp_violations, transactional_db, hr, screenshot, axe_violations, width
):
    context, page = browser_page(browser, live_server, csp_violations, locale="de-DE", width=WIDTHS[width])
    seed_organisation(datetime.now(UTC), hr)
    User.objects.filter(pk=hr.pk).update(language="de", is_mentor=True)
    mentor = MentorFactory(display_name="Sid Speaker", timezone="Europe/Berlin")
    for weekday in range(7):
        AvailabilityBlockFactory(mentor=mentor, weekday=weekday, start=time(9), end=time(11))

    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.locator("#id_login").fill(hr.email)
    page.get_by_label(re.compile("^Passwort")).fill(PASSWORD)
    page.get_by_role("button", name="Anmeldung").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    for name, path, heading in [
        ("home", "/", f"Hallo, {hr.name}"),
        ("mentor", f"/mentors/{mentor.pk}/", "Sid Speaker"),
        ("profile", "/me/profile/", "Ihr Profil"),
        ("availability", "/me/availability/", "Ihre wöchentliche Verfügbarkeit"),
        ("insights", "/insights/", "Auswertungen"),
    ]:
        page.goto(path)
        page.get_by_role("heading", name=heading, level=1).wait_for()
        assert page.locator("html").get_attribute("lang") == "de"
        screenshot(page, f"de-{name}-{width}")
        assert axe_violations(page) == [], path
    context.close()
    assert csp_violations == []
