"""Sidebar in French and German: the person's profile language, then the browser's, then English; pages,
form errors, e-mails and calendar texts in the language of whoever reads them."""

import re
from datetime import UTC, datetime
from email.mime.base import MIMEBase
from html import unescape

import pytest
from django.core import mail
from django.utils import timezone, translation

from marketplace.models import User
from marketplace.services import issue_api_token
from matching.ranking import slot_sentence
from sessions_app import calendar, notifications
from sessions_app.models import OutboundMessage
from sessions_app.outbox import claim_due_messages, send_messages
from tests.calendar_clients import read_with_ical_js
from tests.factories import BookingFactory, MentorRequestFactory, SkillFactory, UserFactory

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.parametrize(
    ("headers", "lang", "words"),
    [
        (FRENCH, "fr", "Une aide courte et ciblée de vos collègues"),
        (GERMAN, "de", "Kurze, gezielte Hilfe von Kolleginnen und Kollegen"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "en-gb", "Short, targeted help from colleagues"),
        ({"HTTP_ACCEPT_LANGUAGE": "ja"}, "en-gb", "Short, targeted help from colleagues"),  # not offered
        ({}, "en-gb", "Short, targeted help from colleagues"),
    ],
)
def test_a_visitor_gets_the_browsers_language_then_english(client, db, headers, lang, words):
    response = client.get("/", **headers)

    html = response.content.decode()
    assert html_lang(html) == lang
    assert response["Content-Language"] == lang
    assert words in html


def test_the_profile_language_wins_over_the_browsers(client, mentee):
    User.objects.filter(pk=mentee.pk).update(language="de")
    client.force_login(mentee)

    html = client.get("/mentors/", **FRENCH).content.decode()

    assert html_lang(html) == "de"
    assert "Mentor finden" in html
    assert "Trouver un mentor" not in html


def test_without_a_profile_language_a_person_gets_the_browsers(client, mentee):
    client.force_login(mentee)

    html = client.get("/mentors/", **FRENCH).content.decode()

    assert html_lang(html) == "fr"
    assert "Trouver un mentor" in html


