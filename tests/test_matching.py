"""The set-at-a-time fast path matches exactly what Whoosh's own matching finds."""

from __future__ import annotations

import shutil

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives
from barcamp_search.search import SearchIndex
from barcamp_search.search.matching import DocSets, expand_terms, score_documents
from barcamp_search.search.query import parse_text

from .conftest import SAMPLE, SHARED

QUERIES = [
    "python",
    "pyramid django",
    "flask OR pyramid",
    "pyramid NOT eleven",
    '"PEP 8"',
    "capt*",
    "gunicorm~",
    "title:pyramid",
    "tag:pyladies",
    "author:garnier",
    "speaker:morel",
    "category:sprints",
    "site:python.org",
    "micro-python",
    "(python OR django) NOT tag:asyncio",
    "évènements",
    "lang:en sprint",
]


def bench_texts() -> list[str]:
    path = SHARED / "tools" / "bench-queries.txt"
    if not path.exists():
        return []
    lines = [
        line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    return [
        line.split("|")[2].strip()
        for line in lines
        if len(line.split("|")) > 2 and line.split("|")[2].strip()
    ]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("matching")
    archive = root / "archive"
    shutil.copytree(SAMPLE, archive)
    index_archives(root / "index", [Archive(archive, ArchiveOptions("demo"))])
    (archive / "pages" / "a-propos.rst").unlink()  # deletions must be honoured too
    (archive / "pages" / "new.rst").write_text(  # and a second segment searched
        "Nouvelle page\n#############\n\nLe langage Python, encore.\n"
    )
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


@pytest.fixture(scope="module")
def nantes(tmp_path_factory):
    """The python-nantes archive in three segments, with deletions."""
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    root = tmp_path_factory.mktemp("nantes")
    archive = root / "archive"
    shutil.copytree(corpora / "python-nantes", archive)
    moved = sorted(p for p in archive.rglob("*") if p.suffix in (".rst", ".md"))[::3]
    aside = root / "aside"
    aside.mkdir()
    for number, path in enumerate(moved):
        path.rename(aside / f"{number}{path.suffix}")
    index_archives(root / "index", [Archive(archive, ArchiveOptions("nantes", lang="fr"))])
    for number, path in enumerate(moved):  # a second segment
        (aside / f"{number}{path.suffix}").rename(path)
    index_archives(root / "index", [Archive(archive, ArchiveOptions("nantes", lang="fr"))])
    for path in moved[::4]:  # deletions in both segments
        path.unlink()
    for path in sorted(archive.rglob("*.rst"))[:5]:
        path.unlink()
    index_archives(root / "index", [Archive(archive, ArchiveOptions("nantes", lang="fr"))])
    with SearchIndex(root / "index") as handle:
        yield handle


SCORED = QUERIES + [
    "nantes python",
    '"python nantes"',
    '"liste de diffusion"',
    "pyth*",
    "pyhton~",
    "django NOT flask",
    "sprint OR atelier",
    "title:python",
]


@pytest.mark.parametrize("text", SCORED + bench_texts())
def test_set_scores_equal_whoosh_scores(nantes, text):
    """DocSets.scores (set at a time, used for ranking) gives every matching document the
    score Whoosh's own search gives it, on a multi-segment index with deletions."""
    state = nantes.state()
    searcher = state.searcher
    assert len(searcher.reader().leaf_readers()) > 1
    assert searcher.reader().has_deletions()
    query = parse_text(text, searcher.reader())
    if query is None:
        pytest.skip("no searchable word")
    query = expand_terms(query, searcher.reader(), 8)
    expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
    scores = DocSets(searcher).scores(query)
    assert scores == pytest.approx(expected, rel=1e-12)
    assert set(DocSets(searcher).docs(query)) == set(expected)
    within = set(list(expected)[::2])
    assert DocSets(searcher).scores(query, within) == pytest.approx(
        {d: s for d, s in expected.items() if d in within}, rel=1e-12
    )


def test_fuzzy_and_prefix_rank_on_a_multi_segment_index(engine):
    from barcamp_search.search import SearchQuery

    assert len(engine.state().searcher.reader().leaf_readers()) > 1
    for text in ("pyhton~", "pyth*", "gunicorm~"):
        results = engine.search(SearchQuery(text=text))
        assert results.total > 0, text
        assert len(results.hits) == min(results.total, 10)
        assert all(hit.sections for hit in results.hits), text
