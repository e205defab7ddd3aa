"""manage.py check_translations (make lint, CI): French and German stay complete as the sources change."""

from pathlib import Path

import polib
import pytest
from django.core.management import CommandError, call_command

from marketplace.management.commands.check_translations import catalog_problems, entry_key, source_strings

CATALOGS = sorted(Path(__file__).resolve().parents[2].glob("locale/*/LC_MESSAGES/django.po"))


def test_french_and_german_are_complete_and_match_the_sources(capsys):
    call_command("check_translations")

    assert "translated in every language" in capsys.readouterr().out
    assert [path.parent.parent.name for path in CATALOGS] == ["de", "fr"]


def test_the_sources_strings_include_templates_python_and_plurals():
    found = source_strings()

    assert (None, "Find a mentor", "") in found  # marketplace/context_processors.py
    assert (None, "Confirm booking", "") in found  # templates/sessions_app/book.html
    assert (None, "%(counter)s start", "%(counter)s starts") in found  # a {% blocktranslate count %}
    assert ("request status", "Open", "") in found


def write_catalog(path: Path, entries: list[polib.POEntry]) -> Path:
    catalog = polib.POFile()
    catalog.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    for entry in entries:
        catalog.append(entry)
    catalog.save(str(path))
    return path


GOOD = polib.POEntry(msgid="Hello, %(name)s", msgstr="Bonjour, %(name)s")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (polib.POEntry(msgid="Save", msgstr=""), "'Save' is not translated"),
        (polib.POEntry(msgid="Save", msgstr="Enregistrer", flags=["fuzzy"]), "'Save' is fuzzy"),
        (
            polib.POEntry(
                msgid="%(n)s day", msgid_plural="%(n)s days", msgstr_plural={0: "%(n)s jour", 1: ""}
            ),
            "'%(n)s day' is not translated",
        ),
        (
            polib.POEntry(msgid="Hello, %(name)s", msgstr="Bonjour, %(nom)s"),
            "placeholders ['%(nom)s'] instead of ['%(name)s']",
        ),
        (polib.POEntry(msgid="Moved: {when}", msgstr="Déplacée"), "placeholders [] instead of ['{when}']"),
        (polib.POEntry(msgid="Gone", msgstr="Parti", obsolete=True), "'Gone' is obsolete"),
    ],
)
def test_an_incomplete_catalog_is_refused_naming_the_string(tmp_path, entry, problem):
    path = write_catalog(tmp_path / "django.po", [GOOD, entry])

    problems = catalog_problems(path)

    assert len(problems) == 1
    assert problem in problems[0]


def test_a_plural_may_leave_the_count_out_of_its_singular(tmp_path):
    entry = polib.POEntry(
        msgid="%(n)s day", msgid_plural="%(n)s days", msgstr_plural={0: "un jour", 1: "%(n)s jours"}
    )

    assert catalog_problems(write_catalog(tmp_path / "django.po", [GOOD, entry])) == []


def test_a_catalog_behind_or_ahead_of_the_sources_is_refused(tmp_path):
    path = write_catalog(
        tmp_path / "django.po", [GOOD, polib.POEntry(msgid="Old words", msgstr="Vieux mots")]
    )
    sources = {entry_key(GOOD), (None, "New words", "")}

    problems = catalog_problems(path, expected=sources)

    assert problems == [
        f"{path}: 'New words' is in the sources but not here",
        f"{path}: 'Old words' is no longer in the sources",
    ]


def test_the_command_fails_listing_the_problems(settings, tmp_path):
    (tmp_path / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    write_catalog(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po", [GOOD])
    settings.BASE_DIR = tmp_path
    settings.LANGUAGES = [("en-gb", "English"), ("fr", "Français"), ("de", "Deutsch")]

    with pytest.raises(CommandError) as failure:
        call_command("check_translations")

    message = str(failure.value)
    assert "locale/de/LC_MESSAGES/django.po: missing" in message
    assert "'Hello, %(name)s' is no longer in the sources" in message
