"""The processes of an indexing run: they die with it, never hold its lock, and are watched.

An indexing run forks parse workers (``workers``) and, for a fresh build, Whoosh's
sub-writers. A child that outlived a killed run would keep the writer lock (a
``flock`` belongs to the open file, which a forked child shares) and wait on a pipe
forever: every later run would exit 75. So, while a run is guarded (``run_guard``),
every process forked from it:

* drops its copy of the lock descriptor at once (it is pointed at ``/dev/null``,
  so the number stays valid for whatever still holds it);
* asks the kernel to SIGKILL it when its parent dies (Linux ``PR_SET_PDEATHSIG``)
  and exits at once if the parent is already gone; its own children, if it forks,
  get the same treatment with it as their parent. The parse worker also checks its
  parent's PID while it waits for work (``parent_alive``), which covers other
  platforms and workers started by a fork server.

In the run's own process, ``watch`` names a child whose death must stop the run (a
sub-writer killed by the OOM killer or ``kill -9``): SIGCHLD then raises
``ChildDied`` in the main thread wherever it waits, and the run unwinds through its
normal cleanup, leaving the live index as it was.

``name_process`` sets the name ``ps`` and ``/proc/PID/comm`` show
(``barcamp-parse``, ``barcamp-write``), so an operator can tell the processes apart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from barcamp_search.errors import ChildDied, Interrupted

logger = logging.getLogger(__name__)

_PR_SET_NAME = 15
_PR_SET_PDEATHSIG = 1


class _Process(Protocol):
    pid: int | None

    @property
    def exitcode(self) -> int | None: ...


# State of the guarded run in this process (inherited, as memory, by forked children).
_guarded_pid: int | None = None
_lock_fds: set[int] = set()
_watched: list[tuple[_Process, str]] = []
_prctl: Callable[..., int] | None = None


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _after_fork_in_child() -> None:
    """Runs in every child forked from this process (``os.register_at_fork``)."""
    global _guarded_pid
    if _lock_fds:
        devnull = os.open(os.devnull, os.O_RDONLY)
        for fd in _lock_fds:
            with contextlib.suppress(OSError):
                os.dup2(devnull, fd)
        os.close(devnull)
        _lock_fds.clear()
    _watched.clear()
    parent, _guarded_pid = _guarded_pid, None
    if parent is None:
        return
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    _guarded_pid = os.getpid()  # this child's own children die with it


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def run_guard(lock_fd: int) -> Iterator[None]:
    """Guard one indexing run of this process: children forked meanwhile die with it
    and drop ``lock_fd``; watched children that die raise ``ChildDied`` (main thread)."""
    global _guarded_pid, _prctl
    if _prctl is None:
        _prctl = _load_prctl()
    _guarded_pid = os.getpid()
    _lock_fds.add(lock_fd)
    previous: Any = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        previous = signal.signal(signal.SIGCHLD, _on_child_exit)
    try:
        yield
    finally:
        if in_main:
            signal.signal(signal.SIGCHLD, previous)
        _watched.clear()
        _lock_fds.discard(lock_fd)
        _guarded_pid = None


def watch(process: _Process, what: str) -> None:
    """Stop the run (``ChildDied``) if ``process`` dies with a non-zero status."""
    _watched.append((process, what))


def unwatch_all() -> None:
    """The watched children are done (their exit is expected from now on)."""
    _watched.clear()


def check_watched() -> None:
    """Raise ``ChildDied`` if a watched child has died with a non-zero status."""
    for process, what in list(_watched):
        code = process.exitcode
        if code not in (None, 0):
            _watched.clear()
            raise ChildDied(what, process.pid, code)


def _on_child_exit(signum: int, frame: object) -> None:
    check_watched()


_stop_signal: int | None = None


def request_stop(signum: int) -> None:
    """A signal asked the run to stop: ``check_stop`` raises from now on."""
    global _stop_signal
    _stop_signal = signum


def stop_requested() -> int | None:
    """The signal that asked the run to stop, if one did."""
    return _stop_signal


def check_stop() -> None:
    """Raise ``Interrupted`` if a signal asked the run to stop. The signal handler raises
    at once too; these checks catch a stop whose exception Python had to swallow (a
    signal that lands in an at-fork hook or a finalizer)."""
    if _stop_signal is not None:
        raise Interrupted(_stop_signal)


def name_process(name: str) -> None:
    """Set this process's name as ``ps`` and ``/proc/PID/comm`` show it (Linux)."""
    prctl = _prctl or _load_prctl()
    if prctl is not None:
        prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def parent_alive(parent: int) -> bool:
    """False once the process that started this one is gone (re-parented)."""
    return os.getppid() == parent
