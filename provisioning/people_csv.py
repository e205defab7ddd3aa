"""Reading HR's CSV file of people (pure: the file's bytes in, the people and the problems out, nothing read
from or written to the database).

Columns (the first line names them, in any order and case): ``email`` and ``name`` required; ``department``,
``job title``, ``level`` and ``manager`` (the manager's email) optional. A column the file has sets that value
for everyone in it (an empty cell clears it); a column it lacks leaves what is stored alone. Commas or
semicolons (as Excel writes CSV where the decimal mark is a comma), UTF-8 with or without a byte order mark.

A file that cannot be read as such a table raises ``BadFile`` with what to do; a file that can is read
to the end, every problem in it reported with its row (as a spreadsheet numbers it: the header is row 1) and
its column (as the file names it).
"""

import csv
import io
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext, ngettext

from marketplace.models import JobLevel
from provisioning import values

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
EMAIL, NAME, DEPARTMENT, JOB_TITLE, LEVEL, MANAGER = (
    "email",
    "name",
    "department",
    "job title",
    "level",
    "manager",
)
REQUIRED = (EMAIL, NAME)
OPTIONAL = (DEPARTMENT, JOB_TITLE, LEVEL, MANAGER)
# How each column may be named: compared in lower case, with runs of spaces, "_" and "-" as one space.
_ALIASES = {
    EMAIL: {"email", "e mail", "email address", "e mail address", "mail", "work email"},
    NAME: {"name", "full name", "display name"},
    DEPARTMENT: {"department", "dept", "team"},
    JOB_TITLE: {"job title", "title", "position", "role"},
    LEVEL: {"level", "job level", "grade"},
    MANAGER: {"manager", "manager email", "manager e mail", "manager email address"},
}
_COLUMN_OF = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
HEADER_EXAMPLE = "email,name,department,job title,level,manager"


@dataclass(frozen=True)
class ImportedRow:
    """One person of the file, each value cleaned (provisioning.values); None for a column the file lacks."""

    email: str
    display_name: str
    department: str | None = None
    job_title: str | None = None
    job_level: str | None = None
    manager_email: str | None = None


