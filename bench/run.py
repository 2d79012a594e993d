"""``make bench``: barcamp-search against an SQLite FTS5 reference on generated archives.

For each size (1,000 and 10,000 posts; 50,000 more with ``BENCH_LARGE=1``;
``BENCH_SIZES=200,1000`` overrides) it measures extraction, end-to-end
indexing (wall, peak RSS, size), incremental runs, query latency over
``../shared/tools/bench-queries.txt`` on a warm searcher, a cold CLI search and
the web server under 8 clients, and the same job done by bench/fts5_reference.py.
It writes bench/results.json and prints one row per figure with its target.

Environment:
  BENCH_SIZES=1000,10000   sizes to run (default; BENCH_LARGE=1 adds 50000)
  BENCH_WEB_SECONDS=20     length of the web load
  BENCH_SKIP=extract1,web,cli   steps to leave out (extract1 = the 1-process extraction)
  BENCH_EXTRACT1_MAX=0     the 1-process extraction rate is measured on at most this many
                           posts (the first ones); 0 = all
  BENCH_SERVE=gunicorn     use gunicorn on barcamp_search.web.app:create_app() when there is
                           no ``serve`` command yet (the results say so)
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fts5_reference  # noqa: E402
from common import (  # noqa: E402
    ARCHIVE,
    BENCH,
    WORK,
    BenchError,
    BenchQuery,
    Server,
    cli,
    corpus,
    folder_bytes,
    latency_summary,
    log,
    machine_info,
    median,
    parse_queries,
    post_files,
    replace_file,
    run_load,
    run_measured,
    run_timed,
    sanitize,
    search_path,
    shared_dir,
    word_for,
    working_copy,
)

RESULTS = Path(os.environ.get("BENCH_RESULTS") or BENCH / "results.json").resolve()
PASSES = 3
COLD_RUNS = 5
INCREMENTAL_RUNS = 3
WEB_CLIENTS = 8
WEB_WORKERS = 2
MB = 1024 * 1024
EXTRACT1_MAX = 0  # 0: all posts; BENCH_EXTRACT1_MAX=N measures the first N only

# (figure, size or None for any, kind, limit, text). kind: "max", "min", "ratio_max".
TARGETS: list[tuple[str, int | None, str, float, str]] = [
    ("query_p95_ms", 10000, "ratio_max", 1.0, "≤ 1.0× FTS5 p95"),
    ("query_p50_ms", 10000, "ratio_max", 1.5, "≤ 1.5× FTS5 p50"),
    ("index_seconds", 10000, "ratio_max", 1.5, "≤ 1.5× FTS5 extract+build"),
    ("nochange_seconds", 10000, "max", 1.0, "≤ 1 s"),
    ("onepost_seconds", 10000, "max", 0.5, "≤ 0.5 s"),
    ("cold_cli_seconds", 10000, "max", 0.35, "≤ 0.35 s"),
    ("keystroke_p95_ms", 10000, "max", 50, "≤ 50 ms"),
    ("keystroke_page_p95_ms", 10000, "max", 50, "≤ 50 ms"),
    ("all_queries_p95_ms", 10000, "ratio_max", 1.0, "≤ 1.0× FTS5 p95"),
    ("serve_worker_rss_mb", 10000, "max", 250, "≤ 250 MB"),
    ("web_requests_per_s", 10000, "min", 30, "≥ 30 req/s"),
    ("web_errors", 10000, "max", 0, "0 errors"),
    ("query_p95_ms", 50000, "max", 1000, "≤ 1 s"),
    ("index_peak_rss_mb", 50000, "max", 1024, "≤ 1 GB"),
]

LABELS = {
    "extract_posts_per_s_1": ("extraction, 1 process", "posts/s"),
    "extract_posts_per_s_pool": ("extraction, pool", "posts/s"),
    "index_seconds": ("index from scratch (end to end)", "s"),
    "index_posts_per_s": ("index from scratch", "posts/s"),
    "index_size_mb": ("index size on disk", "MB"),
    "index_peak_rss_mb": ("index peak RSS (largest process)", "MB"),
    "index_tree_rss_mb": ("index peak RSS (whole tree, polled)", "MB"),
    "nochange_seconds": ("index, no change", "s"),
    "onepost_seconds": ("index, one post changed", "s"),
    "query_p50_ms": ("query p50 (warm)", "ms"),
    "query_p95_ms": ("query p95 (warm)", "ms"),
    "query_p99_ms": ("query p99 (warm)", "ms"),
    "cold_cli_seconds": ("cold CLI search", "s"),
    "typo_p95_ms": ("typo queries p95 (warm)", "ms"),
    "unfinished_p95_ms": ("unfinished-word queries p95 (instant)", "ms"),
    "keystroke_p95_ms": ("a keystroke's query p95 (instant, typos on)", "ms"),
    "keystroke_page_p95_ms": ("a keystroke's page request p95 (fragment rendered)", "ms"),
    "all_queries_p95_ms": ("whole query set p95 (bench + typo + unfinished + keystrokes)", "ms"),
    "web_requests_per_s": ("web, 8 clients", "req/s"),
    "web_p95_ms": ("web p95, 8 clients", "ms"),
    "web_errors": ("web errors", ""),
    "serve_worker_rss_mb": ("serving worker RSS after load", "MB"),
}


def sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES")
    if raw:
        chosen = [int(s.replace("_", "")) for s in raw.split(",") if s.strip()]
    else:
        chosen = [1000, 10000]
    if os.environ.get("BENCH_LARGE") == "1" and 50000 not in chosen:
        chosen.append(50000)
    return sorted(chosen)


def skipped(step: str) -> bool:
    return step in {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",")}


# --- measuring steps ---------------------------------------------------------------------


def extraction(root: Path, workers: int) -> tuple[list[Any], float, int]:
    posts, seconds, failed = fts5_reference.extract_posts(root, workers=workers)
    return posts, seconds, failed


def index_command(folder: Path, index: Path) -> list[str]:
    return cli(
        "index", str(folder), "--index", str(index), "--lang", "fr", "--archive", ARCHIVE, "--json"
    )


def timed_passes(
    run_one, queries: list[BenchQuery]
) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """One warm-up pass, then PASSES measured passes; per query: latencies, first answer."""
    answers = {q.id: run_one(q) for q in queries}  # warm-up
    latencies: dict[str, list[float]] = {q.id: [] for q in queries}
    for _ in range(PASSES):
        for query in queries:
            started = time.perf_counter()
            run_one(query)
            latencies[query.id].append(time.perf_counter() - started)
    return latencies, answers


def our_queries(index: Path, queries: list[BenchQuery]) -> dict[str, Any]:
    from barcamp_search.errors import QueryError
    from barcamp_search.search import SearchIndex, SearchQuery

    engine = SearchIndex(index)

    def run_one(query: BenchQuery) -> Any:
        try:
            return engine.search(
                SearchQuery(
                    text=query.text,
                    tags=query.tags,
                    authors=query.authors,
                    date_from=query.date_from,
                    date_to=query.date_to,
                    per_page=10,
                    instant=query.instant,
                )
            )
        except QueryError as error:
            return error

    opened = time.perf_counter()
    engine.state()
    open_seconds = time.perf_counter() - opened
    latencies, answers = timed_passes(run_one, queries)
    engine.close()
    return {
        "latencies": latencies,
        "open_seconds": open_seconds,
        "totals": {
            qid: (a.total if not isinstance(a, Exception) else None) for qid, a in answers.items()
        },
        "errors": {qid: str(a) for qid, a in answers.items() if isinstance(a, Exception)},
        "hits_shown": {
            qid: (len(a.hits) if not isinstance(a, Exception) else 0) for qid, a in answers.items()
        },
    }


def page_requests(index: Path, queries: list[BenchQuery]) -> dict[str, Any]:
    """What the page asks while one types: ``/search?q=…&fragment=1&instant=1`` through
    the Flask app in this process (the results region rendered, no network)."""
    import dataclasses
    from urllib.parse import urlencode

    from barcamp_search.config import load_settings
    from barcamp_search.web.app import create_app

    app = create_app(dataclasses.replace(load_settings(), index=index))
    client = app.test_client()

    def run_one(query: BenchQuery) -> int:
        path = "/search?" + urlencode({"q": query.text, "fragment": 1, "instant": 1})
        status = client.get(path).status_code
        if status != 200:
            raise BenchError(f"{path} answered {status}")
        return status

    latencies, _answers = timed_passes(run_one, queries)
    return {"latencies": latencies}


def fts5_queries(db: Path, queries: list[BenchQuery]) -> dict[str, Any]:
    con = fts5_reference.connect(db)

    def run_one(query: BenchQuery) -> Any:
        return fts5_reference.search(
            con, query.text, query.tags, query.authors, query.date_from, query.date_to, per_page=10
        )

    latencies, answers = timed_passes(run_one, queries)
    con.close()
    return {
        "latencies": latencies,
        "totals": {qid: a.total for qid, a in answers.items()},
        "notes": {qid: a.notes for qid, a in answers.items() if a.notes},
    }


def misspell(word: str, rng: random.Random) -> str:
    """One typing mistake: two letters swapped, one left out, one doubled or one wrong."""
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "wrong"))
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    wrong = rng.choice([c for c in "aeiourstnl" if c != word[at]])
    return word[:at] + wrong + word[at + 1 :]


def forgiving_queries(queries: list[BenchQuery], seed: int = 12) -> list[BenchQuery]:
    """Typo queries (one word of 5+ letters of each bench query misspelt by a seeded
    generator), unfinished-word queries (the last word cut, ``instant``) and keystrokes
    (every prefix of a few queries as typed, ``instant``)."""
    rng = random.Random(seed)
    made: list[BenchQuery] = []
    texts = [
        q.text
        for q in queries
        if q.text
        and '"' not in q.text
        and "*" not in q.text
        and "~" not in q.text
        and ":" not in q.text
    ]
    for number, text in enumerate(texts):
        words = text.split()
        long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long:
            i = rng.choice(long)
            typo = " ".join(words[:i] + [misspell(words[i], rng)] + words[i + 1 :])
            made.append(BenchQuery(f"typo{number:02d}", "typo", typo))
        last = words[-1]
        if len(last) >= 4 and last.isalpha():
            cut = " ".join(words[:-1] + [last[: max(2, len(last) * 3 // 5)]])
            made.append(BenchQuery(f"unfinished{number:02d}", "unfinished", cut, instant=True))
    for number, text in enumerate(texts[:6]):
        for end in range(2, len(text) + 1):
            if not text[end - 1].isspace():
                made.append(
                    BenchQuery(f"key{number:02d}-{end:02d}", "keystroke", text[:end], instant=True)
                )
    return made


def one_post_changes(folder: Path, index: Path, size: int) -> dict[str, Any]:
    """Edit one post (append a sentence with a new word) and reindex; INCREMENTAL_RUNS times."""
    from barcamp_search.search import SearchIndex, SearchQuery

    files = post_files(folder)
    runs = []
    for number in range(INCREMENTAL_RUNS):
        path = files[(size // 2 + number * 7) % len(files)]
        word = word_for(number)
        replace_file(path, path.read_bytes() + f"\n\nAjout du benchmark : {word}.\n".encode())
        measured = run_measured(index_command(folder, index), folder.parent, poll_rss=False).check()
        report = measured.json_report() or {}
        with SearchIndex(index) as engine:
            found = engine.search(SearchQuery(text=word)).total
        runs.append(
            {
                "file": path.name,
                "wall": measured.wall,
                "updated": report.get("updated"),
                "word_found": found,
                "report_seconds": report.get("seconds"),
            }
        )
        if report.get("updated") != 1 or found != 1:
            log(f"  warning: one-post change gave {report} and {found} hits for {word}")
    return {"runs": runs, "median": median([r["wall"] for r in runs])}


def web_load(
    index: Path, queries: list[BenchQuery], seconds: float, server_how: tuple[bool, str]
) -> dict[str, Any]:
    usable, how = server_how
    if not usable:
        return {"skipped": how}
    paths = [search_path(q) for q in queries]
    with Server(index, workers=WEB_WORKERS) as server:
        run_load(server.port, paths, clients=WEB_CLIENTS, seconds=3)  # warm both workers
        load = run_load(server.port, paths, clients=WEB_CLIENTS, seconds=seconds)
        rss = server.worker_rss_kb()
        command = server.command
    return {"server": how, "command": command, **load.summary(), "rss": rss}


# --- one size ------------------------------------------------------------------------------


def bench_size(size: int, queries: list[BenchQuery], server_how: tuple[bool, str]) -> dict:
    from barcamp_search.config import default_workers

    log(f"=== {size} posts")
    pristine = corpus(size)
    work = WORK / f"posts-{size}"
    folder = working_copy(pristine, work / "archive")
    index = work / "index"
    db = work / "fts5.sqlite"
    shutil.rmtree(index, ignore_errors=True)
    figures: dict[str, Any] = {"posts": size, "corpus_bytes": folder_bytes(pristine)}
    reference: dict[str, Any] = {}
    detail: dict[str, Any] = {}

    if not skipped("extract1"):
        # A rate: with BENCH_EXTRACT1_MAX=N, measured on the first N posts only (it is
        # per-file work; a cap shortens runs with BENCH_LARGE=1).
        cap = int(os.environ.get("BENCH_EXTRACT1_MAX", EXTRACT1_MAX)) or size
        sample = (
            folder if size <= cap else working_copy(folder, work / "extract1-sample", limit=cap)
        )
        log(f"extraction, 1 process ({min(size, cap)} posts)")
        posts, seconds, failed = extraction(sample, 1)
        figures["extract_posts_per_s_1"] = len(posts) / seconds
        detail["extract_1"] = {
            "seconds": seconds,
            "posts": len(posts),
            "failed": failed,
            "sample_of_first": cap if size > cap else None,
        }
        del posts
        gc.collect()
    pool = default_workers()
    log(f"extraction, pool of {pool}")
    posts, seconds, failed = extraction(folder, pool)
    figures["extract_posts_per_s_pool"] = len(posts) / seconds
    detail["extract_pool"] = {
        "seconds": seconds,
        "posts": len(posts),
        "failed": failed,
        "workers": pool,
    }

    log("FTS5 reference build")
    built = fts5_reference.build(db, posts)
    reference["index_seconds"] = seconds + built["insert_seconds"]
    reference["index_posts_per_s"] = built["posts"] / reference["index_seconds"]
    reference["index_size_mb"] = built["bytes"] / MB
    detail["fts5_build"] = {**built, "extract_seconds": seconds}
    del posts
    gc.collect()

    log("index from scratch")
    measured = run_measured(index_command(folder, index), work).check()
    report = measured.json_report() or {}
    figures["index_seconds"] = measured.wall
    figures["index_posts_per_s"] = size / measured.wall
    figures["index_size_mb"] = folder_bytes(index) / MB
    figures["index_peak_rss_mb"] = (measured.maxrss_kb or 0) / 1024
    figures["index_tree_rss_mb"] = (measured.tree_peak_kb or 0) / 1024
    detail["index"] = {
        "report": report,
        "user": measured.user,
        "system": measured.system,
        "stderr_tail": measured.stderr[-500:],
    }
    if report.get("added") != size:
        log(f"  warning: the index run added {report.get('added')} posts of {size}")

    log("index, no change")
    nochange = [
        run_measured(index_command(folder, index), work, poll_rss=False).check()
        for _ in range(INCREMENTAL_RUNS)
    ]
    figures["nochange_seconds"] = median([m.wall for m in nochange])
    detail["nochange"] = [{"wall": m.wall, "report": m.json_report()} for m in nochange]

    log("index, one post changed")
    changes = one_post_changes(folder, index, size)
    figures["onepost_seconds"] = changes["median"]
    detail["onepost"] = changes["runs"]

    log("queries (ours)")
    ours = our_queries(index, queries)
    log("queries (FTS5)")
    theirs = fts5_queries(db, queries)
    forgiving = forgiving_queries(queries)
    log(f"typo, unfinished-word and keystroke queries ({len(forgiving)}, ours and FTS5)")
    ours_forgiving = our_queries(index, forgiving)
    theirs_forgiving = fts5_queries(db, forgiving)
    for kind in ("typo", "unfinished", "keystroke"):
        ids = [q.id for q in forgiving if q.kind == kind]
        ours_kind = latency_summary([s for i in ids for s in ours_forgiving["latencies"][i]])
        theirs_kind = latency_summary([s for i in ids for s in theirs_forgiving["latencies"][i]])
        figures[f"{kind}_p95_ms"] = ours_kind["p95_ms"]
        reference[f"{kind}_p95_ms"] = theirs_kind["p95_ms"]
        detail[f"queries_{kind}"] = {"ours": ours_kind, "fts5": theirs_kind, "queries": len(ids)}
    keystrokes = [q for q in forgiving if q.kind == "keystroke"]
    log(f"keystrokes as page requests ({len(keystrokes)})")
    pages = page_requests(index, keystrokes)
    page_kind = latency_summary([s for values in pages["latencies"].values() for s in values])
    figures["keystroke_page_p95_ms"] = page_kind["p95_ms"]
    detail["queries_keystroke_page"] = page_kind
    for data, plus, target in (
        (ours, ours_forgiving, figures),
        (theirs, theirs_forgiving, reference),
    ):
        every = [s for d in (data, plus) for values in d["latencies"].values() for s in values]
        target["all_queries_p95_ms"] = latency_summary(every)["p95_ms"]
    detail["forgiving_totals"] = {
        q.id: {
            "text": q.text,
            "ours": ours_forgiving["totals"][q.id],
            "fts5": theirs_forgiving["totals"][q.id],
        }
        for q in forgiving
        if q.kind != "keystroke"
    }
    for name, data, target in (("ours", ours, figures), ("fts5", theirs, reference)):
        flat = [s for values in data["latencies"].values() for s in values]
        summary = latency_summary(flat)
        target["query_p50_ms"] = summary["p50_ms"]
        target["query_p95_ms"] = summary["p95_ms"]
        target["query_p99_ms"] = summary["p99_ms"]
        detail[f"queries_{name}"] = summary
    detail["searcher_open_seconds"] = ours["open_seconds"]
    detail["per_query"] = per_query(queries, ours, theirs)
    detail["per_kind"] = per_kind(queries, ours, theirs)
    detail["query_errors"] = ours["errors"]

    if not skipped("cli"):
        log("cold CLI search")
        cold = []
        for _ in range(COLD_RUNS):
            done = run_timed(cli("search", "python", "--index", str(index), "--json"), work)
            done.check()
            cold.append(done.wall)
        figures["cold_cli_seconds"] = median(cold)
        detail["cold_cli"] = cold

    if not skipped("web"):
        log(f"web load ({server_how[1]})")
        seconds_web = float(os.environ.get("BENCH_WEB_SECONDS", "20"))
        try:
            web = web_load(index, queries, seconds_web, server_how)
        except BenchError as error:
            web = {"skipped": f"failed: {error}"}
        detail["web"] = web
        if "skipped" not in web:
            figures["web_requests_per_s"] = web["requests_per_s"]
            figures["web_p95_ms"] = web["p95_ms"]
            figures["web_errors"] = web["errors"]
            worker = web["rss"].get("max_worker_kb")
            figures["serve_worker_rss_mb"] = worker / 1024 if worker else None
        else:
            figures["web"] = web["skipped"]
            log(f"  web: {web['skipped']}")
    return {"figures": figures, "reference": reference, "detail": detail}


def per_query(queries, ours, theirs) -> list[dict[str, Any]]:
    rows = []
    for query in queries:
        rows.append(
            {
                "id": query.id,
                "kind": query.kind,
                "query": query.describe(),
                "ours_total": ours["totals"][query.id],
                "fts5_total": theirs["totals"][query.id],
                "ours_median_ms": round(median(ours["latencies"][query.id]) * 1000, 2),
                "fts5_median_ms": round(median(theirs["latencies"][query.id]) * 1000, 2),
                "ours_max_ms": round(max(ours["latencies"][query.id]) * 1000, 2),
                "fts5_note": "; ".join(theirs["notes"].get(query.id, [])) or None,
            }
        )
    return rows


def per_kind(queries, ours, theirs) -> dict[str, dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for query in queries:
        entry = kinds.setdefault(
            query.kind,
            {"queries": 0, "ours_total": 0, "fts5_total": 0, "ours_ms": [], "fts5_ms": []},
        )
        entry["queries"] += 1
        entry["ours_total"] += ours["totals"][query.id] or 0
        entry["fts5_total"] += theirs["totals"][query.id] or 0
        entry["ours_ms"] += ours["latencies"][query.id]
        entry["fts5_ms"] += theirs["latencies"][query.id]
    for entry in kinds.values():
        entry["ours_median_ms"] = round(median(entry.pop("ours_ms")) * 1000, 2)
        entry["fts5_median_ms"] = round(median(entry.pop("fts5_ms")) * 1000, 2)
    return kinds


# --- the table -------------------------------------------------------------------------------


def build_rows(results: dict[int, dict]) -> list[dict[str, Any]]:
    rows = []
    for size, data in results.items():
        figures, reference = data["figures"], data["reference"]
        for key, (label, unit) in LABELS.items():
            if key not in figures:
                continue
            ours = figures[key]
            ref = reference.get(key)
            sample = data["detail"].get("extract_1", {}).get("sample_of_first")
            if key == "extract_posts_per_s_1" and sample:
                label = f"{LABELS[key][0]} (first {sample:,})"
            ratio = (ours / ref) if isinstance(ours, (int, float)) and ref else None
            target_text, status = None, None
            for figure, target_size, kind, limit, text in TARGETS:
                if figure != key or (target_size is not None and target_size != size):
                    continue
                target_text = text
                value = ratio if kind == "ratio_max" else ours
                if value is None:
                    status = "n/a"
                elif kind in ("max", "ratio_max"):
                    status = "met" if value <= limit else "MISSED"
                else:
                    status = "met" if value >= limit else "MISSED"
            rows.append(
                {
                    "size": size,
                    "figure": key,
                    "label": label,
                    "unit": unit,
                    "ours": ours,
                    "reference": ref,
                    "ratio": ratio,
                    "target": target_text,
                    "status": status,
                }
            )
        if "web" in figures:
            rows.append(
                {
                    "size": size,
                    "figure": "web",
                    "label": "web load",
                    "unit": "",
                    "ours": figures["web"],
                    "reference": None,
                    "ratio": None,
                    "target": "≥ 30 req/s, 0 errors, ≤ 250 MB" if size == 10000 else None,
                    "status": "n/a" if size == 10000 else None,
                }
            )
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def print_table(rows: list[dict[str, Any]]) -> str:
    header = ("size", "figure", "ours", "FTS5 ref", "ratio", "target", "")
    lines = []
    for row in rows:
        unit = f" {row['unit']}" if row["unit"] and not isinstance(row["ours"], str) else ""
        lines.append(
            (
                f"{row['size']:,}",
                row["label"],
                _fmt(row["ours"]) + unit,
                (_fmt(row["reference"]) + unit) if row["reference"] is not None else "-",
                f"{row['ratio']:.2f}×" if row["ratio"] is not None else "-",
                row["target"] or "",
                row["status"] or "",
            )
        )
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(len(header))]
    out = []
    for number, line in enumerate([header, *lines]):
        out.append(
            "  ".join(
                str(cell).rjust(widths[i]) if i in (0, 2, 3, 4) else str(cell).ljust(widths[i])
                for i, cell in enumerate(line)
            )
        )
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in out)


def print_kinds(results: dict[int, dict]) -> str:
    out = []
    for size, data in results.items():
        out.append(
            f"\nHit counts and median latency per query kind, {size:,} posts "
            "(totals differ by design: we stem and fold, FTS5 only folds):"
        )
        out.append(
            f"  {'kind':<11} {'n':>2} {'ours total':>10} {'FTS5 total':>10} "
            f"{'ours ms':>8} {'FTS5 ms':>8}"
        )
        for kind, entry in data["detail"]["per_kind"].items():
            out.append(
                f"  {kind:<11} {entry['queries']:>2} {entry['ours_total']:>10,} "
                f"{entry['fts5_total']:>10,} {entry['ours_median_ms']:>8.1f} "
                f"{entry['fts5_median_ms']:>8.1f}"
            )
    return "\n".join(out)


def main() -> int:
    started = time.monotonic()
    shared_dir()  # a clear message before anything else when it is missing
    queries = parse_queries()
    WORK.mkdir(parents=True, exist_ok=True)
    server_how = (False, "skipped: BENCH_SKIP=web") if skipped("web") else Server.available()
    info = machine_info()
    log(
        f"machine: {info['nproc']} cores, {info['cpu_model']}, Python {info['python']}; "
        f"server: {server_how[1]}"
    )
    results: dict[int, dict] = {}
    for size in sizes():
        results[size] = bench_size(size, queries, server_how)
    info["loadavg_at_end"] = os.getloadavg()
    rows = build_rows(results)
    document = {
        "machine": info,
        "settings": {
            "sizes": sizes(),
            "passes": PASSES,
            "cold_runs": COLD_RUNS,
            "incremental_runs": INCREMENTAL_RUNS,
            "web_clients": WEB_CLIENTS,
            "web_workers": WEB_WORKERS,
            "server": server_how[1],
            "queries": len(queries),
            "corpus_seed": 1,
        },
        "seconds": round(time.monotonic() - started, 1),
        "rows": rows,
        "sizes": {str(size): data for size, data in results.items()},
    }
    RESULTS.write_text(json.dumps(sanitize(document), indent=1, ensure_ascii=False) + "\n")
    table = print_table(rows)
    print(table)
    print(print_kinds(results))
    missed = [r for r in rows if r["status"] == "MISSED"]
    print(
        f"\n{len(missed)} target(s) missed"
        + (": " + ", ".join(f"{r['label']} @ {r['size']:,}" for r in missed) if missed else "")
        + f". Results in {RESULTS.relative_to(BENCH.parent)} "
        f"({document['seconds']:.0f} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
