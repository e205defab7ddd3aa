"""The real-world shaped calendars of tests/calendars/ics/, as their servers send them (CRLF line ends)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

ICS = Path(__file__).resolve().parent / "ics"
# The window the files were written for: 60 days from Monday 2 March 2026, across both clock changes of
# 2026 (8 March in New York, 29 March in Berlin).
WINDOW_START = datetime(2026, 3, 2, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=60)


def ics(name: str) -> bytes:
    return (ICS / f"{name}.ics").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant of 2026 in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)
