"""Per-generation tables saved beside the index, and index files read without copies."""

from __future__ import annotations

import io
import shutil

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives
from barcamp_search.indexer.store import live_generation
from barcamp_search.indexer.whoosh_private import ViewFile
from barcamp_search.search import SearchIndex, SearchQuery
from barcamp_search.search.matching import DocSets
from barcamp_search.search.tables import PostTable

from .conftest import SAMPLE


def _tables(handle: SearchIndex) -> tuple:
    t = handle.state().tables
    return (
        t.doc_post,
        t.post_keys,
        t.post_doc,
        t.post_date,
        t.post_docs,
        t.section_count,
        {f: t.values(f) for f in ("tag", "author", "speaker", "year", "archive")},
    )


def test_tables_saved_reused_and_replaced(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE, archive)
    index = tmp_path / "index"
    index_archives(index, [Archive(archive, ArchiveOptions("demo"))])
    with SearchIndex(index) as first:
        built = _tables(first)
        total = first.search(SearchQuery(text="python")).total
    folder = live_generation(index)
    saved = sorted(folder.glob("tables-*.pickle"))
    assert len(saved) == 1
    with SearchIndex(index) as second:  # loaded from the file: the same tables
        assert _tables(second) == built
        assert second.search(SearchQuery(text="python")).total == total
        searcher = second.state().searcher
        fresh = PostTable(searcher, DocSets(searcher))  # built again, not loaded
        assert (fresh.doc_post, fresh.post_keys, fresh.post_date) == built[0:2] + built[3:4]

    (archive / "articles" / "extra.rst").write_text(
        "Une soirée Python en plus\n#########################\n\n:date: 2024-05-01\n"
        ":tags: bonus\n\nDu Python encore.\n",
        encoding="utf-8",
    )
    index_archives(index, [Archive(archive, ArchiveOptions("demo"))])
    with SearchIndex(index) as third:  # a new commit: new tables, the old file replaced
        results = third.search(SearchQuery(text="python"))
        assert results.total == total + 1
        assert "bonus" in {f.value for f in results.facets["tag"]}
    now = sorted(folder.glob("tables-*.pickle"))
    assert len(now) == 1 and now != saved


def test_damaged_tables_file_is_rebuilt(tmp_path):
    index = tmp_path / "index"
    index_archives(index, [Archive(SAMPLE, ArchiveOptions("demo"))])
    with SearchIndex(index) as handle:
        expected = handle.search(SearchQuery(text="python")).to_json()
    (path,) = live_generation(index).glob("tables-*.pickle")
    path.write_bytes(b"\x80\x05not a pickle")
    with SearchIndex(index) as handle:
        got = handle.search(SearchQuery(text="python")).to_json()
    got["took_ms"] = expected["took_ms"]
    assert got == expected
    assert path.read_bytes()[:2] != b"\x80\x05n"  # written again


def test_view_file_reads_like_bytesio():
    data = bytes(range(256)) * 40 + b"line one\nline two\nend"
    view, reference = ViewFile(memoryview(data)), io.BytesIO(data)
    steps = [
        ("read", 10),
        ("seek", 500),
        ("read", 3),
        ("tell",),
        ("seek", -5, 1),
        ("read", 7),
        ("seek", -12, 2),
        ("readline",),
        ("readline",),
        ("read", -1),
        ("read", 5),
        ("seek", 0),
        ("read", None),
        ("seek", 10_000 + 3),
        ("read", 4),
    ]
    for step in steps:
        name, *args = step
        assert getattr(view, name)(*args) == getattr(reference, name)(*args), step
