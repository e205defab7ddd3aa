"""Django's makemessages, with Sidebar's defaults: only our own sources, the catalogs without obsolete entries
and with file names only (line numbers would change every catalog on every edit).

    .venv/bin/python manage.py makemessages -l fr -l de

then translate what is new (msgstr ""), and `make messages` compiles. tests/i18n/test_translations.py
fails while a catalog misses a string of the sources, has an untranslated or fuzzy one, or keeps an old one.
"""

from django.core.management.commands import makemessages

# Not translated: the tests, benchmarks and demo content (people's names, seeded topics), docs, migrations,
# and what npm and pip installed.
IGNORED = [
    ".venv",
    "node_modules",
    "static",
    "staticfiles",
    "tests",
    "bench",
    "demo",
    "docs",
    "locale",
    "*/migrations/*",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["no_obsolete"] = True
        if options.get("add_location") is None:
            options["add_location"] = "file"
        return super().handle(*args, **options)
