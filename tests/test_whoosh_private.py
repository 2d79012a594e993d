"""The Whoosh boundary against the real library: every check and every branch."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.highlight import ContextFragmenter, highlight
from whoosh.query import FuzzyTerm, Prefix
from whoosh.scoring import BM25F

from barcamp_search.indexer import whoosh_private as wp


def test_every_requirement_holds_for_the_pinned_whoosh():
    for name, check in wp.REQUIREMENTS + wp.WRITER_REQUIREMENTS:
        assert check(), name
    wp.check_whoosh()
    wp.check_whoosh(wp.WRITER_REQUIREMENTS)


def test_a_missing_internal_fails_with_the_version_needed():
    missing = (("FileIndex._no_such_thing", wp._has("whoosh.index", "FileIndex", "_nope")),)
    with pytest.raises(wp.WhooshIncompatible) as caught:
        wp.check_whoosh(wp.REQUIREMENTS + missing)
    message = str(caught.value)
    assert "FileIndex._no_such_thing" in message and "whoosh3 3.54.x" in message
    assert caught.value.exit_code == 69
    assert not wp._has("whoosh.index", "NoSuchClass", "x")()


def _index(tmp_path, docs, deletions=(), segments=1):
    schema = Schema(
        key=ID(stored=True),
        body=TEXT(phrase=True, analyzer=StandardAnalyzer()),
        tag=ID,
        number=NUMERIC,
        note=STORED,
    )
    ix = whoosh_index.create_in(str(tmp_path), schema)
    per_segment = max(1, len(docs) // segments)
    for start in range(0, len(docs), per_segment):
        with ix.writer() as writer:
            for key, body in docs[start : start + per_segment]:
                writer.add_document(key=key, body=body, tag="t")
    if deletions:
        with ix.writer() as writer:
            for key in deletions:
                writer.delete_by_term("key", key)
    return ix


DOCS = [
    (f"d{n}", " ".join(["python"] * (1 + n % 3) + [f"word{n}", "alpha beta"])) for n in range(300)
]  # posting lists longer than one block (128)


@pytest.mark.parametrize("deletions", [(), ("d0", "d5", "d299")])
def test_postings_read_by_blocks_equal_the_matcher(tmp_path, deletions):
    ix = _index(tmp_path, DOCS, deletions)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ((leaf, offset),) = reader.leaf_readers()
        ids, weights = wp.posting_arrays(leaf, "body", b"python")
        matcher = searcher.reader().postings("body", b"python")
        expected = []
        while matcher.is_active():
            expected.append((matcher.id(), matcher.weight()))
            matcher.next()
        assert list(zip(ids, weights, strict=True)) == expected
        assert len(ids) == 300 - len(deletions)
        docs = wp.term_documents(reader.leaf_readers(), "body", b"python")
        assert docs == set(ids)
        assert wp.term_documents(reader.leaf_readers(), "body", b"absent") == set()
        positions = wp.posting_positions(
            leaf, "body", b"beta", Positions().decode_positions, {1, 2, 250}
        )
        assert set(positions) == {1, 2, 250} - {reader.doc_count_all()}
        assert all(len(p) == 1 for p in positions.values())
        assert wp.posting_positions(leaf, "body", b"absent", None, {1}) == {}


def test_term_documents_over_several_segments(tmp_path):
    ix = _index(tmp_path, DOCS[:30], segments=3)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(reader.leaf_readers()) == 3
        found = wp.term_documents(reader.leaf_readers(), "body", b"python")
        assert found == set(searcher.docs_for_query(Prefix("body", "pyth")))
        assert {wp.segment_id(leaf) for leaf, _ in reader.leaf_readers()} == {
            segment.segment_id() for segment in wp.live_segments(ix)
        }


def test_lengths_expansions_and_b(tmp_path):
    ix = _index(tmp_path, DOCS[:20])
    with ix.searcher() as searcher:
        ((leaf, _),) = searcher.reader().leaf_readers()
        lengths = wp.length_bytes(leaf, "body")
        assert lengths is not None and len(lengths) == 20
        assert wp.length_bytes(leaf, "tag") is None  # an ID field stores no lengths
        assert sorted(wp.expansions(Prefix("body", "word1"), searcher.reader()))[:2] == [
            b"word1",
            b"word10",
        ]
        fuzzy = wp.expansions(FuzzyTerm("body", "wird1"), searcher.reader())
        assert [w if isinstance(w, str) else w.decode() for w in fuzzy] == ["word1"]
    assert wp.field_b(BM25F(), "body") == 0.75
    assert wp.field_b(BM25F(body_B=0.5), "body") == 0.5
    empty = (
        whoosh_index.create_in(str(tmp_path / "empty"), Schema(body=TEXT))
        if (tmp_path / "empty").mkdir() is None
        else None
    )
    with empty.searcher() as searcher:
        assert wp.length_bytes(searcher.reader(), "body") is None
        assert wp.segment_id(searcher.reader()) is None


def test_view_file_is_what_buffer_file_reads_through(tmp_path):
    ix = _index(tmp_path, DOCS[:5])
    with ix.searcher() as searcher:
        assert searcher.stored_fields(0)["key"] == "d0"
    from whoosh.filedb.structfile import BufferFile

    assert isinstance(BufferFile(memoryview(b"abc")).file, wp.ViewFile)
    assert BufferFile(b"abc").file.read() == b"abc"  # bytes: a plain BytesIO


def test_subwriters_start_named_and_stop(tmp_path):
    ix = _index(tmp_path, DOCS[:2])
    writer = ix.writer(procs=2, multisegment=True)
    started = wp.start_subwriters(writer, lambda: None)
    try:
        assert len(started) == 2 and wp.subwriters(writer) == started
        assert all(task.is_alive() for task in started)
    finally:
        wp.stop_subwriters(writer)
        writer.cancel()
    assert not any(task.is_alive() for task in started)
    single = ix.writer()
    assert wp.subwriters(single) == []
    wp.stop_subwriters(single)  # nothing to stop
    single.cancel()


def test_escaping_formatter_escapes_the_text_between_matches():
    class Marks(wp.EscapingFormatter):
        def format_token(self, text, token, replace=False):
            return "[" + text[token.startchar : token.endchar] + "]"

    text = "<b>python</b> & more python"
    out = highlight(text, {"python"}, StandardAnalyzer(), ContextFragmenter(), Marks())
    assert out.endswith("[python]&lt;/b&gt; &amp; more [python]")
    assert "<" not in out and "&" not in out.replace("&lt;", "").replace("&gt;", "").replace(
        "&amp;", ""
    )
