"""``make loadtest``: the web server under load while the index is rebuilt underneath.

Indexes a 1,000-post generated archive (or ``--corpus examples``: the sample
archive) into a temporary index, starts ``barcamp-search serve --workers 2`` on
127.0.0.1, and runs 8 concurrent clients for 30 s over a mix of ``/search``
pages and ``/api/search`` calls (the bench queries), while a background thread
edits one post every 2 s (appends a made-up word, or only touches the file)
and runs ``barcamp-search index`` on it. Then it reports requests/s,
p50/p95/p99 latency, errors (any non-200 or connection error), whether the
totals of the stable queries ever changed, and whether each edit became
searchable. Exit status: 0 when there were no errors, no total changed and
every reindex run succeeded; 1 otherwise; 2 when it cannot run (no serve
command, no shared folder). Results also go to bench/out/loadtest.json.

Options: --seconds 30 --clients 8 --every 2 --corpus generated|examples
--posts 1000 --workers 2. ``BENCH_SERVE=gunicorn`` runs gunicorn on
``barcamp_search.web.app:create_app()`` when there is no serve command yet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    REPO,
    BenchError,
    Server,
    clean_env,
    cli,
    corpus,
    http_get,
    log,
    median,
    parse_queries,
    replace_file,
    run_load,
    sanitize,
    search_path,
    word_for,
    working_copy,
)

STABLE = [
    ("/api/search?" + urlencode({"q": "python"})),
    ("/api/search?" + urlencode({"tag": "django"})),
    ("/api/search?" + urlencode({"q": "atelier", "sort": "newest"})),
]


class Reindexer(threading.Thread):
    """Every ``every`` seconds: edit one post (append a word, or touch it), run index."""

    def __init__(self, archive: Path, index: Path, every: float, stop_at: float, port: int) -> None:
        super().__init__(daemon=True)
        self.archive, self.index, self.every = archive, index, every
        self.stop_at = stop_at
        self.port = port
        self.runs: list[dict] = []
        self._halt = threading.Event()

    def halt(self) -> None:
        self._halt.set()

    def run(self) -> None:
        files = sorted(
            p
            for p in self.archive.rglob("*")
            if p.suffix in (".rst", ".md") and not p.name.startswith(".")
        )
        number = 0
        next_run = time.monotonic() + self.every  # a fixed cadence: one run every `every` s
        while not self._halt.is_set() and next_run < self.stop_at:
            if self._halt.wait(max(0.0, next_run - time.monotonic())):
                break
            next_run += self.every
            path = files[(number * 37) % len(files)]
            word = None
            if number % 3 == 2:  # touch only: size and hash unchanged, mtime moves
                os.utime(path)
            else:
                word = word_for(1000 + number)
                replace_file(
                    path, path.read_bytes() + f"\n\nAjout du test de charge : {word}.\n".encode()
                )
            began = time.perf_counter()
            try:
                done = subprocess.run(
                    cli("index", "--index", str(self.index), "--json"),
                    cwd=self.index.parent,
                    env=clean_env(),
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                returncode, output, error = done.returncode, done.stdout, done.stderr[-500:]
            except subprocess.TimeoutExpired:
                returncode, output, error = -1, "", "index run took more than 60 s"
            wall = time.perf_counter() - began
            report = {}
            for line in output.splitlines():
                if line.startswith("{"):
                    try:
                        report = json.loads(line)
                    except ValueError:
                        pass
            run = {
                "file": path.name,
                "edit": "append" if word else "touch",
                "wall": wall,
                "returncode": returncode,
                "updated": report.get("updated"),
                "unchanged": report.get("unchanged"),
                "error": error if returncode else "",
            }
            if word:
                run["visible_after_s"] = self._visible(word)
            self.runs.append(run)
            number += 1

    def _visible(self, word: str, limit: float = 5.0) -> float | None:
        """Seconds until a search for the new word finds it (None: not within ``limit``)."""
        began = time.monotonic()
        path = "/api/search?" + urlencode({"q": word})
        while time.monotonic() - began < limit and not self._halt.is_set():
            try:
                status, body = http_get(self.port, path)
                if status == 200 and json.loads(body).get("total") == 1:
                    return round(time.monotonic() - began, 2)
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        return None


def prepare_archive(kind: str, posts: int, target: Path) -> Path:
    if kind == "examples":
        source = REPO / "examples" / "archive"
        shutil.copytree(source, target)
        return target
    return working_copy(corpus(posts), target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--every", type=float, default=2, help="seconds between reindex runs")
    parser.add_argument("--corpus", choices=("generated", "examples"), default="generated")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="web server workers")
    args = parser.parse_args(argv)

    usable, how = Server.available()
    if not usable:
        print(
            f"loadtest: {how} (barcamp-search serve --help fails); "
            "set BENCH_SERVE=gunicorn to test with gunicorn directly",
            file=sys.stderr,
        )
        return 2
    queries = parse_queries()
    paths: list[str] = []
    for query in queries:
        paths.append(search_path(query, "/search"))
        paths.append(search_path(query, "/api/search"))
    paths += STABLE

    tmp = Path(tempfile.mkdtemp(prefix="barcamp-loadtest-"))
    server = None
    try:
        archive = prepare_archive(args.corpus, args.posts, tmp / "archive")
        index = tmp / "index"
        log(f"indexing {archive} ({args.corpus})")
        done = subprocess.run(
            cli(
                "index",
                str(archive),
                "--index",
                str(index),
                "--lang",
                "fr",
                "--archive",
                "loadtest",
                "--json",
            ),
            cwd=tmp,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise BenchError(f"indexing failed ({done.returncode}): {done.stderr[-2000:]}")
        server = Server(index, workers=args.workers, cwd=tmp, log_path=tmp / "serve.log")
        server.start()
        log(
            f"{how} on 127.0.0.1:{server.port}, {args.workers} workers; "
            f"{args.clients} clients for {args.seconds:g} s, reindex every {args.every:g} s"
        )

        stable_totals: dict[str, set[int]] = {p: set() for p in STABLE}
        lock = threading.Lock()

        def on_body(path: str, body: bytes) -> None:
            if path in stable_totals:
                try:
                    total = json.loads(body)["total"]
                except (ValueError, KeyError):
                    total = -1
                with lock:
                    stable_totals[path].add(total)

        for path in STABLE:  # the totals before any edit
            status, body = http_get(server.port, path)
            if status == 200:
                on_body(path, body)
        stop_at = time.monotonic() + args.seconds
        reindexer = Reindexer(archive, index, args.every, stop_at, server.port)
        reindexer.start()
        load = run_load(
            server.port, paths, clients=args.clients, seconds=args.seconds, on_body=on_body
        )
        reindexer.halt()
        reindexer.join(timeout=90)
        rss = server.worker_rss_kb()
    except BenchError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
        serve_log = (tmp / "serve.log").read_text()[-3000:] if (tmp / "serve.log").exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)

    summary = load.summary()
    runs = reindexer.runs
    failed_runs = [r for r in runs if r["returncode"] != 0]
    changed = {p: sorted(t) for p, t in stable_totals.items() if len(t) != 1}
    invisible = [r for r in runs if r["edit"] == "append" and r.get("visible_after_s") is None]
    result = {
        "server": how,
        "corpus": args.corpus,
        "posts": args.posts if args.corpus == "generated" else None,
        "load": summary,
        "stable_totals": {p: sorted(t) for p, t in stable_totals.items()},
        "reindex_runs": runs,
        "worker_rss_kb": rss,
        "ok": summary["errors"] == 0 and not changed and not failed_runs,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "loadtest.json").write_text(
        json.dumps(sanitize(result), indent=1, ensure_ascii=False) + "\n"
    )

    print(f"server: {how}, {args.workers} workers; {args.clients} clients, {summary['seconds']} s")
    print(
        f"requests: {summary['requests']:,} ({summary['requests_per_s']} req/s), "
        f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"max {summary['max_ms']} ms"
    )
    print(f"errors: {summary['errors']} (statuses {summary['statuses']})")
    for sample in summary["error_samples"][:5]:
        print(f"  {sample}")
    walls = [r["wall"] for r in runs]
    visible = [r["visible_after_s"] for r in runs if r.get("visible_after_s") is not None]
    print(
        f"reindex runs: {len(runs)}, failed {len(failed_runs)}, median "
        f"{(median(walls) or 0):.2f} s, max {max(walls, default=0):.2f} s; edits visible "
        f"to search: {len(visible)}/{len(visible) + len(invisible)} "
        f"(median {(median(visible) or 0):.2f} s after the run)"
    )
    for run in failed_runs[:5]:
        print(f"  failed run: {run}")
    for path, totals in stable_totals.items():
        print(
            f"stable query {path}: totals seen {sorted(totals)}"
            + ("  <- CHANGED" if path in changed else "")
        )
    if rss.get("workers_kb"):
        print(
            f"worker RSS after load: {', '.join(f'{kb / 1024:.0f} MB' for kb in rss['workers_kb'])}"
        )
    if not result["ok"]:
        if serve_log:
            print("--- end of the server log ---\n" + serve_log, file=sys.stderr)
        print("loadtest: FAILED", file=sys.stderr)
        return 1
    print("loadtest: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
