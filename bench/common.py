"""Shared helpers of the benchmark harness (bench/run.py, bench/loadtest.py).

Paths, the generated corpora (cached in bench/out/corpora/ keyed by size), the
bench query file, percentiles, machine facts, subprocess runs with peak RSS,
the ``serve`` server and a small threaded HTTP load client. Standard library
only (plus ``barcamp_search`` where the caller imports it).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
CORPORA = OUT / "corpora"
WORK = OUT / "work"
PYTHON = sys.executable
SEED = 1
SEED_CORPUS = "python-nantes"
ARCHIVE = "bench"


class BenchError(SystemExit):
    """A clear message and exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench: {message}")


def shared_dir() -> Path:
    """``../shared`` beside the repository, or a clear error."""
    shared = REPO.parent / "shared"
    needed = [
        shared / "tools" / "make_corpus.py",
        shared / "tools" / "bench-queries.txt",
        shared / "corpora" / SEED_CORPUS,
    ]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise BenchError(
            "the shared folder the benchmark needs is missing: "
            + ", ".join(missing)
            + f"\n  expected {shared}/ beside the repository ({REPO}), with "
            "tools/make_corpus.py, tools/bench-queries.txt and corpora/python-nantes/"
        )
    return shared


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- environment of the subprocesses ---------------------------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without BARCAMP_SEARCH_* settings (so a user's setup cannot leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BARCAMP_SEARCH_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli(*args: str) -> list[str]:
    return [PYTHON, "-m", "barcamp_search", *args]


# --- corpora ------------------------------------------------------------------------------


def _generator_key(shared: Path) -> str:
    tool = shared / "tools" / "make_corpus.py"
    digest = hashlib.sha1(tool.read_bytes(), usedforsecurity=False)
    for path in sorted((shared / "corpora" / SEED_CORPUS).rglob("*.rst")):
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def corpus(size: int) -> Path:
    """bench/out/corpora/posts-SIZE: generated once (make_corpus.py --seed 1), then reused.

    A stamp file (hidden, so never read as a post) records the generator's hash,
    the seed and the file list; anything else makes it generate again.
    """
    shared = shared_dir()
    folder = CORPORA / f"posts-{size}"
    stamp_path = folder / ".bench-stamp.json"
    key = _generator_key(shared)
    if stamp_path.exists():
        try:
            stamp = json.loads(stamp_path.read_text())
            names = sorted(p.name for p in folder.glob("*.rst"))
            if (
                stamp.get("key") == key
                and stamp.get("files") == len(names) == size
                and stamp.get("names_sha1") == _names_digest(names)
            ):
                return folder
        except (OSError, ValueError):
            pass
        log(f"corpus {folder} is stale or incomplete: generating it again")
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        PYTHON,
        str(shared / "tools" / "make_corpus.py"),
        "--seed-dir",
        str(shared / "corpora" / SEED_CORPUS),
        "--out",
        str(folder),
        "--posts",
        str(size),
        "--seed",
        str(SEED),
        "--force",
    ]
    log(f"generating {size} posts: {shlex.join(command)}")
    started = time.perf_counter()
    subprocess.run(command, check=True)
    names = sorted(p.name for p in folder.glob("*.rst"))
    stamp_path.write_text(
        json.dumps(
            {
                "key": key,
                "files": len(names),
                "seed": SEED,
                "names_sha1": _names_digest(names),
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )
    return folder


def _names_digest(names: list[str]) -> str:
    return hashlib.sha1("\n".join(names).encode(), usedforsecurity=False).hexdigest()


def working_copy(source: Path, target: Path, limit: int | None = None) -> Path:
    """A copy of a corpus made of hard links (cheap); edit files only by replacing them
    (``replace_file``) so the cached corpus is never changed. ``limit``: the first posts."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in sorted(source.glob("*.rst"))[:limit]:
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)
    return target


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` as a new file at ``path`` (a hard-linked original stays untouched)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


# --- bench queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    id: str
    kind: str
    text: str
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    instant: bool = False  # as you type: the last word is unfinished

    def url_params(self) -> list[tuple[str, str]]:
        params = [("q", self.text)] if self.text else []
        if self.instant:
            params.append(("instant", "1"))
        params += [("tag", t) for t in self.tags] + [("author", a) for a in self.authors]
        if self.date_from:
            params.append(("from", self.date_from))
        if self.date_to:
            params.append(("to", self.date_to))
        return params

    def describe(self) -> str:
        parts = [self.text or "(browse)"]
        parts += [f"tag={t}" for t in self.tags] + [f"author={a}" for a in self.authors]
        if self.date_from or self.date_to:
            parts.append(f"date={self.date_from or ''}..{self.date_to or ''}")
        return " ".join(parts)


def parse_queries(path: Path | None = None) -> list[BenchQuery]:
    """``ID | KIND | TEXT | FILTERS`` lines (see the file's header)."""
    path = path or shared_dir() / "tools" / "bench-queries.txt"
    queries: list[BenchQuery] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split("|")]
        fields += [""] * (4 - len(fields))
        qid, kind, text, filters = fields[:4]
        tags: list[str] = []
        authors: list[str] = []
        date_from = date_to = None
        for item in shlex.split(filters):
            key, sep, value = item.partition("=")
            if not sep:
                raise BenchError(f"{path}:{number}: filter {item!r} is not key=value")
            if key == "tag":
                tags.append(value)
            elif key == "author":
                authors.append(value)
            elif key == "date":
                low, _, high = value.partition("..")
                date_from, date_to = low or None, high or None
            else:
                raise BenchError(f"{path}:{number}: unknown filter {key!r}")
        queries.append(BenchQuery(qid, kind, text, tuple(tags), tuple(authors), date_from, date_to))
    return queries


# --- statistics ----------------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (k - low)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 50)


def latency_summary(seconds: list[float]) -> dict[str, float | int | None]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": _r(percentile(ms, 50)),
        "p95_ms": _r(percentile(ms, 95)),
        "p99_ms": _r(percentile(ms, 99)),
        "max_ms": _r(max(ms) if ms else None),
        "mean_ms": _r(sum(ms) / len(ms) if ms else None),
    }


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# --- machine ------------------------------------------------------------------------------


def machine_info() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    import sqlite3

    versions = {}
    for module in ("whoosh", "docutils", "flask", "gunicorn"):
        try:
            from importlib.metadata import version

            versions[module] = version({"whoosh": "whoosh3"}.get(module, module))
        except Exception:  # noqa: BLE001 - informative only
            versions[module] = None
    return {
        "nproc": nproc,
        "cpu_model": cpu,
        "memory_mb": memory,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "loadavg_at_start": os.getloadavg(),
    }


# --- processes and memory --------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    children = _children_map()
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def leaf_descendants(pid: int) -> list[int]:
    children = _children_map()
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        if children.get(child):
            stack.extend(children[child])
        else:
            found.append(child)
    return found


def rss_parts_kb(pid: int) -> dict[str, int]:
    """RssAnon / RssFile / RssShmem of a process in KiB (file pages: mapped files)."""
    parts: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "RssShmem"):
                parts[key] = int(value.split()[0])
    except OSError:
        pass
    return parts


