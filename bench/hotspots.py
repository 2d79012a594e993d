"""Where the time goes: cProfile of the hot paths, on a cached bench corpus.

    python bench/hotspots.py [query|stages|extract|write|open|cli|all] [--size 1000]

query    cProfile of one warm pass of the bench queries (SearchIndex.search)
stages   per-stage time of SearchIndex.search per query kind (parse, match+group,
         facets, top posts, hits/snippets, suggestions), by wrapping the package's
         functions in this process only
extract  cProfile of read_post over the corpus in this process (no workers)
write    cProfile of the index writing alone: extracted posts -> post_documents ->
         Whoosh add_document -> commit, into a throw-away index
open     time to open a searcher and build the PostTable (each new index generation)
memory   RSS and tracemalloc's top allocation sites of a SearchIndex after the bench queries
reindex  cProfile of a no-change run and of a one-post-changed run (index_archives in
         this process; the parse worker's own time is not in the profile)
cli      python -X importtime of the search command: the slowest imports

Uses the index bench/run.py left in bench/out/work/posts-SIZE/index (built when
missing). Full reports go to bench/out/profile-*.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    WORK,
    clean_env,
    cli,
    corpus,
    median,
    parse_queries,
    replace_file,
    working_copy,
)


def ensure_index(size: int) -> tuple[Path, Path]:
    work = WORK / f"posts-{size}"
    folder, index = work / "archive", work / "index"
    if not (index / "status.json").exists():
        folder = working_copy(corpus(size), folder)
    command = cli("index", str(folder), "--index", str(index), "--lang", "fr", "--archive", "bench")
    done = subprocess.run(command, cwd=work, env=clean_env())
    if done.returncode == 65:  # built by another schema version of the package: rebuild
        subprocess.run(command + ["--rebuild"], cwd=work, env=clean_env(), check=True)
    elif done.returncode != 0:
        raise SystemExit(f"indexing failed ({done.returncode})")
    return folder, index


def report(profile: cProfile.Profile, name: str, top: int = 25) -> str:
    out = []
    for key in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.strip_dirs().sort_stats(key).print_stats(top if key == "tottime" else top + 15)
        text = buffer.getvalue()
        out.append(f"--- sorted by {key}\n" + text[text.find("   ncalls") :])
    full = "\n".join(out)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"profile-{name}.txt").write_text(full)
    return full


def search_query(query):
    from barcamp_search.search import SearchQuery

    return SearchQuery(
        text=query.text,
        tags=query.tags,
        authors=query.authors,
        date_from=query.date_from,
        date_to=query.date_to,
        per_page=10,
    )


def profile_query(size: int) -> None:
    from barcamp_search.search import SearchIndex

    _, index = ensure_index(size)
    queries = parse_queries()
    engine = SearchIndex(index)
    for query in queries:  # warm
        try:
            engine.search(search_query(query))
        except Exception:  # noqa: BLE001
            pass
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for query in queries:
        try:
            engine.search(search_query(query))
        except Exception:  # noqa: BLE001
            pass
    profile.disable()
    print(
        f"one warm pass of {len(queries)} queries at {size} posts: "
        f"{time.perf_counter() - started:.2f} s (under cProfile)"
    )
    print(report(profile, f"query-{size}"))


def profile_stages(size: int) -> None:
    """Wrap the stages of SearchIndex._search in this process and time them per kind."""
    import barcamp_search.search.engine as search_module

    _, index = ensure_index(size)
    timings: dict[str, float] = defaultdict(float)

    def wrap(owner, name: str, label: str) -> bool:
        original = getattr(owner, name, None)
        if original is None:  # the package's internals moved: that stage is not shown
            return False

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timings[label] += time.perf_counter() - began

        setattr(owner, name, timed)
        return True

    import barcamp_search.search.tables as tables_module

    matching_module = getattr(__import__("barcamp_search", fromlist=["matching"]), "matching", None)
    candidates = [  # (owner, attribute, label): whichever exist in this version
        (search_module, "parse_text", "parse"),
        (search_module, "filtered_posts", "filters -> posts"),
        (getattr(matching_module, "DocSets", None), "mask", "match: document masks"),
        (tables_module.PostTable, "posts_mask_of_docs", "group docs by post"),
        (tables_module.PostTable, "posts_matching", "match + group by post"),
        (search_module, "count_facets", "facets"),
        (search_module, "_rank", "rank"),
        (search_module, "_top_k_posts", "  of which top-k posts"),
        (getattr(matching_module, "DocSets", None), "vector", "  of which scores"),
        (search_module, "_top_posts", "top posts (collapse search)"),
        (search_module, "_section_scores", "section scores"),
        (search_module, "score_documents", "  of which score_documents"),
        (search_module, "_highlight_terms", "highlight terms"),
        (search_module.SearchIndex, "_hit", "hits: sections + snippets"),
        (search_module, "snippet_for", "  of which snippet_for"),
        (tables_module.PostTable, "by_date", "sort by date"),
        (search_module, "suggest", "suggestion"),
    ]
    labels = ["(whole search)"] + [
        label for owner, name, label in candidates if owner is not None and wrap(owner, name, label)
    ]
    engine = search_module.SearchIndex(index)
    queries = parse_queries()
    for query in queries:
        engine.search(search_query(query))
    per_kind: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    totals: dict[str, list[float]] = defaultdict(list)
    for _ in range(3):
        for query in queries:
            timings.clear()
            began = time.perf_counter()
            engine.search(search_query(query))
            whole = time.perf_counter() - began
            totals[query.kind].append(whole)
            for label, seconds in timings.items():
                per_kind[query.kind][label] += seconds / 3
            per_kind[query.kind]["(whole search)"] += whole / 3
    counts = defaultdict(int)
    for query in queries:
        counts[query.kind] += 1
    lines = [
        f"mean ms per query, by stage, {size} posts (3 warm passes)",
        "stage".ljust(30) + "".join(k[:9].rjust(10) for k in per_kind),
    ]
    for label in labels:
        lines.append(
            label.ljust(30)
            + "".join(f"{per_kind[k].get(label, 0) * 1000 / counts[k]:10.1f}" for k in per_kind)
        )
    overall = defaultdict(float)
    for kind in per_kind:
        for label, seconds in per_kind[kind].items():
            overall[label] += seconds
    whole = overall["(whole search)"]
    lines.append(
        "\nshare of all query time: "
        + ", ".join(
            f"{label.strip()} {overall[label] / whole:.0%}"
            for label in labels[1:]
            if overall.get(label)
        )
    )
    text = "\n".join(lines)
    (OUT / f"profile-stages-{size}.txt").write_text(text + "\n")
    print(text)


def profile_extract(size: int, limit: int) -> None:
    from barcamp_search.archive import ArchiveOptions
    from barcamp_search.read.extract import read_post

    folder = corpus(size)
    files = sorted(folder.glob("*.rst"))[:limit]
    options = ArchiveOptions("bench", lang="fr")
    data = [(p.read_bytes(), p.name) for p in files]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for raw, name in data:
        read_post(raw, name, options)
    profile.disable()
    seconds = time.perf_counter() - started
    print(
        f"read_post over {len(files)} posts in one process: {seconds:.2f} s "
        f"({len(files) / seconds:.0f} posts/s under cProfile)"
    )
    print(report(profile, f"extract-{size}"))


def profile_write(size: int, limit: int) -> None:
    from whoosh import index as whoosh_index

    from barcamp_search.archive import ArchiveOptions
    from barcamp_search.indexer import store
    from barcamp_search.indexer.schema import post_documents
    from barcamp_search.read.extract import read_post

    folder = corpus(size)
    files = sorted(folder.glob("*.rst"))[:limit]
    options = ArchiveOptions("bench", lang="fr")
    posts = [read_post(p.read_bytes(), p.name, options) for p in files]
    tmp = Path(tempfile.mkdtemp(prefix="bench-write-"))
    try:
        store.ensure_root(tmp)
        target = store.create_generation(tmp)
        ix = whoosh_index.open_dir(str(target))
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        writer = ix.writer(limitmb=256, procs=1)
        documents = 0
        for post in posts:
            for document in post_documents(post, "0:0:0"):
                writer.add_document(**document)
                documents += 1
        added = time.perf_counter() - started
        writer.commit()
        profile.disable()
        seconds = time.perf_counter() - started
        ix.close()
        print(
            f"writing {len(posts)} posts ({documents} documents): {seconds:.2f} s under "
            f"cProfile (add_document {added:.2f} s, commit {seconds - added:.2f} s)"
        )
        print(report(profile, f"write-{size}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def profile_open(size: int) -> None:
    """What a new index generation costs a searching process: open + per-searcher tables."""
    from barcamp_search.facets import facet_names
    from barcamp_search.search import SearchIndex

    _, index = ensure_index(size)
    runs = []
    for _ in range(3):
        engine = SearchIndex(index)
        began = time.perf_counter()
        state = engine.state()  # opens the index and builds the per-searcher tables
        opened = time.perf_counter()
        for facet in facet_names():
            state.tables.values(facet)
        valued = time.perf_counter()
        runs.append((opened - began, valued - opened))
        engine.close()
    names = ("SearchIndex.state(): open + tables", "facet value tables (5 facets)")
    for number, name in enumerate(names):
        print(f"{name:36} median {median([r[number] for r in runs]) * 1000:8.1f} ms")


def profile_cli(size: int) -> None:
    _, index = ensure_index(size)
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "barcamp_search",
            "search",
            "python",
            "--index",
            str(index),
            "--json",
        ],
        env=clean_env(),
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append(
                (int(match.group(2)), int(match.group(1)), len(match.group(3)), match.group(4))
            )
    total = sum(r[1] for r in rows)
    print(f"imports of `search`: {total / 1000:.0f} ms in all (self times summed)")
    top_level = sorted((r for r in rows if r[2] <= 3), reverse=True)[:15]
    for cumulative, _self, _depth, name in top_level:
        print(f"  {cumulative / 1000:8.1f} ms  {name}")
    walls = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(
            cli("search", "python", "--index", str(index), "--json"),
            env=clean_env(),
            capture_output=True,
        )
        walls.append(time.perf_counter() - began)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import barcamp_search.cli"], env=clean_env())
    imports = time.perf_counter() - began
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=clean_env())
    bare = time.perf_counter() - began
    print(
        f"search wall median {median(walls):.3f} s; python -c 'import barcamp_search.cli' "
        f"{imports:.3f} s; bare interpreter {bare:.3f} s"
    )
    code = (
        "import cProfile,pstats,sys;from barcamp_search.cli import main;"
        f"sys.argv=['barcamp-search','search','python','--index',{str(index)!r},'--json'];"
        "p=cProfile.Profile();p.enable()\ntry:\n main()\nexcept SystemExit:\n pass\n"
        "p.disable();pstats.Stats(p,stream=sys.stderr).strip_dirs()"
        ".sort_stats('cumulative').print_stats(30)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, text=True
    )
    (OUT / f"profile-cli-{size}.txt").write_text(done.stderr)
    print(f"cProfile of the search command after imports: bench/out/profile-cli-{size}.txt")


def profile_reindex(size: int) -> None:
    from barcamp_search.archive import Archive, ArchiveOptions
    from barcamp_search.indexer.build import index_archives

    folder, index = ensure_index(size)
    archive = Archive(folder, ArchiveOptions("bench", lang="fr"))
    index_archives(index, [archive])  # settle: nothing left to do
    for name in ("nochange", "onepost"):
        if name == "onepost":
            path = sorted(folder.glob("*.rst"))[size // 3]
            replace_file(path, path.read_bytes() + b"\n\nAjout du profil : benchprofil.\n")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        result = index_archives(index, [archive])
        profile.disable()
        print(
            f"{name}: {time.perf_counter() - started:.2f} s under cProfile "
            f"(updated {result.updated}, unchanged {result.unchanged})"
        )
        print(report(profile, f"{name}-{size}", top=15))


def profile_memory(size: int) -> None:
    import os
    import tracemalloc

    from common import rss_kb

    from barcamp_search.search import SearchIndex

    _, index = ensure_index(size)
    base = rss_kb(os.getpid()) or 0
    print(f"RSS with barcamp_search imported: {base / 1024:.0f} MB")
    tracemalloc.start(8)
    engine = SearchIndex(index)
    engine.state()
    opened = rss_kb(os.getpid()) or 0
    for query in parse_queries():
        try:
            engine.search(search_query(query))
        except Exception:  # noqa: BLE001
            pass
    after = rss_kb(os.getpid()) or 0
    status = Path(f"/proc/{os.getpid()}/status").read_text()
    parts = {
        k: int(v.split()[0])
        for k, v in (line.split(":", 1) for line in status.splitlines())
        if k in ("RssAnon", "RssFile", "RssShmem")
    }
    print(
        "RSS after the queries by kind: "
        + ", ".join(f"{k} {v / 1024:.0f} MB" for k, v in parts.items())
        + " (RssFile: mapped index files, shared with the page cache)"
    )
    snapshot = tracemalloc.take_snapshot()
    print(
        f"RSS after opening the searcher: {opened / 1024:.0f} MB; after the bench queries: "
        f"{after / 1024:.0f} MB (tracemalloc on: Python objects cost more than usual)"
    )
    stats = snapshot.statistics("traceback")
    total = sum(stat.size for stat in stats)
    print(f"traced Python allocations alive: {total / 1048576:.0f} MB; top sites:")
    lines = []
    for stat in stats[:12]:
        frames = list(stat.traceback)
        ours = [f for f in frames if "barcamp_search" in f.filename]
        site = frames[-1]
        where = f"{Path(site.filename).parent.name}/{Path(site.filename).name}:{site.lineno}"
        if ours:
            where += f" via {Path(ours[-1].filename).name}:{ours[-1].lineno}"
        lines.append(f"  {stat.size / 1048576:7.1f} MB  {stat.count:>8,} blocks  {where}")
    print("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "what",
        nargs="?",
        default="all",
        choices=("query", "stages", "extract", "write", "open", "cli", "reindex", "memory", "all"),
    )
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=300, help="posts for extract/write")
    args = parser.parse_args()
    steps = {
        "stages": lambda: profile_stages(args.size),
        "query": lambda: profile_query(args.size),
        "open": lambda: profile_open(args.size),
        "cli": lambda: profile_cli(args.size),
        "extract": lambda: profile_extract(args.size, args.limit),
        "write": lambda: profile_write(args.size, args.limit),
        "reindex": lambda: profile_reindex(args.size),
        "memory": lambda: profile_memory(args.size),
    }
    for name, step in steps.items():
        if args.what in (name, "all"):
            print(f"\n===== {name}")
            step()
    return 0


if __name__ == "__main__":
    sys.exit(main())