class BadFile(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # as the file's header writes it; "" for the row as a whole
    message: str


@dataclass
class ParsedFile:
    columns: list[str]  # the columns the file has (EMAIL, NAME, …), in the file's order
    headers: dict[str, str]  # each column as the file's header writes it
    rows: list[ImportedRow] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the spreadsheet row of each of `rows`
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of columns Sidebar does not read
    people: int = 0  # the rows that list someone, with or without problems


def _normalised(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower()).strip()


def decode(content: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, or BadFile saying how to save it so that it can be read."""
    if not content.strip():
        raise BadFile(gettext("The file is empty."))
    if len(content) > max_bytes:
        raise BadFile(
            gettext("The file is larger than %(size)s MB: split it into smaller files.")
            % {"size": max_bytes // (1024 * 1024)}
        )
    if content.startswith(b"PK\x03\x04"):
        raise BadFile(
            gettext("This is a spreadsheet workbook, not a CSV file: in Excel, save it as “CSV UTF-8”.")
        )
    start = content[:4096]
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or start.count(b"\x00") * 10 >= len(start):
        raise BadFile(
            gettext("The file is saved as UTF-16 (“Unicode text”): save it as “CSV UTF-8” instead.")
        )
    if b"\x00" in content:
        raise BadFile(gettext("The file holds NUL characters: it is not a text file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise BadFile(
            gettext(
                "The file is not UTF-8 text (line %(line)s is the first that is not): in Excel, save it as "
                "“CSV UTF-8”; in LibreOffice or Numbers, choose UTF-8 as the encoding."
            )
            % {"line": line}
        ) from None
    return text


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def parse_people_csv(content: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> ParsedFile:
    text = decode(content, max_bytes=max_bytes)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        records = list(reader)
    except csv.Error as error:
        raise BadFile(
            gettext("Line %(line)s cannot be read as CSV (%(problem)s): check its double quotes.")
            % {"line": reader.line_num, "problem": str(error)[:80]}
        ) from None
    header_index = next(
        (index for index, record in enumerate(records) if any(cell.strip() for cell in record)), None
    )
    if header_index is None:
        raise BadFile(gettext("The file is empty."))
    parsed = _header(records[header_index])
    people = [(index + 1, record) for index, record in enumerate(records) if index > header_index]
    people = [(number, record) for number, record in people if any(cell.strip() for cell in record)]
    if not people:
        raise BadFile(gettext("The file names its columns but lists nobody."))
    if len(people) > max_rows:
        raise BadFile(
            ngettext(
                "The file lists %(count)s people; at most %(limit)s person can be imported at once.",
                "The file lists %(count)s people; at most %(limit)s people can be imported at once.",
                max_rows,
            )
            % {"count": len(people), "limit": max_rows}
        )
    parsed.people = len(people)
    seen: dict[str, int] = {}
    for number, record in people:
        row = _row(parsed, number, record, seen)
        if row is not None:
            parsed.rows.append(row)
            parsed.row_numbers.append(number)
    return parsed


def _header(record: list[str]) -> ParsedFile:
    written = [cell.strip() for cell in record]
    if any("@" in cell for cell in written):
        raise BadFile(
            gettext(
                "The first line holds a person, not the names of the columns: add a first line such as "
                "%(example)s."
            )
            % {"example": HEADER_EXAMPLE}
        )
    columns: list[str] = []
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for cell in written:
        column = _COLUMN_OF.get(_normalised(cell))
        if column is None:
            columns.append("")
            if cell:
                ignored.append(cell)
            continue
        if column in headers:
            raise BadFile(
                gettext("The columns “%(first)s” and “%(second)s” both give the %(column)s.")
                % {"first": headers[column], "second": cell, "column": column}
            )
        columns.append(column)
        headers[column] = cell
    missing = [column for column in REQUIRED if column not in headers]
    if missing:
        raise BadFile(
            gettext(
                "The first line must name the columns, with at least email and name (missing: %(missing)s). "
                "Found: %(found)s. For example: %(example)s."
            )
            % {
                "missing": ", ".join(missing),
                "found": ", ".join(cell for cell in written if cell)[:200] or "—",
                "example": HEADER_EXAMPLE,
            }
        )
    return ParsedFile(columns=columns, headers=headers, ignored=ignored)


def _row(parsed: ParsedFile, number: int, record: list[str], seen: dict[str, int]) -> ImportedRow | None:
    extra = record[len(parsed.columns) :]
    errors = parsed.errors
    if any(cell.strip() for cell in extra):
        errors.append(
            RowError(
                number,
                "",
                gettext(
                    "This row has %(cells)s cells but the first line names %(columns)s columns: put a value "
                    "with a comma in double quotes."
                )
                % {"cells": len(record), "columns": len(parsed.columns)},
            )
        )
        return None
    cells = {column: value for column, value in zip(parsed.columns, record, strict=False) if column}
    found: dict[str, str | None] = {}
    failed = False

    def clean(column: str, cleaner) -> None:
        nonlocal failed
        if column not in parsed.headers:
            found[column] = None
            return
        try:
            found[column] = cleaner(cells.get(column, ""))
        except values.BadValue as error:
            errors.append(RowError(number, parsed.headers[column], error.message))
            failed = True

    clean(EMAIL, values.clean_email)
    clean(NAME, _required_name)
    clean(DEPARTMENT, values.clean_department)
    clean(JOB_TITLE, values.clean_job_title)
    clean(LEVEL, values.clean_level)
    clean(MANAGER, _manager)
    email = found.get(EMAIL)
    if email:
        if email in seen:
            errors.append(
                RowError(
                    number,
                    parsed.headers[EMAIL],
                    gettext("This address is already on row %(row)s.") % {"row": seen[email]},
                )
            )
            failed = True
        else:
            seen[email] = number
        if found.get(MANAGER) == email:
            errors.append(RowError(number, parsed.headers[MANAGER], gettext("Nobody is their own manager.")))
            failed = True
    if failed or not email:
        return None
    return ImportedRow(
        email=email,
        display_name=found[NAME] or "",
        department=found[DEPARTMENT],
        job_title=found[JOB_TITLE],
        job_level=found[LEVEL],
        manager_email=found[MANAGER],
    )


def _required_name(value: str) -> str:
    name = values.clean_display_name(value)
    if not name:
        raise values.BadValue(gettext("A name is required."))
    return name


def _manager(value: str) -> str:
    return values.clean_email(value) if value.strip() else ""


def level_names() -> list[tuple[str, str]]:
    """The levels a file may name: each code with its label."""
    return [(level.value, str(level.label)) for level in JobLevel]


def stored(row: ImportedRow, number: int) -> dict:
    """A row as a PeopleImport keeps it (JSON), with its spreadsheet row number."""
    return {"row": number, **asdict(row)}


def from_stored(item: dict) -> tuple[int, ImportedRow]:
    return int(item["row"]), ImportedRow(
        email=item["email"],
        display_name=item["display_name"],
        department=item.get("department"),
        job_title=item.get("job_title"),
        job_level=item.get("job_level"),
        manager_email=item.get("manager_email"),
    )
