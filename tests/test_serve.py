"""The server as it runs for real: gunicorn workers (or Flask's dev server with --debug) in
a subprocess on a free port, polled until /healthz answers, stopped with SIGTERM.

Every state a test needs (a worker count, a worker holding the index open, a reopened
index) is waited for with a deadline, never assumed after a fixed sleep: on a loaded
machine gunicorn boots its workers one after another and a worker may answer late.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives
from barcamp_search.web.serve import default_workers, gunicorn_options, server_url

from .conftest import ROOT, SAMPLE

T = TypeVar("T")

# How long to wait for a state before failing: a guard against hangs, not a speed target.
DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(
    condition: Callable[[], T],
    what: str,
    timeout: float = DEADLINE,
    details: Callable[[], str] = lambda: "",
) -> T:
    """Poll ``condition()`` until it gives a true value (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not seen within {timeout:g} s\n{details()}")
        time.sleep(0.05)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BARCAMP_SEARCH_", "FLASK_", "GUNICORN_"))
    }
    env.update(extra or {})
    return env


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def get(self, path: str, timeout: float = DEADLINE) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=timeout) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, dict(error.headers), error.read()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = DEADLINE) -> int:
        """SIGTERM, then wait: gunicorn stops its workers and exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise


def start_server(
    index_dir: Path,
    tmp_path: Path,
    workers: int = 2,
    debug: bool = False,
    use_cli: bool = False,
    env: dict[str, str] | None = None,
) -> Server:
    """Start a server in a subprocess and wait for /healthz to answer."""
    port = free_port()
    if use_cli:
        command = [
            sys.executable,
            "-m",
            "barcamp_search",
            "serve",
            "--index",
            str(index_dir),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ] + (["--debug"] if debug else [])
    else:
        command = [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from barcamp_search.config import load_settings; "
            "from barcamp_search.web.serve import run_server; "
            f"settings = load_settings({{'index': Path({str(index_dir)!r})}}); "
            f"sys.exit(run_server(settings, '127.0.0.1', {port}, {workers}, {debug}))",
        ]
    log = tmp_path / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=clean_env(env),
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}/", log)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{server.output()}")
        try:
            status, _headers, _body = server.get("/healthz", timeout=5)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    pytest.fail(f"server did not answer within {DEADLINE:g} s:\n{server.output()}")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("serve") / "index"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo"))])
    return root


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def wait_for_workers(server: Server, workers: int) -> list[int]:
    """The worker pids, once the arbiter has exactly ``workers`` children (it forks them one
    after another: the first /healthz answer may come before the last one is there)."""
    seen: list[int] = []

    def counted() -> list[int] | None:
        seen[:] = children(server.process.pid)
        return list(seen) if len(seen) == workers else None

    return wait_for(
        counted,
        f"{workers} gunicorn workers",
        details=lambda: f"children: {seen}\n{server.output()}",
    )


def index_files(pid: int, root: Path) -> set[str]:
    """The files under ``root`` that process ``pid`` holds open (a searcher keeps the
    segment files of the index it opened)."""
    held = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process is gone
        return held
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith(f"{root}/"):
            held.add(target)
    return held


def check_running_server(server: Server, workers: int) -> None:
    assert f"on {server.url} with {workers} gunicorn workers" in server.output()
    status, headers, body = server.get("/search?q=micro-python")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    assert "3 posts for “micro-python”" in body.decode()
    assert "<mark>" in body.decode()
    status, headers, body = server.get("/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, _headers, body = server.get("/api/search?page=0")
    assert status == 400 and json.loads(body)["status"] == 400
    assert len(wait_for_workers(server, workers)) == workers


def test_gunicorn_with_two_workers_serves_and_stops_cleanly(index_dir, tmp_path):
    server = start_server(index_dir, tmp_path, workers=2)
    try:
        check_running_server(server, 2)
        status, _headers, body = server.get("/healthz")
        assert json.loads(body)["posts"] == 11
    finally:
        code = server.stop()
    assert code == 0, server.output()
    assert "Traceback" not in server.output()
    assert "Shutting down" in server.output() or "Handling signal: term" in server.output()


def test_serve_command(index_dir, tmp_path):
    server = start_server(index_dir, tmp_path, workers=2, use_cli=True)
    try:
        check_running_server(server, 2)
    finally:
        code = server.stop()
    assert code == 0, server.output()


def test_serve_command_help():
    result = subprocess.run(
        [sys.executable, "-m", "barcamp_search", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0
    for option in ("--index", "--host", "--port", "--workers", "--debug", "Example:"):
        assert option in result.stdout


def test_workers_reopen_the_index_after_a_reindex(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "one.rst").write_text("Un\n##\n\n:date: 2024-01-01\n\nPremier billet.\n")
    root = tmp_path / "index"
    index_archives(root, [Archive(archive, ArchiveOptions("live"))])
    server = start_server(root, tmp_path, workers=2)
    held: dict[int, set[str]] = {}

    def holding(expected_total: int, new_files: set[str] | None) -> bool:
        """Ask once more (some worker answers), then: does every worker hold the index open
        (and, after the reindex, a file the reindex wrote)?"""
        total = json.loads(server.get("/api/search?q=zorglub")[2])["total"]
        assert total in (0, expected_total), total  # the old answer or the new one, nothing else
        held.clear()
        held.update((pid, index_files(pid, root)) for pid in children(server.process.pid))
        return len(held) == 2 and all(
            files and (new_files is None or files & new_files) for files in held.values()
        )

    try:
        wait_for_workers(server, 2)
        # both workers have opened the index (each opens it on its first request)
        wait_for(
            lambda: holding(0, None),
            "both workers holding the index open",
            details=lambda: f"{held}\n{server.output()}",
        )
        before = {str(path) for path in root.rglob("*")}
        (archive / "two.rst").write_text("Deux\n####\n\n:date: 2024-02-01\n\nLe zorglub.\n")
        index_archives(root, [Archive(archive, ArchiveOptions("live"))])
        written = {str(path) for path in root.rglob("*")} - before
        assert written  # the reindex wrote new segment files
        # each worker checks the generation at most every second, on a request: ask until
        # both hold files of the new index
        wait_for(
            lambda: holding(1, written),
            "both workers reopening the new index",
            details=lambda: f"{held}\nnew files: {written}\n{server.output()}",
        )
        totals = [json.loads(server.get("/api/search?q=zorglub")[2])["total"] for _ in range(10)]
        assert totals == [1] * 10
    finally:
        assert server.stop() == 0


def test_without_an_index_the_server_still_starts(tmp_path):
    server = start_server_no_index(tmp_path)
    try:
        status, _headers, body = server.get("/")
        assert status == 503 and b"No index yet" in body
        status, _headers, body = server.get("/healthz")
        assert status == 503 and json.loads(body)["status"] == 503
    finally:
        assert server.stop() == 0
    assert "No index in" in server.output()


def start_server_no_index(tmp_path: Path) -> Server:
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys; from pathlib import Path; "
        "from barcamp_search.config import Settings; "
        "from barcamp_search.web.serve import run_server; "
        f"sys.exit(run_server(Settings(index=Path('missing')), '127.0.0.1', {port}, 1))",
    ]
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=clean_env(),
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}/", log)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if server.get("/healthz", timeout=5)[0] == 503:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    pytest.fail(
        f"no 503 from /healthz within {DEADLINE:g} s (exit {process.returncode}):\n"
        f"{server.output()}"
    )


def test_debug_runs_flask_development_server(index_dir, tmp_path):
    server = start_server(index_dir, tmp_path, workers=1, debug=True)
    try:
        status, headers, body = server.get("/search?q=python")
        assert status == 200 and headers["Server"].startswith("Werkzeug")
        assert "development server" in server.output()
    finally:
        code = server.stop()
    assert code in (0, -signal.SIGTERM)


def test_port_in_use_is_an_error_exit(index_dir, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; "
                "from barcamp_search.config import Settings; "
                "from barcamp_search.web.serve import run_server; "
                f"sys.exit(run_server(Settings(index=Path({str(index_dir)!r})), '127.0.0.1', "
                f"{port}, 1))",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=clean_env(),
        )
    assert result.returncode != 0
    assert "Connection in use" in result.stderr + result.stdout


def test_gunicorn_options():
    options = gunicorn_options("::1", 8080, 3)
    assert options["bind"] == ["[::1]:8080"] and options["workers"] == 3
    assert options["worker_class"] == "sync" and options["preload_app"] is False
    assert gunicorn_options("0.0.0.0", 80, 1)["bind"] == ["0.0.0.0:80"]
    assert server_url("::1", 8080) == "http://[::1]:8080/"
    assert default_workers() >= 1
