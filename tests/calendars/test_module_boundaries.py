"""calendars sits above marketplace and below sessions_app (docs/design.md): marketplace and matching never
import it, its services never import its tasks, and the task it starts by name is known in every process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sessions_app.test_module_boundaries import imported_names

ROOT = Path(__file__).resolve().parents[2]
BELOW = sorted([*(ROOT / "marketplace").rglob("*.py"), *(ROOT / "matching").rglob("*.py")])


@pytest.mark.parametrize("path", BELOW, ids=lambda path: str(path.relative_to(ROOT)))
def test_marketplace_and_matching_never_import_calendars(path):
    package = ".".join(path.relative_to(ROOT).parts[:-1])

    imports = imported_names(path.read_text(), package=package)

    assert {name for name in imports if name == "calendars" or name.startswith("calendars.")} == set()


def test_the_services_never_import_the_tasks():
    path = ROOT / "calendars" / "services.py"

    imports = imported_names(path.read_text(), package="calendars")

    assert {name for name in imports if name.startswith("calendars.tasks")} == set()


def test_a_fresh_process_knows_the_task_that_connecting_a_calendar_starts_by_name():
    code = (
        "import django; django.setup(); from celery import current_app; "
        "from calendars.services import SYNC_DUE_TASK; print(current_app.signature(SYNC_DUE_TASK).type.name)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "calendars.tasks.sync_due_calendars"
