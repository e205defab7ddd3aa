"""Fails while a translation is incomplete: `make lint` and CI run it (tests/i18n runs it too).

Every language of settings.LANGUAGES but LANGUAGE_CODE has a catalog in locale/ whose strings are exactly
those of the sources (makemessages is run on a copy to compare), each translated (every plural form), none
fuzzy, with the same placeholders as the English.
"""

import re
import shutil
import tempfile
from contextlib import chdir
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from marketplace.management.commands.makemessages import IGNORED

PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]*\}")
Key = tuple[str | None, str, str]


def catalog_problems(path: Path, *, expected: set[Key] | None = None) -> list[str]:
    """What is wrong with one catalog: a string not translated (or one plural form), a fuzzy one, a
    placeholder missing or added, and with `expected` (the sources' strings), one missing or left over."""
    import polib  # a development dependency (pyproject's dev extras): only this check reads .po files

    if not path.exists():
        return [f"{path}: missing (run: manage.py makemessages -l {path.parent.parent.name})"]
    catalog = polib.pofile(str(path))
    problems = []
    if catalog.metadata_is_fuzzy:
        problems.append(f"{path}: the header is marked fuzzy")
    for entry in catalog:
        name = f"{path}: {entry.msgid!r}"
        if entry.obsolete:
            problems.append(f"{name} is obsolete")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{name} is fuzzy")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not translations or not all(translations):
            problems.append(f"{name} is not translated")
            continue
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural)))
        for translation in translations:
            found = sorted(set(PLACEHOLDER.findall(translation)))
            # A singular may leave the count out ("un jour"); a placeholder of its own never.
            if not set(found) <= set(wanted) or (not entry.msgid_plural and found != wanted):
                problems.append(f"{name}: placeholders {found} instead of {wanted}")
    if expected is not None:
        present = {entry_key(entry) for entry in catalog if not entry.obsolete}
        problems += [
            f"{path}: {key[1]!r} is in the sources but not here"
            for key in sorted(expected - present, key=str)
        ]
        problems += [
            f"{path}: {key[1]!r} is no longer in the sources" for key in sorted(present - expected, key=str)
        ]
    return problems


def entry_key(entry) -> Key:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def source_strings() -> set[Key]:
    """The strings makemessages finds in the sources today, from a copy (it writes catalogs, and temporary
    files beside the templates)."""
    import polib

    base = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "sources"
        shutil.copytree(
            base, copy, ignore=shutil.ignore_patterns(*IGNORED, ".*", "__pycache__", "*.sqlite3*")
        )
        with override_settings(LOCALE_PATHS=[copy / "locale"]), chdir(copy):
            call_command("makemessages", locale=["xx"], verbosity=0)
        extracted = copy / "locale" / "xx" / "LC_MESSAGES" / "django.po"
        if not extracted.exists() or not extracted.stat().st_size:  # sources without a string to translate
            return set()
        return {entry_key(entry) for entry in polib.pofile(str(extracted))}


class Command(BaseCommand):
    help = (
        "Fails while a catalog in locale/ misses a string of the sources, or has one untranslated or fuzzy."
    )

    def handle(self, *args, **options):
        if shutil.which("xgettext") is None:
            raise CommandError("gettext is not installed: apt-get install gettext")
        expected = source_strings()
        problems = []
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            path = Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.po"
            problems += catalog_problems(path, expected=expected)
        if problems:
            raise CommandError("Translations are not complete:\n  " + "\n  ".join(problems))
        self.stdout.write(f"{len(expected)} strings, translated in every language.")
