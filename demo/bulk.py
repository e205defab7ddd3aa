"""Bulk writing for the demo's hundreds of thousands of rows of history: COPY on PostgreSQL, executemany
elsewhere, with rows of plain values (timestamps as the database's UTC text).
"""

import io
import time as clock
from collections.abc import Callable
from datetime import date

from django.db import connection

COPY_BATCH_SIZE = 50_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# progress(label, done, total): `total` is None while it is not known yet (rows still being generated), and
# never a guess, so a total once shown is the final one.
Progress = Callable[[str, int, int | None], None]


class BulkWriter:
    """Batches rows of plain values into one table: COPY on PostgreSQL, executemany elsewhere.

    Tens of times faster than bulk_create for the demo's hundreds of thousands of rows. Text must hold no tab,
    newline or backslash (COPY's text format).
    """

    def __init__(self, table: str, columns: tuple[str, ...], progress: Progress, label: str) -> None:
        self.table, self.columns, self.progress, self.label = table, columns, progress, label
        self.rows: list[tuple] = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= COPY_BATCH_SIZE:
            self.flush()
            self.progress(self.label, self.written, None)  # how many there will be is not known yet

    def flush(self) -> None:
        if not self.rows:
            return
        quoted = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                buffer.writelines("\t".join(map(copy_value, row)) + "\n" for row in self.rows)
                buffer.seek(0)
                cursor.copy_expert(f"COPY {self.table} ({quoted}) FROM STDIN", buffer)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> int:
        self.flush()
        self.progress(self.label, self.written, self.written)
        return self.written


def first_free_id(table: str) -> int:
    """The first id free in `table`: rows written with explicit ids start there."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        return (cursor.fetchone()[0] or 0) + 1


def reset_id_sequence(table: str) -> None:
    """After rows with explicit ids, moves PostgreSQL's id sequence past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))", [table]
        )


def copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def timestamp_formatter(postgres: bool) -> Callable[[int], str]:
    """Seconds since the epoch as the database's UTC text; cached, since sessions share grid times."""
    suffix = "+00" if postgres else ""
    cache: dict[int, str] = {}

    def stamp(seconds: int) -> str:
        text = cache.get(seconds)
        if text is None:
            text = cache[seconds] = clock.strftime("%Y-%m-%d %H:%M:%S", clock.gmtime(seconds)) + suffix
        return text

    return stamp
