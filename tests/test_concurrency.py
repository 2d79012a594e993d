"""Readers and writers together: a real gunicorn server (2 workers) answering 4 clients
while the reindex job runs 20 times with edits and rebuilds.

The clients keep their results under one lock (their counters and the problems they saw
are shared between threads). Nothing is timed: every reindex must have had requests
answered while it ran, and the last edit must become searchable (waited for, with a
deadline that only guards against a hang).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives

from .conftest import ROOT, SAMPLE
from .test_serve import DEADLINE, clean_env, start_server, wait_for

STABLE = (
    "api/search?q=python&per_page=5",
    "api/search?tag=packaging",
    "api/search?q=pyramid",
    "search?q=micro-python",
    "api/facets?facet=speaker",
)
CLIENTS = 4


def test_clients_never_see_errors_or_partial_results_during_reindexing(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE, archive)
    index_dir = tmp_path / "index"
    index_archives(index_dir, [Archive(archive, ArchiveOptions("demo"))])
    server = start_server(index_dir, tmp_path, workers=2, use_cli=True)
    expected: dict[str, int | None] = {}
    lock = threading.Lock()  # guards the three below: the clients write them concurrently
    problems: list[str] = []
    answered: list[tuple[float, float]] = []  # (sent, answered) of every good answer
    per_client = [0] * CLIENTS  # answers each client got
    stop = threading.Event()

    def fetch(path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(server.url + path, timeout=DEADLINE) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    def total(body: bytes, path: str) -> int | None:
        return json.loads(body)["total"] if path.startswith("api/search") else None

    for path in STABLE:
        status, body = fetch(path)
        assert status == 200
        expected[path] = total(body, path)

    def client(number: int) -> None:
        done = 0  # this thread's own count: it picks the next path
        while not stop.is_set():
            path = STABLE[(done + number) % len(STABLE)]
            sent = time.monotonic()
            try:
                status, body = fetch(path)
            except OSError as error:
                with lock:
                    problems.append(f"{path}: {error}")
                stop.wait(0.05)
                continue
            received = time.monotonic()
            done += 1
            if status != 200:
                problem = f"{path}: HTTP {status}"
            elif total(body, path) != expected[path]:
                problem = f"{path}: total {total(body, path)} != {expected[path]}"
            else:
                problem = None
            with lock:
                per_client[number] = done
                if problem is None:
                    answered.append((sent, received))
                else:
                    problems.append(problem)

    def all_clients_answered() -> bool:
        with lock:
            return all(per_client)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    target = archive / "articles" / "2025-02-11-micropython.rst"
    original = target.read_text()
    runs: list[tuple[float, float]] = []  # (started, finished) of each reindex
    try:
        # every client is running before the first reindex starts
        wait_for(
            all_clients_answered,
            "an answer for each client",
            details=lambda: f"{per_client} {problems[:5]}",
        )
        for run in range(20):
            target.write_text(original + f"\nMot de passage : editionmot{run}.\n")
            args = ["index", archive, "--archive", "demo", "--index", index_dir]
            if run % 5 == 4:
                args.append("--rebuild")
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "barcamp_search", *map(str, args)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=clean_env(),
                timeout=300,
            )
            runs.append((started, time.monotonic()))
            assert result.returncode == 0, result.stderr
        finished = time.monotonic()

        def last_edit_found() -> bool:
            status, body = fetch("api/search?q=editionmot19")
            return status == 200 and json.loads(body)["total"] == 1

        # each worker reopens the index on a request, at most a second after its last check
        wait_for(last_edit_found, "the last edit in the search results")
        visible_after = time.monotonic() - finished
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=DEADLINE)
        server.stop()
    assert not any(thread.is_alive() for thread in clients)
    assert problems == []
    # readers and writers together: each reindex ran while the clients were being answered
    overlapping = [
        sum(1 for sent, received in answered if sent < end and received > start)
        for start, end in runs
    ]
    assert all(overlapping), f"answers during each reindex: {overlapping}"
    print(
        f"\n{sum(per_client)} requests during 20 reindexes, 0 errors; answers during each "
        f"reindex: {overlapping}; last edit visible after {visible_after:.2f} s"
    )
