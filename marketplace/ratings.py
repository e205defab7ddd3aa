"""Average ratings, rounded in one place and once, from the exact average: pages show one decimal, the API
two, halves rounded up (4.25 reads 4.3 on every page), so that no two pages, nor a page and the API, disagree.

Selectors hand out exact averages; only these functions round them.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

PAGE_DIGITS = 1
API_DIGITS = 2


def rounded_rating(average: float, digits: int) -> Decimal:
    """`average` to `digits` decimals, halves up. From its shortest decimal form (repr), so that 4.35, which
    binary floats store as 4.34999…, still rounds up as a person would."""
    return Decimal(repr(float(average))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def rating_for_page(average: float) -> str:
    """One decimal in the reader's notation: "4.3", "4,3" in French and German."""
    return number_format(rounded_rating(average, PAGE_DIGITS), PAGE_DIGITS)


def rating_for_api(average: float | None) -> float | None:
    """Two decimals, as docs/api.md promises (`null` stays `null`)."""
    return None if average is None else float(rounded_rating(average, API_DIGITS))
