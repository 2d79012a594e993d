"""The set-at-a-time fast path matches exactly what Whoosh's own matching finds."""

from __future__ import annotations

import shutil

import pytest

from barcamp_search.extract import ArchiveOptions
from barcamp_search.indexing import Archive, index_archives
from barcamp_search.matching import DocSets, expand_terms, score_documents
from barcamp_search.queryparse import parse_text
from barcamp_search.search import SearchIndex

from .conftest import SAMPLE, SHARED

QUERIES = ["python", "pyramid django", "flask OR pyramid", "pyramid NOT eleven", '"PEP 8"',
           "capt*", "gunicorm~", "title:pyramid", "tag:pyladies", "author:garnier",
           "speaker:morel", "category:sprints", "site:python.org", "micro-python",
           "(python OR django) NOT tag:asyncio", "évènements", "lang:en sprint"]


def bench_texts() -> list[str]:
    path = SHARED / "tools" / "bench-queries.txt"
    if not path.exists():
        return []
    lines = [line for line in path.read_text().splitlines() if line.strip()
             and not line.startswith("#")]
    return [line.split("|")[2].strip() for line in lines if len(line.split("|")) > 2
            and line.split("|")[2].strip()]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("matching")
    archive = root / "archive"
    shutil.copytree(SAMPLE, archive)
    index_archives(root / "index", [Archive(archive, ArchiveOptions("demo"))])
    (archive / "pages" / "a-propos.rst").unlink()  # deletions must be honoured too
    (archive / "pages" / "new.rst").write_text(  # and a second segment searched
        "Nouvelle page\n#############\n\nLe langage Python, encore.\n")
    index_archives(root / "index", [Archive(archive, ArchiveOptions("demo"))])
    with SearchIndex(root / "index") as handle:
        yield handle


@pytest.mark.parametrize("text", QUERIES + bench_texts())
def test_same_documents_as_whoosh(engine, text):
    state = engine.state()
    query = parse_text(text, state.searcher.reader())
    if query is None:
        pytest.skip("no searchable word")
    fast = set(DocSets(state.searcher).docs(query))
    # prefix/fuzzy terms expanded over the whole index first: Whoosh's per-segment fuzzy
    # matching finds nothing on a multi-segment index (see matching.expand_terms)
    expanded = expand_terms(query, state.searcher.reader())
    assert fast == set(state.searcher.docs_for_query(expanded))


def test_scores_equal_whoosh_scores(engine):
    state = engine.state()
    query = parse_text("python pyramid", state.searcher.reader())
    results = state.searcher.search(query, limit=None)
    expected = {hit.docnum: hit.score for hit in results}
    assert expected
    assert score_documents(state.searcher, query, list(expected)) == pytest.approx(expected)


def test_fuzzy_and_prefix_rank_on_a_multi_segment_index(engine):
    from barcamp_search.search import SearchQuery

    assert len(engine.state().searcher.reader().leaf_readers()) > 1
    for text in ("pyhton~", "pyth*", "gunicorm~"):
        results = engine.search(SearchQuery(text=text))
        assert results.total > 0, text
        assert len(results.hits) == min(results.total, 10)
        assert all(hit.sections for hit in results.hits), text
