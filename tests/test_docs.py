"""The documentation lives in the repository and covers the API the code serves.

Every citation points into docs/ (never to a brief outside the repository), every /api/v1/ path the URL
configuration serves is in docs/api.md, and every path docs/api.md presents as available is served.
"""

import os
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
SKIPPED_DIRS = {".git", ".venv", "node_modules", "vendor", "staticfiles", "__pycache__"}
CHECKED_SUFFIXES = {".py", ".md", ".html"}
# The old homes of the brief: a path outside the repository, or a bare name with no docs/ in front of it.
OUTSIDE_CITATION = re.compile(r"\.\./shared/|(?<![\w/.-])(?:API|DESIGN)\.md\b|\bapi-extensions\.md\b")
PLANNED_HEADING = "## Planned (not yet available)"
DOCUMENTED_PATH = re.compile(r"/api/v1/[^\s`?)\"'<>,]*")
# {id}, <int:pk>, or the number of an example ("/api/v1/bookings/41/ics/") all stand for a path parameter.
PLACEHOLDER = re.compile(r"\{[^}/]*\}|<[^>/]*>|(?<=/)\d+(?=/)")


def _checked_files():
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRS]
        for name in files:
            path = Path(directory) / name
            if path.suffix in CHECKED_SUFFIXES:
                yield path


def _served_paths(patterns, prefix: str = "") -> set[str]:
    """Every route of the URL configuration, with each converter written as {}."""
    found = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= _served_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.add("/" + PLACEHOLDER.sub("{}", route))
    return found


def _api_v1_paths() -> set[str]:
    return {path for path in _served_paths(get_resolver().url_patterns) if path.startswith("/api/v1/")}


def _documented_paths(text: str) -> set[str]:
    """The /api/v1/ paths a text names (the bare prefix, as in "JSON under /api/v1/", names none)."""
    return {PLACEHOLDER.sub("{}", path) for path in DOCUMENTED_PATH.findall(text) if path != "/api/v1/"}


def _available_part(text: str) -> str:
    """docs/api.md without its planned section: what it presents as available today."""
    return text.split(PLANNED_HEADING, 1)[0]


def test_no_file_cites_a_brief_outside_the_repository():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _checked_files()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE_CITATION.search(line)
    ]
    assert offenders == [], "cite docs/api.md or docs/design.md instead:\n" + "\n".join(offenders)


def test_every_api_path_the_code_serves_is_documented():
    documented = _documented_paths(_available_part(API_DOC.read_text(encoding="utf-8")))
    served = _api_v1_paths()
    assert served, "the URL configuration serves no /api/v1/ path: the test looks in the wrong place"
    assert sorted(served - documented) == []


def test_every_path_documented_as_available_is_served():
    documented = _documented_paths(_available_part(API_DOC.read_text(encoding="utf-8")))
    assert sorted(documented - _api_v1_paths()) == []


def test_the_planned_section_is_marked_and_last():
    text = API_DOC.read_text(encoding="utf-8")
    assert text.count(PLANNED_HEADING) == 1
    after = text.split(PLANNED_HEADING, 1)[1]
    assert not re.search(r"^## ", after, flags=re.MULTILINE), "nothing available may follow the planned part"
