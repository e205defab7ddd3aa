"""No process that the suite starts may outlive its test, nor the run (a plugin, see tests/conftest.py).

Every pytest process (the only one, or each pytest-xdist worker and the controller) becomes a child
subreaper (Linux prctl): a process orphaned by its parent's death, such as the beat of a SIGKILLed
`celery worker -B`, is re-parented to pytest instead of to init, so it stays among pytest's descendants,
where this plugin sees it.

- After each test: a descendant that the test started (not one that descends from what was already running,
  e.g. a session-scoped browser opening renderers) and that is still alive is killed, and the test errors.
- At the end of the run: every descendant still alive is killed, named, and the run fails. A pytest-xdist
  worker hands its findings to the controller, which reports them.

Linux only (/proc); elsewhere the checks find nothing and pass.
"""

import contextlib
import ctypes
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PR_SET_CHILD_SUBREAPER = 36
PROC = Path("/proc")
_LEFTOVERS = pytest.StashKey[list[str]]()


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    started: int  # clock ticks after boot: with the pid, names one process even once its pid is reused
    state: str
    command: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.pid, self.started)

    def __str__(self) -> str:
        return f"pid {self.pid}: {self.command}"


def become_subreaper() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: orphans go to init, out of sight
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def read_process(pid: int) -> Process | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        raw_command = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after its last ")".
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    command = raw_command.replace(b"\0", b" ").decode(errors="replace").strip() or f"[{name}]"
    return Process(pid=pid, ppid=int(fields[1]), state=fields[0], started=int(fields[19]), command=command)


def children_of(pid: int) -> list[int]:
    """Direct children, from each thread's /proc/<pid>/task/<tid>/children (a scan where those are absent)."""
    tasks = PROC / str(pid) / "task"
    found: list[int] = []
    try:
        threads = list(tasks.iterdir())
    except OSError:
        return []
    for thread in threads:
        try:
            found.extend(int(child) for child in (thread / "children").read_text().split())
        except FileNotFoundError:
            return _children_by_scan(pid)
        except OSError:
            continue
    return found


def _children_by_scan(pid: int) -> list[int]:
    children = []
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (process := read_process(int(entry.name))) and process.ppid == pid:
            children.append(process.pid)
    return children


def descendants(root: int | None = None) -> dict[tuple[int, int], Process]:
    """Every live (not zombie) process below `root` (this process by default), by key."""
    if not PROC.is_dir():
        return {}
    found: dict[tuple[int, int], Process] = {}
    pending = children_of(os.getpid() if root is None else root)
    while pending:
        process = read_process(pending.pop())
        if process is None:
            continue
        if process.state != "Z":
            found[process.key] = process
        pending.extend(children_of(process.pid))
    return found


def started_since(before: dict[tuple[int, int], Process]) -> list[Process]:
    """Live descendants that are not in `before` and do not descend from a process in `before`."""
    now = descendants()
    by_pid = {process.pid: process for process in now.values()}
    known_pids = {process.pid for key, process in now.items() if key in before}
    new = []
    for key, process in now.items():
        if key in before:
            continue
        parent = by_pid.get(process.ppid)
        while parent is not None and parent.pid not in known_pids:
            parent = by_pid.get(parent.ppid)
        if parent is None:
            new.append(process)
    return new


def _alive(process: Process) -> bool:
    current = read_process(process.pid)
    return current is not None and current.started == process.started and current.state != "Z"


def _signal_all(processes: list[Process], signum: int) -> None:
    for process in processes:
        if _alive(process):
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signum)


def _wait_gone(processes: list[Process], timeout: float) -> list[Process]:
    deadline = time.monotonic() + timeout
    while (alive := [process for process in processes if _alive(process)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def stop_leftovers(find, grace: float) -> list[Process]:
    """Gives what `find()` returns `grace` seconds to end by itself; then terminates, and kills, the rest.

    Returns those that had to be stopped (empty when everything ended in time).
    """
    leftovers = find()
    if leftovers:
        leftovers = _wait_gone(leftovers, grace)
    if leftovers:
        _signal_all(leftovers, signal.SIGTERM)
        _signal_all(_wait_gone(leftovers, 5), signal.SIGKILL)
        _wait_gone(leftovers, 5)
    return leftovers


def describe(processes: list[Process]) -> str:
    return "\n".join(f"  {process}" for process in processes)


def pytest_configure(config: pytest.Config) -> None:
    become_subreaper()
    config.stash[_LEFTOVERS] = []


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test():
    """Autouse, so it is set up before (and torn down after) the test's other function-scoped fixtures."""
    before = descendants()
    yield
    left = stop_leftovers(lambda: started_since(before), grace=2)
    if left:
        pytest.fail(
            f"the test left {len(left)} process(es) running (now killed): stop what a test starts "
            f"in a fixture's teardown (terminate, wait with a timeout, then kill)\n{describe(left)}",
            pytrace=False,
        )


@pytest.hookimpl(trylast=True)  # in the controller, after pytest-xdist has shut its workers down
def pytest_sessionfinish(session: pytest.Session) -> None:
    left = stop_leftovers(lambda: list(descendants().values()), grace=5)
    found = [f"{process} (in pytest pid {os.getpid()})" for process in left]
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: the controller reports
        session.config.workeroutput["leftover_processes"] = found
        return
    session.config.stash[_LEFTOVERS].extend(found)
    if session.config.stash[_LEFTOVERS]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: unknown under -p no:xdist
def pytest_testnodedown(node, error) -> None:
    found = getattr(node, "workeroutput", {}).get("leftover_processes", [])
    node.config.stash[_LEFTOVERS].extend(found)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    found = config.stash.get(_LEFTOVERS, [])
    if found:
        terminalreporter.section("processes left running by the suite (now killed)", red=True, bold=True)
        for line in found:
            terminalreporter.line(line, red=True)
        terminalreporter.line("the run fails: every process a test starts must be stopped by that test")
