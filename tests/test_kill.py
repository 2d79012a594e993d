"""Kills of any process of an indexing run, at phases observed from the outside.

Each test starts a real ``barcamp-search index`` process, watches its children in
/proc and its index folder until the phase it wants is there (never a guessed delay),
kills, then checks: no process of the run is left, the index answers as before, the
next run succeeds without waiting for the lock.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_job import cli, command, totals, write_posts

QUERIES = ("", "python", "motrare3", "jean")
POSTS = 600


def wait_for(condition: Callable[[], object], seconds: float, step: float = 0.005) -> object:
    """Poll ``condition`` until it is true or the deadline passes; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def children_of(pid: int) -> dict[int, str]:
    """The live children of ``pid``, by PID, with their process names."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid and state != "Z":
            found[int(entry.name)] = name
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class Run:
    """One ``index`` run in the background, its children recorded as they appear."""

    def __init__(self, *args: object) -> None:
        self.process = subprocess.Popen(
            command("index", *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.children: dict[int, str] = {}

    def look(self) -> dict[int, str]:
        self.children.update(children_of(self.process.pid))
        return self.children

    def finished(self) -> bool:
        return self.process.poll() is not None

    def wait_for(self, condition: Callable[[], object], seconds: float = 120) -> bool:
        """True once ``condition`` holds while the run is still going."""

        def check() -> object:
            self.look()
            return self.finished() or condition()

        wait_for(check, seconds)
        return not self.finished() and bool(condition())

    def leftovers(self) -> list[int]:
        """Processes of the run still alive (polled until none, for 10 s)."""
        wait_for(lambda: not any(alive(pid) for pid in self.children), 10, step=0.05)
        return [pid for pid in self.children if alive(pid)]

    def end(self, timeout: float = 120) -> tuple[int, str]:
        _, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An archive of POSTS posts and its index (copied by each test)."""
    root = tmp_path_factory.mktemp("kill")
    write_posts(root / "archive", POSTS)
    result = cli("index", root / "archive", "--index", root / "index")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def setup(tmp_path, built):
    shutil.copytree(built / "archive", tmp_path / "archive")
    shutil.copytree(built / "index", tmp_path / "index")
    return tmp_path / "archive", tmp_path / "index"


def edit(archive: Path, tag: str, every: int = 3) -> None:
    for number, path in enumerate(sorted(archive.glob("*.rst"))):
        if number % every == 0:
            path.write_text(path.read_text().replace("phrase", f"phrase{tag}", 1))


def live(index_dir: Path) -> str:
    return (index_dir / "CURRENT").read_text().strip()


def new_generation(index_dir: Path, before: str) -> Path | None:
    fresh = [p for p in index_dir.glob("gen-*") if p.name > before]
    return max(fresh) if fresh else None


def in_new_generation(index_dir: Path, before: str, pattern: str) -> bool:
    generation = new_generation(index_dir, before)
    return generation is not None and live(index_dir) == before and any(generation.glob(pattern))


def check_after(run: Run, index_dir: Path, archive: Path, expected: list[int]) -> None:
    assert run.children, "the run had started children"
    assert run.leftovers() == [], f"processes of the run still alive: {run.children}"
    assert totals(index_dir, QUERIES) == expected
    result = cli("index", archive, "--index", index_dir, "--lock-timeout", "0")
    assert result.returncode == 0, result.stderr  # the lock was free: no child kept it
    assert totals(index_dir, QUERIES) == expected  # same posts, edited words
    stale = [
        p.name
        for p in index_dir.glob("gen-*")
        if p.name != live(index_dir) and not (p / "SUPERSEDED").exists()
    ]
    assert stale == []


PHASES = {
    # phase: (rebuild?, condition on (index_dir, generation before the run), attempts)
    "parsing": (False, lambda run, ix, gen: "barcamp-parse" in run.look().values(), 1),
    "writing segments": (True, lambda run, ix, gen: in_new_generation(ix, gen, "MAIN.tmp/*"), 1),
    "commit": (True, lambda run, ix, gen: in_new_generation(ix, gen, "*.seg"), 4),
    "rebuild swap": (True, lambda run, ix, gen: in_new_generation(ix, gen, "_MAIN_1.toc"), 6),
}


