"""The generated hostile cases (../shared/tools/make_hostile_big.py) through the real
extractor and its worker limits, at small scales so the module stays fast.

Each case is generated once per module into its own folder; the time each extraction
takes is printed (``pytest -s`` shows it), never asserted: the outcomes are (the run
finished, each file is a post or skipped with the right reason). Speed targets belong to
``make bench``. A file's parse budget is a generous hang guard (``HANG_GUARD``) unless
the budget itself is what a test checks.
"""

from __future__ import annotations

import codecs
import logging
import os
import pickle
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.errors import ExtractError
from barcamp_search.model import Post
from barcamp_search.read.assemble import MAX_SECTIONS
from barcamp_search.read.extract import (
    Source,
    extract_archive,
    find_sources,
    read_file,
)
from barcamp_search.read.formats.rst import MAX_LINE, MAX_WARNINGS

from .conftest import ROOT, SHARED
from .test_extract import run_unprivileged
from .test_hostile import DOCUTILS_MESSAGES, loopback, text_fields  # noqa: F401  (fixture)

TOOL = SHARED / "tools" / "make_hostile_big.py"
OPTIONS = ArchiveOptions("generated")
NORMAL_POST = (
    b"Normal neighbour\n################\n\n:date: 2021-03-04\n:tags: normal\n"
    b":author: Neighbour\n:slug: zz-normal\n\nIntervenant : Alice Dupont\n\n"
    b"motcanari-neighbour\n"
)
# A file's parse budget when the test is not about the budget: only a guard against a hang,
# so that a loaded machine never turns a parse into "took longer than ... s".
HANG_GUARD = 120

# extract_archive in a fresh process: for the memory caps and the short budgets. A forked
# worker starts from its parent's address space (RLIMIT_AS counts all of it) and, when the
# parent has threads alive, comes from a forkserver that imports the parsers on the clock;
# a pytest process that ran other tests has both (each thread that ran leaves a malloc
# arena mapped: ~350 MB of address space after test_concurrency). The CLI's is small.
# Errors travel as (path, reason, line): an ExtractError does not unpickle.
FRESH = r"""
import pickle, sys
from barcamp_search.read.extract import extract_archive
from barcamp_search.model import Post
root, options, limits = pickle.loads(sys.stdin.buffer.read())
found = [r if isinstance(r, Post) else (r.path, r.reason, r.line)
         for r in extract_archive(root, options, **limits)]
sys.stdout.buffer.write(pickle.dumps(found))
"""


@pytest.fixture(scope="module")
def generate(tmp_path_factory):
    """``generate(case, scale)`` -> folder holding that case (generated once)."""
    if not TOOL.is_file():
        pytest.skip("../shared/tools/make_hostile_big.py is not beside the checkout")
    base = tmp_path_factory.mktemp("hostile-big")
    made: dict[tuple[str, float], Path] = {}

    def make(case: str, scale: float) -> Path:
        if (case, scale) not in made:
            folder = base / f"{case}-{scale:g}"
            subprocess.run(
                [sys.executable, str(TOOL), str(folder), "--scale", str(scale), "--only", case],
                check=True,
                capture_output=True,
                timeout=120,
            )
            if case in ("symlinks", "extra-small"):
                folder = folder / case
            made[(case, scale)] = folder
        return made[(case, scale)]

    return make


