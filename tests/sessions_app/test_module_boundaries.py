"""The services, the outbox and the sweep never import the Celery tasks (the tasks import them), and the
tasks they start by name are known in every process."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "sessions_app"
NOT_IMPORTING_TASKS = sorted([*(APP / "services").glob("*.py"), APP / "outbox.py", APP / "sweep.py"])
TASKS = "sessions_app.tasks"


def imported_names(source: str, *, package: str) -> set[str]:
    """Every module named by an import in `source` (a module of `package`), at the top or inside a function,
    relative ones resolved: `from a import b` names `a` and `a.b` (b may be a module), and
    `import_module("x")` names x."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in {"import_module", "__import__"}:
                names.add(str(node.args[0].value))
    return names


def test_the_modules_checked_are_the_services_the_outbox_and_the_sweep():
    names = {str(path.relative_to(APP)) for path in NOT_IMPORTING_TASKS}
    assert {"outbox.py", "sweep.py", "services/bookings.py", "services/feedback.py"} <= names


@pytest.mark.parametrize("path", NOT_IMPORTING_TASKS, ids=lambda path: str(path.relative_to(APP)))
def test_no_service_outbox_or_sweep_module_imports_the_tasks(path):
    package = ".".join(path.relative_to(ROOT).parts[:-1])

    imports = imported_names(path.read_text(), package=package)

    assert {name for name in imports if name == TASKS or name.startswith(TASKS + ".")} == set()


@pytest.mark.parametrize(
    "source",
    [
        "import sessions_app.tasks",
        "def start():\n    from sessions_app.tasks import send_due_messages",
        "def start():\n    from sessions_app import tasks",
        "from .. import tasks",
        "from ..tasks import send_due_messages",
        "import importlib\nimportlib.import_module('sessions_app.tasks')",
    ],
)
def test_the_scan_sees_every_way_of_importing_the_tasks(source):
    assert TASKS in imported_names(source, package="sessions_app.services")


def test_a_fresh_process_knows_the_sweep_task_the_outbox_starts_by_name():
    # A web process imports no task module itself: apps.py registers them, so that starting a sweep by name
    # runs the task in-process when tasks are (task_always_eager) instead of sending it to no broker.
    code = (
        "import django; django.setup(); from celery import current_app; "
        "from sessions_app.outbox import SWEEP_TASK; print(current_app.signature(SWEEP_TASK).type.name)"
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
    assert result.stdout.strip() == "sessions_app.tasks.send_due_messages"
