"""The limited parse workers (workers.py): timeouts, memory caps, crashes, recursion."""

from __future__ import annotations

import os
import time

from barcamp_search.errors import ExtractError
from barcamp_search.read.workers import Job, WorkerPool


def _behave(job: Job):
    kind = job.payload
    if kind == "sleep":
        time.sleep(30)
    if kind == "memory":
        blocks = []
        while True:
            blocks.append(bytearray(50 * 1024 * 1024))
    if kind == "crash":
        os._exit(3)
    if kind == "recursion":

        def down(n):
            return down(n + 1) + 1

        return down(0)
    if kind == "bad":
        raise ExtractError(job.source, "bad file")
    if kind == "bug":
        raise KeyError("oops")
    return f"read {job.source} in {os.getpid()}"


def run(kinds, **options):
    jobs = [Job(path="", source=f"{i}-{kind}", payload=kind) for i, kind in enumerate(kinds)]
    with WorkerPool(_behave, **options) as pool:
        return {job.source: outcome for job, outcome in pool.run(jobs)}


def test_every_job_is_accounted_for_and_the_run_survives_each_failure():
    started = time.monotonic()
    results = run(
        ["ok", "sleep", "ok", "memory", "crash", "recursion", "bad", "bug", "ok"],
        workers=2,
        timeout=2,
        memory_mb=400,
    )
    assert time.monotonic() - started < 20
    assert sorted(results) == [
        "0-ok",
        "1-sleep",
        "2-ok",
        "3-memory",
        "4-crash",
        "5-recursion",
        "6-bad",
        "7-bug",
        "8-ok",
    ]
    assert [k for k, v in results.items() if isinstance(v, str)] == ["0-ok", "2-ok", "8-ok"]
    assert results["1-sleep"].reason == "took longer than 2 s to parse"
    assert results["3-memory"].reason == "needs more than 400 MiB to parse"
    assert results["4-crash"].reason == "parser process died (exit code 3)"
    assert results["5-recursion"].reason == "too deeply nested to parse (recursion limit)"
    assert results["6-bad"].reason == "bad file"
    assert results["7-bug"].reason == "internal error KeyError: 'oops'"


def test_no_job_starts_no_process():
    pool = WorkerPool(_behave)
    assert list(pool.run([])) == []
    assert pool._workers == []


def test_workers_run_in_other_processes():
    results = run(["ok", "ok"], workers=2)
    assert all(not v.endswith(f" {os.getpid()}") for v in results.values())


WARMED: list[str] = []


def _warm() -> None:
    WARMED.append("warm")  # in the child: its own copy of the list


def _report_warmth(job: Job):
    return os.getpid(), list(WARMED)


def _broken_warm() -> None:
    raise ImportError("no such parser")


def test_a_prestarted_worker_warms_up_then_takes_the_first_job():
    with WorkerPool(_report_warmth, workers=2, warm=_warm) as pool:
        pool.prestart(1)
        (started,) = [w.process.pid for w in pool._workers]
        (outcome,) = [o for _job, o in pool.run([Job("", "one")])]
    assert outcome == (started, ["warm"])
    assert WARMED == []  # warmed in the child only


def test_an_unused_prestarted_worker_is_stopped_at_close():
    pool = WorkerPool(_report_warmth, warm=_warm)
    pool.prestart(3)  # never more than the pool's size
    processes = [w.process for w in pool._workers]
    assert len(processes) == 1 and processes[0].is_alive()
    pool.close()
    assert not processes[0].is_alive()


def test_a_failing_warm_up_does_not_stop_the_jobs():
    with WorkerPool(_report_warmth, warm=_broken_warm) as pool:
        pool.prestart()
        outcomes = [o for _job, o in pool.run([Job("", "a"), Job("", "b")])]
    assert [warmed for _pid, warmed in outcomes] == [[], []]