def extract(case: str, root: Path, fresh: bool = False, **limits) -> dict[str, Post | ExtractError]:
    """Run the real extractor over a folder (in a fresh process with ``fresh``, see FRESH);
    results by source. The seconds it took are printed, not returned: nothing asserts them."""
    limits.setdefault("workers", 1)
    limits.setdefault("timeout", HANG_GUARD)
    started = time.perf_counter()
    if fresh:
        result = subprocess.run(
            [sys.executable, "-c", FRESH],
            input=pickle.dumps((root, OPTIONS, limits)),
            capture_output=True,
            cwd=ROOT,
            timeout=10 * HANG_GUARD,
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
        found = [
            r if isinstance(r, Post) else ExtractError(*r) for r in pickle.loads(result.stdout)
        ]
    else:
        found = list(extract_archive(root, OPTIONS, **limits))
    seconds = time.perf_counter() - started
    shown = ", ".join(f"{k}={v}" for k, v in sorted(limits.items()) if k != "sources")
    print(f"\n[hostile-big] {case}: {seconds:.2f} s ({shown}{', fresh' if fresh else ''})")
    return {(r.source if isinstance(r, Post) else r.path): r for r in found}


def only(found: dict) -> Post | ExtractError:
    (result,) = found.values()
    return result


def with_neighbour(folder: Path) -> Path:
    (folder / "zz-normal.rst").write_bytes(NORMAL_POST)
    return folder


def assert_neighbour_ok(found: dict) -> None:
    post = found["zz-normal.rst"]
    assert isinstance(post, Post), post
    assert post.speakers == ("Alice Dupont",) and "motcanari-neighbour" in post.text


# --- deep nesting: skipped with a reason, bounded --------------------------------


def test_deep_bullets_skipped(generate):
    found = extract("deep-bullets", generate("deep-bullets", 0.05))
    result = only(found)
    assert isinstance(result, ExtractError)
    assert result.path.startswith("deep-bullets-")  # the file is named
    assert re.search(r"too deeply nested|MiB|too long", result.reason), result.reason


@pytest.fixture(scope="module")
def memory_capped(generate):
    """1,500-deep bullets (3,000-char lines; docutils peaks at ~700 MB on them before its
    RecursionError) then a normal post, one worker capped at 300 MiB."""
    root = with_neighbour(generate("deep-bullets", 0.3))
    assert (root / "deep-bullets-1500.rst").stat().st_size > 2_000_000
    return extract("deep-bullets x memory_mb=300", root, fresh=True, memory_mb=300)


def test_deep_bullets_under_a_tiny_memory_cap(memory_capped):
    found = memory_capped
    assert sorted(found) == ["deep-bullets-1500.rst", "zz-normal.rst"]  # all accounted for
    deep = found["deep-bullets-1500.rst"]
    assert isinstance(deep, ExtractError)
    assert "300 MiB" in deep.reason, deep.reason  # the cap, not the recursion limit, stops it


def test_normal_post_parses_under_the_same_cap(tmp_path):
    with_neighbour(tmp_path)
    found = extract("normal post x memory_mb=300", tmp_path, fresh=True, memory_mb=300)
    assert_neighbour_ok(found)


def test_worker_recovers_after_memory_error(memory_capped):
    # Regression: a worker that hit MemoryError stayed at its cap and failed every later
    # file it was given; it must be replaced.
    found = memory_capped
    assert_neighbour_ok(found)  # workers=1: the next file comes right after the MemoryError


def test_deep_blockquotes_skipped(generate):
    found = extract("deep-blockquotes", generate("deep-blockquotes", 0.05))
    result = only(found)
    assert isinstance(result, ExtractError)
    assert re.search(r"too deeply nested|MiB", result.reason), result.reason


def test_deep_directives_skipped(generate):
    # 300 nested notes: docutils hits its recursion limit at about 150 (not the time budget:
    # the reason says so).
    found = extract("deep-directives", generate("deep-directives", 0.3))
    result = only(found)
    assert isinstance(result, ExtractError)
    assert "too deeply nested" in result.reason, result.reason


# --- big but flat inputs: indexed (or capped), never silently empty ---------------


def test_long_line_not_silently_empty(generate):
    root = generate("long-line", 0.15)  # a 1.5 MB line, over MAX_LINE
    found = extract("long-line", root)
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "One very long line"
    assert post.tags == ("hostile", "generated") and post.authors == ("Generator",)
    assert post.slug == "gen-long-line" and post.date == "2021-03-04T19:00:00"
    assert len(post.text) >= MAX_LINE // 2  # the words are there
    source = next(root.glob("*.rst")).read_text(encoding="utf-8")
    line_length = max(len(line) for line in source.splitlines())
    if line_length > MAX_LINE:
        assert any("cut" in w for w in post.warnings), post.warnings


def test_many_sections_capped_with_warning(generate):
    found = extract("many-sections", generate("many-sections", 0.15))  # 3,000
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Many sections"
    assert 0 < len(post.sections) <= MAX_SECTIONS
    assert post.sections[0].title == "Talk 0"
    assert any("3000 sections" in w for w in post.warnings), post.warnings


def test_many_errors_indexed_with_bounded_warnings(generate):
    found = extract("many-errors", generate("many-errors", 0.05))  # 2,500 x 2 errors
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Many errors"
    assert len(post.warnings) <= MAX_WARNINGS + 1
    assert any("more warnings" in w for w in post.warnings)
    assert "missing0" in post.text and "missing2499" in post.text
    for text in text_fields(post):
        assert not any(m in text for m in DOCUTILS_MESSAGES), text[:200]
    assert ":nosuchrole" not in post.text


def test_wide_table_indexed(generate):
    found = extract("wide-table", generate("wide-table", 0.25))  # 100 x 50 grid
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Wide table"
    assert post.text.count("abc") == 100 * 50
    assert "+-----" not in post.text


def test_unbalanced_inline_times_out_and_the_run_goes_on(generate):
    # 10,000 unclosed inline starts take docutils ~10 s here; a 2 s budget must cut it (the
    # budget is the subject here; the fresh process keeps the replacement worker a plain
    # fork, so the neighbour's tiny parse fits in it on a loaded machine too).
    root = with_neighbour(generate("unbalanced-inline", 0.5))
    found = extract("unbalanced-inline", root, fresh=True, timeout=2)
    assert sorted(found) == ["unbalanced-inline-10000.rst", "zz-normal.rst"]
    slow = found["unbalanced-inline-10000.rst"]
    assert isinstance(slow, ExtractError), "parsed within 2 s: raise the scale"
    assert "took longer" in slow.reason and "2 s" in slow.reason
    assert_neighbour_ok(found)  # a fresh worker took over: the run went on and finished


@pytest.fixture(scope="module")
def fanout(generate):
    """The full 4**12 substitution fan-out (a 639-byte file), under a tight memory cap."""
    return extract(
        "subst-fanout", with_neighbour(generate("subst-fanout", 1.0)), fresh=True, memory_mb=512
    )


def test_subst_fanout_is_bounded(fanout):
    found = fanout
    # the limits hold: the run finished (no hang, no runaway memory), every file accounted for
    assert sorted(found) == ["subst-fanout-12.rst", "zz-normal.rst"]
    result = found["subst-fanout-12.rst"]
    if isinstance(result, ExtractError):
        assert re.search(r"took longer|MiB", result.reason), result.reason
    assert_neighbour_ok(found)


def test_subst_fanout_is_indexed(fanout):
    # README: "Indexed; bounded". The 4**12 expansion is refused, the post kept.
    found = fanout
    post = found["subst-fanout-12.rst"]
    assert isinstance(post, Post), post
    assert post.title == "Substitution fan-out" and post.slug == "gen-subst-fanout"
    assert "Use:" in post.text and len(post.text) < 100_000
    assert any("substitution" in w for w in post.warnings), post.warnings


def test_subst_fanout_small_depth_is_expanded(generate):
    found = extract("subst-fanout (depth 5)", generate("subst-fanout", 0.42))
    post = only(found)
    assert isinstance(post, Post), post
    assert post.text.count("boom") == 4**5
    assert not any("substitution" in w for w in post.warnings)


# --- special files ------------------------------------------------------------------


def test_symlinks_fifo_and_loop(generate, caplog):
    root = generate("symlinks", 0.05)
    (root / "real.rst").write_bytes(NORMAL_POST)
    if not os.path.lexists(root / "inside-link.rst"):
        os.symlink("real.rst", root / "inside-link.rst")
    assert (root / "blocking-fifo.rst").is_fifo() and (root / "loop" / "again").is_symlink()
    with caplog.at_level(logging.WARNING, logger="barcamp_search"):
        sources = [s.source for s in find_sources(root, OPTIONS)]
        found = extract("symlinks", root)
    # outside links not followed, dangling skipped, no walk into loop/again, FIFO not read
    # (a FIFO opened for reading would block: the run finishing is the check, and a worker
    # blocked on one would end as "took longer", not as the posts below)
    assert sources == ["inside-link.rst", "real.rst"]
    assert sorted(found) == ["inside-link.rst", "real.rst"]
    assert all(isinstance(r, Post) for r in found.values()), found
    logged = caplog.text
    for name in ("outside-etc-hostname.rst", "outside-relative.rst", "dangling.rst"):
        assert name in logged  # a WARNING names each skipped link
    secret = Path("/etc/passwd").read_text().splitlines()[0]
    assert not any(secret in p.text for p in found.values())


def test_fifo_given_as_source_is_never_opened(generate):
    # Regression: read_file used to open() before its S_ISREG check, blocking on a FIFO.
    root = generate("symlinks", 0.05)
    fifo = Source(root / "blocking-fifo.rst", "blocking-fifo.rst")
    found = extract("fifo as explicit source", root, sources=[fifo], timeout=30)
    result = only(found)
    assert isinstance(result, ExtractError)
    # not "took longer than 30 s": the worker refused it before any open() could block
    assert "regular file" in result.reason, result.reason


@pytest.fixture(scope="module")
def extra_small(generate):
    root = generate("extra-small", 0.05)
    header = (
        "UTF-16 {0} without BOM\n############################\n\n:date: 2021-03-04\n"
        ":tags: utf16\n:author: Zoé\n:slug: gen-nobom-{0}\n\nCorps accentué : été.\n"
    )
    (root / "nobom-utf16le.rst").write_bytes(header.format("le").encode("utf-16-le"))
    (root / "nobom-utf16be.rst").write_bytes(header.format("be").encode("utf-16-be"))
    return root


def test_extra_small_rules(extra_small):
    raw = (extra_small / "utf16.rst").read_bytes()
    assert raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    found = extract("extra-small", extra_small, workers=2)
    # .hidden.rst and no-ext-post are not read; .RST is
    assert ".hidden.rst" not in found and "no-ext-post" not in found
    assert sorted(found) == sorted(
        [
            "bom-utf16le.rst",
            "coding-cookie.rst",
            "cr-only.rst",
            "csv-table-url.rst",
            "nobom-utf16be.rst",
            "nobom-utf16le.rst",
            "unreadable.rst",
            "upper-ext.RST",
            "utf16.rst",
            "whitespace-only.rst",
        ]
    )
    titles = {s: r.title for s, r in found.items() if isinstance(r, Post)}
    assert titles["utf16.rst"] == "UTF-16 post"
    assert titles["bom-utf16le.rst"] == "UTF-16LE with BOM"
    assert titles["upper-ext.RST"] == "Upper-case extension"
    assert found["upper-ext.RST"].format == "rst"
    for endian in ("le", "be"):
        post = found[f"nobom-utf16{endian}.rst"]
        assert post.title == f"UTF-16 {endian} without BOM"
        assert post.authors == ("Zoé",) and "été" in post.text
        assert any("UTF-16" in w for w in post.warnings)
    assert any("UTF-16" in w for w in found["utf16.rst"].warnings)
    cookie = found["coding-cookie.rst"]
    assert cookie.title == "Cookie" and "déjà" in cookie.text
    cr = found["cr-only.rst"]
    assert (cr.title, cr.slug, cr.tags, cr.authors, cr.date) == (
        "Old Mac line ends",
        "gen-cr",
        ("hostile", "generated"),
        ("Generator",),
        "2021-03-04T19:00:00",
    )
    blank = found["whitespace-only.rst"]
    assert isinstance(blank, ExtractError) and "empty" in blank.reason
    unreadable = found["unreadable.rst"]
    if os.geteuid() == 0:  # root reads a chmod-000 file
        assert isinstance(unreadable, Post)
    else:
        assert isinstance(unreadable, ExtractError) and "permission" in unreadable.reason


def test_extra_small_csv_table_url_opens_no_connection(extra_small, loopback):  # noqa: F811
    sources = [s for s in find_sources(extra_small, OPTIONS) if s.source == "csv-table-url.rst"]
    found = extract("csv-table :url:", extra_small, sources=sources)
    # A connection the parse made is in a listener's accept queue by now, maybe not counted
    # yet. Queue one more of ours behind it and wait until the listener has taken ours: then
    # it has taken (and counted) everything before it.
    for port in loopback.counts:
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
    deadline = time.monotonic() + 60
    while loopback.total() < len(loopback.counts) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert loopback.counts == {8765: 1, 8766: 1}  # ours only: the parse opened none
    post = only(found)
    assert isinstance(post, Post) and post.title == "CSV from URL"
    assert any("csv-table" in w for w in post.warnings)


def test_unreadable_file_is_skipped_with_a_reason(tmp_path):
    # A real chmod-000 file; as root, read in a process without privileges (test_extract).
    path = tmp_path / "secret.rst"
    path.write_bytes(NORMAL_POST)
    path.chmod(0)
    if os.geteuid() == 0:
        ((kind, name, reason),) = run_unprivileged(tmp_path, "read_file", "secret.rst")
    else:
        with pytest.raises(ExtractError) as error:
            read_file(path, "secret.rst", OPTIONS, 1 << 20)
        kind, name, reason = "error", error.value.path, error.value.reason
    assert (kind, name) == ("error", "secret.rst") and "permission" in reason, reason


# --- the size cap ----------------------------------------------------------------


def test_file_over_max_bytes_is_skipped(generate):
    root = with_neighbour(generate("big-50mb", 0.03))  # about 1.5 MB of prose
    big = next(root.glob("big-*.rst"))
    assert big.stat().st_size > 1 << 20
    found = extract("big x max_bytes=1MiB", root, max_bytes=1 << 20)
    result = found[big.name]
    assert isinstance(result, ExtractError)
    assert "limit" in result.reason and "1 MiB" in result.reason
    assert_neighbour_ok(found)


def test_size_cap_reason_states_the_real_limit(tmp_path):
    # Regression: the limit was printed as max_bytes // 1048576 MiB ("the 0 MiB limit").
    (tmp_path / "post.rst").write_bytes(NORMAL_POST + b"word " * 30_000)
    found = extract("max_bytes=100000", tmp_path, max_bytes=100_000)
    result = only(found)
    assert isinstance(result, ExtractError) and "limit" in result.reason
    assert "0 MiB" not in result.reason, result.reason
    assert re.search(r"[1-9][\d,.]* ?(?:bytes|[KM]i?B)", result.reason), result.reason