@pytest.mark.parametrize("phase", PHASES)
def test_kill_9_of_the_main_process_only(setup, phase):
    """kill -9 of the main PID (as timeout, the OOM killer or a supervisor do): every
    child exits, nobody keeps the lock, the index answers as before."""
    archive, index_dir = setup
    rebuild, reached, attempts = PHASES[phase]
    killed = 0
    for attempt in range(attempts):
        expected = totals(index_dir, QUERIES)
        edit(archive, f"{phase[:3]}{attempt}")
        before = live(index_dir)
        run = Run(archive, "--index", index_dir, *(["--rebuild"] if rebuild else []))
        if run.wait_for(lambda run=run, before=before: reached(run, index_dir, before)):
            run.process.send_signal(signal.SIGKILL)
            killed += 1
        code, stderr = run.end()
        if killed:
            assert code == -signal.SIGKILL
            check_after(run, index_dir, archive, expected)
            break
        assert code == 0, stderr  # the phase went by too fast to catch: try again
        assert run.leftovers() == []
    if phase != "rebuild swap":  # the swap is a few milliseconds: caught when possible
        assert killed, f"never caught the run while {phase}"


@pytest.mark.parametrize("name", ["barcamp-parse", "barcamp-write"])
def test_kill_9_of_one_child(setup, name):
    """A parse worker killed costs the file it was parsing; a sub-writer killed stops
    the run with a clear error. Either way the index stays whole."""
    archive, index_dir = setup
    expected = totals(index_dir, QUERIES)
    before = live(index_dir)
    run = Run(archive, "--index", index_dir, "--rebuild")
    # a parse worker while it parses (the new generation is being filled), a sub-writer
    # while it writes
    pattern = "MAIN.tmp/*" if name == "barcamp-write" else "_MAIN_0.toc"
    assert run.wait_for(
        lambda: in_new_generation(index_dir, before, pattern) and name in run.look().values()
    )
    victim = next(pid for pid, comm in run.look().items() if comm == name)
    os.kill(victim, signal.SIGKILL)
    code, stderr = run.end()
    assert "Traceback" not in stderr
    if name == "barcamp-parse":
        assert code == 0, stderr  # killed while parsing: that file failed, as its own
        assert totals(index_dir, ("",))[0] in (POSTS - 1, POSTS)
    else:
        assert code == 70, stderr
        assert "sub-writer process" in stderr and "killed by SIGKILL" in stderr
        assert live(index_dir) == before
        assert totals(index_dir, QUERIES) == expected
    assert run.leftovers() == []
    result = cli("index", archive, "--index", index_dir, "--lock-timeout", "0")
    assert result.returncode == 0, result.stderr
    assert totals(index_dir, ("",)) == [POSTS]


@pytest.mark.parametrize("rebuild", [False, True], ids=["incremental", "rebuild"])
def test_sigterm_stops_the_run_cleanly(setup, rebuild):
    archive, index_dir = setup
    expected = totals(index_dir, QUERIES)
    edit(archive, "term", every=1)
    before = live(index_dir)
    run = Run(archive, "--index", index_dir, *(["--rebuild"] if rebuild else []))
    assert run.wait_for(
        lambda: (
            "barcamp-parse" in run.look().values()
            and (not rebuild or in_new_generation(index_dir, before, "*.toc"))
        )
    )
    run.process.send_signal(signal.SIGTERM)
    code, stderr = run.end(timeout=60)
    assert code == 128 + signal.SIGTERM, stderr
    assert "SIGTERM: the indexing run was stopped" in stderr and "Traceback" not in stderr
    assert run.leftovers() == []
    assert live(index_dir) == before
    assert [p.name for p in index_dir.glob("gen-*")] == [before]  # nothing half-written
    assert totals(index_dir, QUERIES) == expected
    result = cli("index", archive, "--index", index_dir, "--lock-timeout", "0")
    assert result.returncode == 0, result.stderr