def test_choosing_a_language_on_the_profile_stores_it_and_answers_in_it(client, mentee):
    client.force_login(mentee)
    form = client.get("/me/profile/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data.update({"language": "fr", "display_name": "Maya Mentee", "timezone": "Europe/London"})

    response = client.post("/me/profile/", data, follow=True)

    mentee.refresh_from_db()
    assert mentee.language == "fr"
    html = response.content.decode()
    assert html_lang(html) == "fr"
    assert "Profil enregistré." in html
    assert 'value="fr" selected' in html


def test_an_unknown_language_on_the_profile_is_refused(client, mentee):
    client.force_login(mentee)
    form = client.get("/me/profile/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, False)}
    data.update({"language": "xx", "display_name": "Maya Mentee", "timezone": "Europe/London"})

    response = client.post("/me/profile/", data)

    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    mentee.refresh_from_db()
    assert mentee.language == ""


def test_the_api_reads_and_writes_the_language(api_as, mentee):
    api = api_as(mentee)
    assert api.get("/api/v1/me/").json()["language"] == ""

    assert api.patch("/api/v1/me/", {"language": "de"}, format="json").json()["language"] == "de"
    mentee.refresh_from_db()
    assert mentee.language == "de"

    refused = api.patch("/api/v1/me/", {"language": "klingon"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["language"]
    assert api.patch("/api/v1/me/", {"language": ""}, format="json").json()["language"] == ""


def test_api_messages_follow_the_language_but_fields_and_codes_do_not(api, mentee):
    User.objects.filter(pk=mentee.pk).update(language="fr")
    mentee.refresh_from_db()
    token = issue_api_token(user=mentee, now=timezone.now())
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")  # a script: no session, the token says who

    response = api.post("/api/v1/requests/", {"topic": "", "skills": []}, format="json")

    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    body = response.json()
    assert set(body) == {"topic", "skills"}
    assert body["topic"] == ["Dites en quelques mots sur quoi vous avez besoin d'aide."]
    assert body["skills"] == ["Choisissez au moins une compétence."]


def test_form_errors_are_in_the_persons_language(client, mentee):
    SkillFactory(name="Public speaking", slug="public-speaking")
    User.objects.filter(pk=mentee.pk).update(language="fr")
    client.force_login(mentee)

    response = client.post("/requests/new/", {"topic": "", "needed_by": "", "duration": "30"})

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Dites en quelques mots sur quoi vous avez besoin d'aide." in html
    assert "Choisissez au moins une compétence." in html


def test_dates_and_numbers_follow_the_language(client, mentee):
    start = datetime(2031, 12, 12, 9, 0, tzinfo=UTC)  # a Friday
    booking = BookingFactory(mentee=mentee, start=start, end=start.replace(minute=30))
    client.force_login(mentee)

    french = client.get(f"/sessions/{booking.pk}/", **FRENCH).content.decode()
    german = client.get(f"/sessions/{booking.pk}/", **GERMAN).content.decode()

    assert "vendredi 12 décembre 2031, 09:00" in french
    assert "Freitag, 12. Dezember 2031, 09:00" in german


def invite_of(email) -> str:
    part = email.attachments[0]
    assert isinstance(part, MIMEBase)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n ", "")  # unfolded


def _confirmation_to(booking, person) -> OutboundMessage:
    return OutboundMessage.objects.create(
        kind=OutboundMessage.Kind.CONFIRMATION, recipient=person, booking=booking, due_at=timezone.now()
    )


def test_an_email_is_in_its_recipients_language_whoever_caused_it(db):
    french_mentor = UserFactory(
        display_name="Camille", language="fr", timezone="Europe/Paris", is_mentor=True
    )
    english_mentee = UserFactory(display_name="Maya", timezone="Europe/London")
    start = datetime(2031, 12, 12, 9, 0, tzinfo=UTC)
    booking = BookingFactory(mentor=french_mentor, mentee=english_mentee, start=start, topic="Board talk")

    with translation.override("de"):  # whatever the request that queued them was in
        to_mentor = notifications.compose(_confirmation_to(booking, french_mentor))
        to_mentee = notifications.compose(_confirmation_to(booking, english_mentee))

    assert to_mentor.subject == "Réservé\u00a0: 30 min avec Maya, ven 12 déc 10:00 (Europe/Paris)"
    assert "Maya a réservé 30 minutes avec vous." in to_mentor.body
    assert "vendredi 12 décembre 2031, 10:00–10:30" in to_mentor.body
    html, _mimetype = to_mentor.alternatives[0]
    assert isinstance(html, str)
    assert '<html lang="fr">' in html
    assert to_mentee.subject == "Booked: 30 min with Camille, Fri 12 Dec 09:00 (Europe/London)"
    assert "Your 30-minute session with Camille is booked." in to_mentee.body
    # The invite attached to each speaks its reader's language too.
    assert "SUMMARY:Sidebar\u00a0: 30 min avec Maya" in invite_of(to_mentor)
    assert "SUMMARY:Sidebar: 30 min with Camille" in invite_of(to_mentee)


def test_sending_the_outbox_writes_each_email_in_its_recipients_language(db):
    german = UserFactory(language="de", display_name="Jonas")
    booking = BookingFactory(mentee=german)
    _confirmation_to(booking, german)

    send_messages(message_ids=claim_due_messages(now=timezone.now(), batch_size=10))

    assert [email.subject.split(":")[0] for email in mail.outbox] == ["Gebucht"]


def test_the_calendar_feed_is_in_its_owners_language(db):
    owner = UserFactory(language="de", display_name="Jonas", timezone="Europe/Berlin")
    booking = BookingFactory(mentee=owner, topic="Vortrag")

    with translation.override("fr"):
        feed = calendar.feed_ics(owner, [booking]).decode().replace("\r\n ", "")

    assert "X-WR-CALNAME:Sidebar-Sitzungen" in feed
    assert f"SUMMARY:Sidebar: {booking.duration} Min. mit {booking.mentor.name}" in feed
    assert "DESCRIPTION:Thema: Vortrag" in feed


def test_the_invite_of_a_booking_from_a_request_gives_its_context_in_the_mentors_language(db):
    mentor = UserFactory(language="fr", timezone="Europe/Paris")
    need = MentorRequestFactory(topic="Négocier mon offre", context="L'offre expire vendredi.")
    booking = BookingFactory(mentor=mentor, mentee=need.asker, request=need, topic=need.topic)

    [event] = read_with_ical_js(calendar.booking_ics(booking, recipient=mentor))["events"]

    assert event["description"].startswith(
        "Sujet\u00a0: Négocier mon offre\n\nContexte\u00a0: L'offre expire vendredi.\n\nRejoindre\u00a0: "
    )


def test_shortlist_reasons_are_worded_in_the_active_language(db):
    from matching.ranking import Need

    now = datetime(2031, 12, 8, 8, 0, tzinfo=UTC)  # Monday
    need = Need(
        asker_id=1,
        skills=(),
        needed_by=datetime(2031, 12, 20, 17, 0, tzinfo=UTC),
        duration_minutes=30,
        asker_timezone="Europe/Paris",
        asker_department_id=None,
        prefer_other_department=False,
        prefer_same_timezone=False,
    )
    from marketplace.slots import Interval

    slot = Interval(datetime(2031, 12, 12, 9, 0, tzinfo=UTC), datetime(2031, 12, 12, 9, 30, tzinfo=UTC))

    with translation.override("fr"):
        french = slot_sentence(need, slot, now)
    with translation.override("en-gb"):
        english = slot_sentence(need, slot, now)

    assert french == "Libre ven 10:00, 8 jours avant votre échéance"
    assert english == "Free Fri 10:00, 8 days before your deadline"


SIGNED_IN_PAGES = [
    "/",
    "/mentors/",
    "/me/profile/",
    "/me/availability/",
    "/requests/",
    "/requests/new/",
    "/sessions/",
    "/moments/",
    "/me/impact/",
]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_every_page_says_the_persons_language(client, mentee, path):
    User.objects.filter(pk=mentee.pk).update(language="fr")
    client.force_login(mentee)

    response = client.get(path, **GERMAN)

    assert response.status_code == 200
    assert html_lang(response.content.decode()) == "fr"


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_the_account_pages_say_the_browsers_language(client, db, path):
    response = client.get(path, **GERMAN)

    html = response.content.decode()
    assert html_lang(html) == "de"
    assert "Anmelden" in html or "Registrieren" in html or "Passwort" in html


def test_the_hr_dashboard_in_french(client, hr):
    User.objects.filter(pk=hr.pk).update(language="fr")
    client.force_login(hr)

    html = client.get("/insights/").content.decode()

    assert html_lang(html) == "fr"
    assert "<h1>Indicateurs</h1>" in html
    assert "Afficher les chiffres" in html