def rss_kb(pid: int) -> int | None:
    """VmRSS of a process in KiB (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class TreeRssPoller(threading.Thread):
    """Polls the summed RSS of a process's descendants (every ``interval`` s)."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.peak_processes = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = descendants(self.pid)
            total = sum(rss_kb(p) or 0 for p in pids)
            if total > self.peak_kb:
                self.peak_kb = total
            self.peak_processes = max(self.peak_processes, len(pids))
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


@dataclass
class Measured:
    """A subprocess run: wall time, exit status, output, peak RSS."""

    command: list[str]
    returncode: int
    wall: float
    stdout: str
    stderr: str
    maxrss_kb: int | None = None  # getrusage(RUSAGE_CHILDREN) in the wrapper: largest process
    tree_peak_kb: int | None = None  # polled sum of the process tree
    user: float | None = None
    system: float | None = None

    def json_report(self) -> dict | None:
        for line in reversed(self.stdout.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    return None
        return None

    def check(self) -> Measured:
        if self.returncode != 0:
            raise BenchError(
                f"{shlex.join(self.command)} exited {self.returncode}:\n{self.stderr[-3000:]}"
            )
        return self


def run_measured(
    command: list[str], cwd: Path, poll_rss: bool = True, timeout: float = 3600
) -> Measured:
    """Run ``command`` under bench/rusage_wrapper.py: its wall time (measured in the
    wrapper, around the command only), the peak RSS of the largest process of its tree
    (RUSAGE_CHILDREN, workers included) and, polled from /proc, of the whole tree."""
    report = WORK / f".rusage-{os.getpid()}-{time.monotonic_ns()}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    wrapped = [PYTHON, str(BENCH / "rusage_wrapper.py"), str(report), "--", *command]
    process = subprocess.Popen(
        wrapped, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    poller = TreeRssPoller(process.pid) if poll_rss else None
    if poller:
        poller.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise BenchError(f"{shlex.join(command)} took more than {timeout} s") from None
    finally:
        if poller:
            poller.stop()
    try:
        data = json.loads(report.read_text())
        report.unlink()
    except (OSError, ValueError):
        raise BenchError(
            f"the rusage wrapper gave no report for {shlex.join(command)}:\n{stderr[-2000:]}"
        ) from None
    return Measured(
        command,
        data["returncode"],
        data["wall"],
        stdout,
        stderr,
        data["maxrss_kb"],
        poller.peak_kb if poller else None,
        data["user"],
        data["system"],
    )


def run_timed(command: list[str], cwd: Path, timeout: float = 600) -> Measured:
    """Wall time of a plain subprocess run (fork/exec and interpreter start included)."""
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    return Measured(
        command, done.returncode, time.perf_counter() - started, done.stdout, done.stderr
    )


# --- the web server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_help() -> str | None:
    """The help text of ``barcamp-search serve``, or None when there is no such command."""
    done = subprocess.run(
        cli("serve", "--help"),
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout if done.returncode == 0 else None


class Server:
    """``barcamp-search serve --index IX --port P --workers N`` on 127.0.0.1.

    ``BENCH_SERVE=gunicorn`` starts gunicorn on ``barcamp_search.web.app:create_app()``
    instead (for testing the harness before the serve command exists); the
    results then say so.
    """

    def __init__(
        self, index: Path, workers: int = 2, cwd: Path = WORK, log_path: Path | None = None
    ) -> None:
        self.index = Path(index).resolve()
        self.workers = workers
        self.cwd = cwd
        self.port = free_port()
        self.log_path = log_path or WORK / f"serve-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.kind = ""
        self.command: list[str] = []

    @staticmethod
    def available() -> tuple[bool, str]:
        """(usable, how): the serve command, the gunicorn fallback, or why not."""
        if os.environ.get("BENCH_SERVE") == "gunicorn":
            return True, "gunicorn fallback (BENCH_SERVE=gunicorn)"
        help_text = serve_help()
        if help_text is None:
            return False, "skipped: no serve command"
        return True, "barcamp-search serve"

    def start(self, timeout: float = 60) -> Server:
        env = clean_env()
        if os.environ.get("BENCH_SERVE") == "gunicorn":
            self.kind = "gunicorn"
            env["BARCAMP_SEARCH_INDEX"] = str(self.index)
            self.command = [
                PYTHON,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "barcamp_search.web.app:create_app()",
            ]
        else:
            self.kind = "serve"
            help_text = serve_help() or ""
            self.command = cli(
                "serve",
                "--index",
                str(self.index),
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            )
            if "--host" in help_text:
                self.command += ["--host", "127.0.0.1"]
        self.cwd.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"the server exited {self.process.returncode} at start: {self.log_tail()}"
                )
            try:
                status, _ = http_get(self.port, "/api/search?q=python", timeout=5)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"the server did not answer within {timeout} s: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text()[-2000:]
        except OSError:
            return ""

    def worker_rss_kb(self) -> dict[str, object]:
        """VmRSS of the worker processes (leaves of the server's process tree) and master."""
        if self.process is None:
            return {}
        leaves = leaf_descendants(self.process.pid)
        workers = {pid: rss_kb(pid) for pid in leaves}
        workers = {pid: kb for pid, kb in workers.items() if kb}
        return {
            "workers_kb": sorted(workers.values(), reverse=True),
            "max_worker_kb": max(workers.values()) if workers else None,
            "workers_parts_kb": [rss_parts_kb(pid) for pid in workers],
            "master_kb": rss_kb(self.process.pid),
        }

    def stop(self) -> None:
        """SIGTERM to the server (its own session), then SIGKILL to its group if needed."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:  # the group is the session this harness created for the server
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=5)
        self._log.close()
        self.process = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def search_path(query: BenchQuery, endpoint: str = "/api/search") -> str:
    params = query.url_params()
    return endpoint + ("?" + urlencode(params) if params else "")


@dataclass
class LoadResult:
    seconds: float
    clients: int
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        done = len(self.latencies)
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": done,
            "requests_per_s": round(done / self.seconds, 2) if self.seconds else None,
            "errors": self.errors,
            "statuses": self.statuses,
            "error_samples": self.error_samples[:10],
            **latency_summary(self.latencies),
        }


def run_load(
    port: int,
    paths: list[str],
    clients: int = 8,
    seconds: float = 20,
    on_body: Callable[[str, bytes], None] | None = None,
) -> LoadResult:
    """``clients`` threads, each with a keep-alive connection (http.client reopens it
    when the server closes it), cycling through ``paths`` for ``seconds``. A non-200
    status or a connection error counts as an error; ``on_body(path, body)`` sees
    every 200 response."""
    lock = threading.Lock()
    result = LoadResult(seconds, clients)
    start = time.monotonic()
    deadline = start + seconds

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        index = number * max(1, len(paths) // clients)
        latencies: list[float] = []
        while time.monotonic() < deadline:
            path = paths[index % len(paths)]
            index += 1
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Connection": "keep-alive"})
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    result.errors += 1
                    result.error_samples.append(f"{path}: {type(error).__name__}: {error}")
                continue
            elapsed = time.perf_counter() - began
            latencies.append(elapsed)
            with lock:
                result.statuses[str(status)] = result.statuses.get(str(status), 0) + 1
                if status != 200:
                    result.errors += 1
                    result.error_samples.append(f"{path}: HTTP {status}: {body[:200]!r}")
            if status == 200 and on_body is not None:
                on_body(path, body)
        conn.close()
        with lock:
            result.latencies.extend(latencies)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.monotonic() - start
    return result


def post_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.rst"))


def word_for(n: int) -> str:
    """A made-up word no corpus holds (letters only, so it is indexed as written)."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    n += 1
    while n:
        n, rest = divmod(n, len(letters))
        word += letters[rest] + "o"
    return "benchmot" + word


def mean_or_none(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sanitize(value: object) -> object:
    """JSON-friendly: tuples to lists, floats rounded."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {str(k): sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitize(v) for v in value]
    return value
