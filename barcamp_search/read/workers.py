"""Parse worker processes with limits: a hostile file can cost a worker, never the run.

docutils needs gigabytes and minutes on some inputs (5,000-deep lists, 20,000
unclosed inline-markup starts) and can hit RecursionError. Each source file is
therefore parsed in a child process that has:

* an address-space cap (``memory_mb``, default 2048 MiB, via RLIMIT_AS), so
  an allocation spiral ends in MemoryError in the child;
* a wall-clock budget per file (``timeout``, default 20 s): the parent kills
  a child that overruns and starts a fresh one;
* its own recursion limit (Python's default), so deep nesting is a
  RecursionError in the child.

``WorkerPool.run(jobs)`` yields ``(job, outcome)`` pairs in completion order,
where the outcome is whatever the job function returned, or an ``ExtractError``
describing why the file was skipped. Workers start lazily: a run with nothing
to parse starts no process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from barcamp_search.errors import ExtractError
from barcamp_search.read.children import name_process, parent_alive

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
DEFAULT_MEMORY_MB = 2048
PARENT_CHECK_SECONDS = 1.0  # an idle worker checks this often that its parent lives


@dataclass(frozen=True)
class Job:
    path: str  # file to read
    source: str  # its name in messages and in the Post
    payload: Any = None  # passed to the job function as is


def _context() -> multiprocessing.context.BaseContext:
    # fork is cheap and safe while this process runs a single thread; with
    # other threads alive (a web server, a test runner's helpers) use
    # forkserver, which never forks a multi-threaded process.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver")


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: no cap
        return
    limit = memory_mb * 1024 * 1024
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker_main(
    conn: Connection,
    function: Callable[[Job], Any],
    memory_mb: int,
    warm: Callable[[], None] | None = None,
) -> None:
    """Child loop: receive a job, run it, send back ('ok', result, spent) or
    ('error', message, spent); ``spent`` means this process exits and must be replaced.
    It exits when its parent is gone, even if another process keeps the pipe open."""
    parent = os.getppid()
    name_process("barcamp-parse")
    _limit_memory(memory_mb)
    if warm is not None:  # e.g. import the parsers before the first job arrives
        try:
            warm()
        except Exception as error:  # noqa: BLE001 - the job will meet it and report it
            logger.debug("warm-up failed: %s", error)
    while True:
        try:
            while not conn.poll(PARENT_CHECK_SECONDS):
                if not parent_alive(parent):
                    return
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        spent = False  # after a MemoryError this process is done: the parent replaces it
        try:
            reply: tuple[str, Any] = ("ok", function(job))
        except ExtractError as error:
            reply = ("error", error.reason)
        except RecursionError:
            reply = ("error", "too deeply nested to parse (recursion limit)")
        except SystemError:  # CPython's "error return without exception set" at the
            # recursion limit inside C code: the same cause; this process may be damaged
            reply, spent = ("error", "too deeply nested to parse (recursion limit)"), True
        except MemoryError:
            reply, spent = ("error", f"needs more than {memory_mb} MiB to parse"), True
        # The isolation boundary: a bug in a reader on one odd file must not
        # end the run. The file is reported as failed with the error named.
        except Exception as error:  # noqa: BLE001
            reply = ("error", f"internal error {type(error).__name__}: {error}"[:500])
        try:
            conn.send((*reply, spent))
        except MemoryError:
            spent = True
            conn.send(("error", f"result too large to return within {memory_mb} MiB", spent))
        if spent:
            return


class _Worker:
    def __init__(
        self,
        context: Any,
        function: Callable[[Job], Any],
        memory_mb: int,
        warm: Callable[[], None] | None = None,
    ) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, function, memory_mb, warm), daemon=True
        )
        self.process.start()
        child.close()
        self.job: Job | None = None
        self.used = False  # never given a job: stopped by a kill (it may still be warming)
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class WorkerPool:
    """Run a picklable job function over jobs in limited child processes."""

    def __init__(
        self,
        function: Callable[[Job], Any],
        workers: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
        warm: Callable[[], None] | None = None,
    ) -> None:
        self.function = function
        self.size = max(1, workers)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.warm = warm
        self._context = _context()
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self._workers:
            worker.stop(kill=worker.job is not None or not worker.used)
        self._workers = []

    def prestart(self, count: int = 1) -> None:
        """Start up to ``count`` workers now, so that they warm up (``warm``) while this
        process does something else; a pool that gets no job kills them at close."""
        while len(self._workers) < min(count, self.size):
            self._workers.append(self._new_worker())

    def _new_worker(self) -> _Worker:
        return _Worker(self._context, self.function, self.memory_mb, self.warm)

    def run(self, jobs: Iterable[Job]) -> Iterator[tuple[Job, Any]]:
        pending = iter(jobs)
        exhausted = False
        while True:
            if not exhausted:
                exhausted = self._dispatch(pending)
            busy = [w for w in self._workers if w.job is not None]
            if not busy:
                if exhausted:
                    return
                continue
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline for w in busy) - now)
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for worker in busy:
                if worker.conn in ready:
                    yield self._collect(worker)
                elif time.monotonic() >= worker.deadline:
                    yield self._expire(worker)

    def _dispatch(self, pending: Iterator[Job]) -> bool:
        """Give a job to every idle worker (starting workers up to the pool size).

        Returns True once the jobs are exhausted."""
        while True:
            idle = next((w for w in self._workers if w.job is None), None)
            if idle is None and len(self._workers) >= self.size:
                return False
            job = next(pending, None)
            if job is None:
                return True
            while True:
                if idle is None:
                    idle = self._new_worker()
                    self._workers.append(idle)
                try:
                    idle.conn.send(job)
                    break
                except OSError:  # it died while idle (killed): a fresh one takes the job
                    self._replace(idle)
                    idle = None
            idle.job = job
            idle.used = True
            idle.deadline = time.monotonic() + self.timeout

    def _collect(self, worker: _Worker) -> tuple[Job, Any]:
        job = worker.job
        assert job is not None
        worker.job = None
        try:
            status, value, spent = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            code = worker.process.exitcode
            return job, ExtractError(
                job.source, f"parser process died (exit code {code})", transient=True
            )
        if spent:  # it ran out of memory: its heap stays at the cap, start a fresh one
            self._replace(worker, kill=False)
        if status == "ok":
            return job, value
        return job, ExtractError(job.source, value)

    def _expire(self, worker: _Worker) -> tuple[Job, Any]:
        job = worker.job
        assert job is not None
        worker.job = None
        self._replace(worker, kill=True)
        return job, ExtractError(job.source, f"took longer than {self.timeout:g} s to parse")

    def _replace(self, worker: _Worker, kill: bool = True) -> None:
        worker.stop(kill=kill)
        self._workers.remove(worker)
        logger.debug("parse worker %s replaced", worker.process.pid)
