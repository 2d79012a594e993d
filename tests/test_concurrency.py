"""Readers and writers together: a real gunicorn server (2 workers) answering 4 clients
while the reindex job runs 20 times with edits and rebuilds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from barcamp_search.extract import ArchiveOptions
from barcamp_search.indexing import Archive, index_archives

from .conftest import ROOT, SAMPLE
from .test_serve import clean_env, start_server

STABLE = ("api/search?q=python&per_page=5", "api/search?tag=packaging", "api/search?q=pyramid",
          "search?q=micro-python", "api/facets?facet=speaker")


def test_clients_never_see_errors_or_partial_results_during_reindexing(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE, archive)
    index_dir = tmp_path / "index"
    index_archives(index_dir, [Archive(archive, ArchiveOptions("demo"))])
    server = start_server(index_dir, tmp_path, workers=2, use_cli=True)
    expected: dict[str, int | None] = {}
    problems: list[str] = []
    requests = [0]
    stop = threading.Event()

    def fetch(path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(server.url + path, timeout=10) as answer:
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
        while not stop.is_set():
            path = STABLE[(requests[0] + number) % len(STABLE)]
            try:
                status, body = fetch(path)
            except OSError as error:
                problems.append(f"{path}: {error}")
                continue
            requests[0] += 1
            if status != 200:
                problems.append(f"{path}: HTTP {status}")
            elif total(body, path) != expected[path]:
                problems.append(f"{path}: total {total(body, path)} != {expected[path]}")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in clients:
        thread.start()
    target = archive / "articles" / "2025-02-11-micropython.rst"
    original = target.read_text()
    try:
        for run in range(20):
            target.write_text(original + f"\nMot de passage : editionmot{run}.\n")
            args = ["index", archive, "--archive", "demo", "--index", index_dir]
            if run % 5 == 4:
                args.append("--rebuild")
            result = subprocess.run([sys.executable, "-m", "barcamp_search", *map(str, args)],
                                    capture_output=True, text=True, cwd=ROOT, env=clean_env(),
                                    timeout=120)
            assert result.returncode == 0, result.stderr
        finished = time.monotonic()
        while time.monotonic() - finished < 10:
            status, body = fetch("api/search?q=editionmot19")
            if status == 200 and json.loads(body)["total"] == 1:
                break
            time.sleep(0.05)
        visible_after = time.monotonic() - finished
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        server.stop()
    assert problems == []
    assert requests[0] > 100
    assert visible_after <= 1.5, f"the last edit became searchable after {visible_after:.2f} s"
    print(f"\n{requests[0]} requests during 20 reindexes, 0 errors; last edit visible after "
          f"{visible_after:.2f} s")
