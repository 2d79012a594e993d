"""The generated hostile cases (../shared/tools/make_hostile_big.py) through the real
extractor and its worker limits, at small scales so the module stays fast.

Each case is generated once per module into its own folder; the time each extraction
takes is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from barcamp_search.assemble import MAX_SECTIONS
from barcamp_search.errors import ExtractError
from barcamp_search.extract import (
    ArchiveOptions,
    Source,
    extract_archive,
    find_sources,
    read_file,
)
from barcamp_search.posts import Post
from barcamp_search.readers.rst import MAX_LINE, MAX_WARNINGS

from .conftest import SHARED
from .test_hostile import DOCUTILS_MESSAGES, loopback, text_fields  # noqa: F401  (fixture)

TOOL = SHARED / "tools" / "make_hostile_big.py"
OPTIONS = ArchiveOptions("generated")
NORMAL_POST = (b"Normal neighbour\n################\n\n:date: 2021-03-04\n:tags: normal\n"
               b":author: Neighbour\n:slug: zz-normal\n\nIntervenant : Alice Dupont\n\n"
               b"motcanari-neighbour\n")


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
            subprocess.run([sys.executable, str(TOOL), str(folder), "--scale", str(scale),
                            "--only", case], check=True, capture_output=True, timeout=120)
            if case in ("symlinks", "extra-small"):
                folder = folder / case
            made[(case, scale)] = folder
        return made[(case, scale)]

    return make


def extract(case: str, root: Path, **limits) -> tuple[dict[str, Post | ExtractError], float]:
    """Run the real extractor over a folder; results by source, and the seconds it took."""
    limits.setdefault("workers", 1)
    started = time.perf_counter()
    found = list(extract_archive(root, OPTIONS, **limits))
    seconds = time.perf_counter() - started
    shown = ", ".join(f"{k}={v}" for k, v in sorted(limits.items()) if k != "sources")
    print(f"\n[hostile-big] {case}: {seconds:.2f} s ({shown})")
    return {(r.source if isinstance(r, Post) else r.path): r for r in found}, seconds


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
    found, seconds = extract("deep-bullets", generate("deep-bullets", 0.05), timeout=20)
    result = only(found)
    assert isinstance(result, ExtractError)
    assert result.path.startswith("deep-bullets-")  # the file is named
    assert re.search(r"too deeply nested|MiB|too long", result.reason), result.reason
    assert seconds < 20


@pytest.fixture(scope="module")
def memory_capped(generate):
    """1,500-deep bullets (3,000-char lines; docutils peaks at ~700 MB on them before its
    RecursionError) then a normal post, one worker capped at 300 MiB."""
    root = with_neighbour(generate("deep-bullets", 0.3))
    assert (root / "deep-bullets-1500.rst").stat().st_size > 2_000_000
    return extract("deep-bullets x memory_mb=300", root, timeout=30, memory_mb=300)


def test_deep_bullets_under_a_tiny_memory_cap(memory_capped):
    found, seconds = memory_capped
    assert sorted(found) == ["deep-bullets-1500.rst", "zz-normal.rst"]  # all accounted for
    deep = found["deep-bullets-1500.rst"]
    assert isinstance(deep, ExtractError)
    assert "300 MiB" in deep.reason, deep.reason  # the cap, not the recursion limit, stops it
    assert seconds < 30


def test_normal_post_parses_under_the_same_cap(tmp_path):
    with_neighbour(tmp_path)
    found, _ = extract("normal post x memory_mb=300", tmp_path, memory_mb=300)
    assert_neighbour_ok(found)


def test_worker_recovers_after_memory_error(memory_capped):
    # Regression: a worker that hit MemoryError stayed at its cap and failed every later
    # file it was given; it must be replaced.
    found, _ = memory_capped
    assert_neighbour_ok(found)  # workers=1: the next file comes right after the MemoryError


def test_deep_blockquotes_skipped(generate):
    found, seconds = extract("deep-blockquotes", generate("deep-blockquotes", 0.05))
    result = only(found)
    assert isinstance(result, ExtractError)
    assert re.search(r"too deeply nested|MiB", result.reason), result.reason
    assert seconds < 20


def test_deep_directives_skipped_in_bounded_time(generate):
    # 300 nested notes: docutils hits its recursion limit at about 150.
    found, seconds = extract("deep-directives", generate("deep-directives", 0.3), timeout=10)
    result = only(found)
    assert isinstance(result, ExtractError)
    assert "too deeply nested" in result.reason
    assert seconds < 10


# --- big but flat inputs: indexed (or capped), never silently empty ---------------


def test_long_line_not_silently_empty(generate):
    root = generate("long-line", 0.15)  # a 1.5 MB line, over MAX_LINE
    found, seconds = extract("long-line", root)
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
    assert seconds < 20


def test_many_sections_capped_with_warning(generate):
    found, seconds = extract("many-sections", generate("many-sections", 0.15))  # 3,000
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Many sections"
    assert 0 < len(post.sections) <= MAX_SECTIONS
    assert post.sections[0].title == "Talk 0"
    assert any("3000 sections" in w for w in post.warnings), post.warnings
    assert seconds < 20


def test_many_errors_indexed_with_bounded_warnings(generate):
    found, seconds = extract("many-errors", generate("many-errors", 0.05))  # 2,500 x 2 errors
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Many errors"
    assert len(post.warnings) <= MAX_WARNINGS + 1
    assert any("more warnings" in w for w in post.warnings)
    assert "missing0" in post.text and "missing2499" in post.text
    for text in text_fields(post):
        assert not any(m in text for m in DOCUTILS_MESSAGES), text[:200]
    assert ":nosuchrole" not in post.text
    assert seconds < 20


def test_wide_table_indexed(generate):
    found, seconds = extract("wide-table", generate("wide-table", 0.25))  # 100 x 50 grid
    post = only(found)
    assert isinstance(post, Post), post
    assert post.title == "Wide table"
    assert post.text.count("abc") == 100 * 50
    assert "+-----" not in post.text
    assert seconds < 20


def test_unbalanced_inline_times_out_and_the_run_goes_on(generate):
    # 10,000 unclosed inline starts take docutils ~10 s here; a 2 s budget must cut it.
    root = with_neighbour(generate("unbalanced-inline", 0.5))
    found, seconds = extract("unbalanced-inline", root, timeout=2)
    assert sorted(found) == ["unbalanced-inline-10000.rst", "zz-normal.rst"]
    slow = found["unbalanced-inline-10000.rst"]
    assert isinstance(slow, ExtractError), "parsed within 2 s: raise the scale"
    assert "took longer" in slow.reason and "2 s" in slow.reason
    assert_neighbour_ok(found)  # a fresh worker took over
    assert seconds < 2 + 10


@pytest.fixture(scope="module")
def fanout(generate):
    """The full 4**12 substitution fan-out (a 639-byte file), under tight limits."""
    return extract("subst-fanout", with_neighbour(generate("subst-fanout", 1.0)),
                   timeout=4, memory_mb=512)


def test_subst_fanout_is_bounded(fanout):
    found, seconds = fanout
    assert sorted(found) == ["subst-fanout-12.rst", "zz-normal.rst"]
    assert seconds < 4 + 10  # the limits hold: no hang, no runaway memory
    result = found["subst-fanout-12.rst"]
    if isinstance(result, ExtractError):
        assert re.search(r"took longer|MiB", result.reason), result.reason
    assert_neighbour_ok(found)


def test_subst_fanout_is_indexed(fanout):
    # README: "Indexed; bounded". The 4**12 expansion is refused, the post kept.
    found, _ = fanout
    post = found["subst-fanout-12.rst"]
    assert isinstance(post, Post), post
    assert post.title == "Substitution fan-out" and post.slug == "gen-subst-fanout"
    assert "Use:" in post.text and len(post.text) < 100_000
    assert any("substitution" in w for w in post.warnings), post.warnings


def test_subst_fanout_small_depth_is_expanded(generate):
    found, _ = extract("subst-fanout (depth 5)", generate("subst-fanout", 0.42))
    post = only(found)
    assert isinstance(post, Post), post
    assert post.text.count("boom") == 4 ** 5
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
        found, seconds = extract("symlinks", root, timeout=5)
    # outside links not followed, dangling skipped, no walk into loop/again, FIFO not read
    assert sources == ["inside-link.rst", "real.rst"]
    assert sorted(found) == ["inside-link.rst", "real.rst"]
    assert all(isinstance(r, Post) for r in found.values())
    assert seconds < 5  # a FIFO opened for reading would block until the timeout
    logged = caplog.text
    for name in ("outside-etc-hostname.rst", "outside-relative.rst", "dangling.rst"):
        assert name in logged  # a WARNING names each skipped link
    secret = Path("/etc/passwd").read_text().splitlines()[0]
    assert not any(secret in p.text for p in found.values())


def test_fifo_given_as_source_is_never_opened(generate):
    # Regression: read_file used to open() before its S_ISREG check, blocking on a FIFO.
    root = generate("symlinks", 0.05)
    fifo = Source(root / "blocking-fifo.rst", "blocking-fifo.rst")
    found, seconds = extract("fifo as explicit source", root, sources=[fifo], timeout=2)
    result = only(found)
    assert isinstance(result, ExtractError)
    assert "regular file" in result.reason and seconds < 1.5, (result.reason, seconds)


@pytest.fixture(scope="module")
def extra_small(generate):
    root = generate("extra-small", 0.05)
    header = ("UTF-16 {0} without BOM\n############################\n\n:date: 2021-03-04\n"
              ":tags: utf16\n:author: Zoé\n:slug: gen-nobom-{0}\n\nCorps accentué : été.\n")
    (root / "nobom-utf16le.rst").write_bytes(header.format("le").encode("utf-16-le"))
    (root / "nobom-utf16be.rst").write_bytes(header.format("be").encode("utf-16-be"))
    return root


def test_extra_small_rules(extra_small):
    raw = (extra_small / "utf16.rst").read_bytes()
    assert raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    found, _ = extract("extra-small", extra_small, workers=2)
    # .hidden.rst and no-ext-post are not read; .RST is
    assert ".hidden.rst" not in found and "no-ext-post" not in found
    assert sorted(found) == sorted([
        "bom-utf16le.rst", "coding-cookie.rst", "cr-only.rst", "csv-table-url.rst",
        "nobom-utf16be.rst", "nobom-utf16le.rst", "unreadable.rst", "upper-ext.RST",
        "utf16.rst", "whitespace-only.rst"])
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
        "Old Mac line ends", "gen-cr", ("hostile", "generated"), ("Generator",),
        "2021-03-04T19:00:00")
    blank = found["whitespace-only.rst"]
    assert isinstance(blank, ExtractError) and "empty" in blank.reason
    unreadable = found["unreadable.rst"]
    if os.geteuid() == 0:  # root reads a chmod-000 file
        assert isinstance(unreadable, Post)
    else:
        assert isinstance(unreadable, ExtractError) and "permission" in unreadable.reason


def test_extra_small_csv_table_url_opens_no_connection(extra_small, loopback):
    sources = [s for s in find_sources(extra_small, OPTIONS) if s.source == "csv-table-url.rst"]
    found, seconds = extract("csv-table :url:", extra_small, sources=sources, timeout=15)
    time.sleep(0.3)
    assert loopback.counts == {8765: 0, 8766: 0}
    post = only(found)
    assert isinstance(post, Post) and post.title == "CSV from URL"
    assert any("csv-table" in w for w in post.warnings)
    assert seconds < 15


def test_unreadable_file_is_skipped_with_a_reason(tmp_path, monkeypatch):
    # As root a chmod-000 file is readable, so the PermissionError comes from open().
    path = tmp_path / "secret.rst"
    path.write_bytes(NORMAL_POST)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    import barcamp_search.extract as extract_module
    monkeypatch.setattr(extract_module, "open", denied, raising=False)
    with pytest.raises(ExtractError) as error:
        read_file(path, "secret.rst", OPTIONS, 1 << 20)
    assert error.value.path == "secret.rst" and "permission" in error.value.reason


# --- the size cap ----------------------------------------------------------------


def test_file_over_max_bytes_is_skipped(generate):
    root = with_neighbour(generate("big-50mb", 0.03))  # about 1.5 MB of prose
    big = next(root.glob("big-*.rst"))
    assert big.stat().st_size > 1 << 20
    found, seconds = extract("big x max_bytes=1MiB", root, max_bytes=1 << 20)
    result = found[big.name]
    assert isinstance(result, ExtractError)
    assert "limit" in result.reason and "1 MiB" in result.reason
    assert_neighbour_ok(found)
    assert seconds < 20


def test_size_cap_reason_states_the_real_limit(tmp_path):
    # Regression: the limit was printed as max_bytes // 1048576 MiB ("the 0 MiB limit").
    (tmp_path / "post.rst").write_bytes(NORMAL_POST + b"word " * 30_000)
    found, _ = extract("max_bytes=100000", tmp_path, max_bytes=100_000)
    result = only(found)
    assert isinstance(result, ExtractError) and "limit" in result.reason
    assert "0 MiB" not in result.reason, result.reason
    assert re.search(r"[1-9][\d,.]* ?(?:bytes|[KM]i?B)", result.reason), result.reason
