"""Database helpers of the selectors: which backend answers, and rows without Django's per-row work."""

from django.db import connection
from django.db.models import QuerySet


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list queryset as the driver returns them, without Django's per-row work: for long
    lists of plain numbers and text only (no dates, durations or booleans, which SQLite returns raw)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
