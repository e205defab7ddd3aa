"""How a figure is written: rates as fractions from 0 to 1, hours to a tenth; None when there is nothing."""

from datetime import timedelta


def rate(part: float | None, whole: float | None, digits: int = 4) -> float | None:
    if not whole or part is None:
        return None
    return round(part / whole, digits)


def hours(value: timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        value = value.total_seconds() / 3600
    return round(value, 1)
