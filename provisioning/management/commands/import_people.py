"""manage.py import_people FILE [--dry-run]: HR's CSV file of people, imported all or nothing (docs/api.md,
"Importing people")."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from provisioning import people_csv, selectors, services

# The page takes 10,000 people at once; a file given to the command may list a whole company.
MAX_ROWS = 500_000
MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Imports people from a CSV file (columns: email, name, department, job title, level, manager): "
        "new addresses are created, known ones updated, all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file; - for standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and say what would change; write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        content = self._read(file)
        try:
            parsed = people_csv.parse_people_csv(content, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
        except people_csv.BadFile as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Read {parsed.people:,} people from {file}.")
        if parsed.ignored:
            self.stdout.write(f"Columns not read: {', '.join(parsed.ignored)}.")
        preview = selectors.import_preview(
            parsed.rows, parsed.row_numbers, manager_header=parsed.headers.get(people_csv.MANAGER)
        )
        errors = sorted(parsed.errors + preview.errors, key=lambda error: error.row)
        for problem in errors:
            where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
            self.stderr.write(f"{where}: {problem.message}")
        if errors:
            raise CommandError(f"{len(errors)} problem(s) in the file: nothing was imported.")
        summary = (
            f"{preview.count(selectors.NEW)} new, {preview.count(selectors.UPDATE)} to update, "
            f"{preview.count(selectors.UNCHANGED)} unchanged"
        )
        if dry_run:
            self.stdout.write(
                f"Would import {len(parsed.rows)} people: {summary}. Nothing written (--dry-run)."
            )
            return
        result = services.import_people(rows=parsed.rows, now=timezone.now(), progress=self._progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(parsed.rows)} people: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )

    def _read(self, file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read(MAX_BYTES + 1)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}.")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")
        return path.read_bytes()

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  {done:,} of {total:,} people written")
