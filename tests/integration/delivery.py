"""Helpers of the real-worker outbox tests: worker settings, beat arguments, and counting what went out.

Emails land one file per message, named by their outbox row (tests/integration/email_backends.py), so "once"
is a count of files.
"""

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from sessions_app.models import OutboundMessage
from sessions_app.tasks import send_due_messages
from tests.waiting import wait_until

if TYPE_CHECKING:
    from tests.integration.conftest import WorkerProcess

BACKEND = "tests.integration.email_backends.OneFilePerMessageBackend"


def worker_env(mail_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": BACKEND,
        "EMAIL_FILE_PATH": str(mail_dir),
        "OUTBOX_SWEEP_EVERY_SECONDS": "1",
        "OUTBOX_BATCH_SIZE": "10",
        **extra,
    }


def with_beat(folder: Path) -> list[str]:
    """Arguments that run beat inside the worker, its schedule file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return ["-B", "-s", str(folder / "beat-schedule")]


def deliveries(mail_dir: Path) -> Counter:
    """How many emails went out per outbox row id."""
    return Counter(path.name.split("-", 1)[0] for path in mail_dir.glob("*.eml"))


def wait_until_all_sent(expected: int, timeout: float = 90) -> None:
    wait_until(
        lambda: OutboundMessage.objects.filter(status="sent").count() >= expected,
        timeout=timeout,
        interval=0.1,
        message=lambda: (
            f"{expected} messages sent: "
            f"{list(OutboundMessage.objects.values_list('id', 'status', 'attempts'))}"
        ),
    )


RECEIVED = re.compile(r"Task [\w.]+\[([\w-]+)\] received$", re.MULTILINE)
FINISHED = re.compile(r"Task [\w.]+\[([\w-]+)\] (?!received$)", re.MULTILINE)  # succeeded, raised, retry...


def sweep_again(workers: list["WorkerProcess"], count: int = 2) -> None:
    """Queues `count` more sweeps and waits until they have run and the live workers are idle, so that
    whatever a sweep after the last delivery would send again has been sent by the time files are counted.
    """
    sweeps = {send_due_messages.delay().id for _ in range(count)}
    live = [worker for worker in workers if worker.process.poll() is None]

    def done() -> bool:
        logs = [worker.log_path.read_text() for worker in live]
        received = {task for log in logs for task in RECEIVED.findall(log)}
        finished = {task for log in logs for task in FINISHED.findall(log)}
        return sweeps <= finished and received <= finished

    wait_until(
        done,
        timeout=60,
        interval=0.1,
        message=lambda: (
            f"sweeps {sorted(sweeps)} to run and the workers to go idle:\n"
            + "\n".join(worker.log_tail(1500) for worker in live)
        ),
    )


def assert_each_delivered_once(mail_dir: Path, ids: set[int]) -> None:
    counts = deliveries(mail_dir)
    assert {key for key, count in counts.items() if count > 1} == set()
    assert set(counts) == {str(pk) for pk in ids}
