"""The facet registry drives the index, the search, the API and the page."""

from __future__ import annotations

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import Settings
from barcamp_search.facets import Facet, all_facets, counted_facets, get_facet, registered
from barcamp_search.indexer.build import index_archives
from barcamp_search.indexer.schema import build_schema
from barcamp_search.model import Post
from barcamp_search.search import SearchIndex, SearchQuery
from barcamp_search.web.app import create_app
from barcamp_search.web.i18n import STRINGS

from .conftest import SAMPLE


def _formats(post: Post) -> tuple[str, ...]:
    return (post.format,)


FORMAT = Facet("format", "formats", _formats, indexed="id", help="Only this source format.")


def test_every_facet_has_its_field_and_labels():
    schema = build_schema()
    for facet in all_facets():
        assert facet.name in schema.names()
        assert facet.label in STRINGS and facet.chip in STRINGS
    assert [f.name for f in counted_facets()] == [
        "tag",
        "author",
        "speaker",
        "year",
        "archive",
        "language",
    ]
    assert get_facet("category").counted is False
    with pytest.raises(KeyError):
        get_facet("nope")


def test_search_query_takes_filters_by_name_or_plural():
    assert SearchQuery(tags=("a",)) == SearchQuery(filters={"tag": ["a"]})
    assert SearchQuery(tags=("a",), years=("2020",)).filters == (
        ("tag", ("a",)),
        ("year", ("2020",)),
    )
    assert SearchQuery(speakers=("X",)).selected("speaker") == ("X",)
    with pytest.raises(TypeError):
        SearchQuery(colours=("red",))


def test_a_facet_added_to_the_registry_appears_in_the_api_and_the_page(tmp_path, monkeypatch):
    monkeypatch.setitem(STRINGS, "facet_format", ("Source formats", "Formats des sources"))
    monkeypatch.setitem(STRINGS, "chip_format", ("format", "format"))
    with registered(FORMAT):
        index_dir = tmp_path / "index"
        index_archives(index_dir, [Archive(SAMPLE, ArchiveOptions(name="demo"))])
        with SearchIndex(index_dir) as engine:
            results = engine.search(SearchQuery(per_page=1))
            counts = {c.value: c.count for c in results.facets["format"]}
            assert set(counts) == {"rst", "markdown"} and sum(counts.values()) == results.total
            only_md = engine.search(SearchQuery(filters={"format": ["markdown"]}))
            assert only_md.total == counts["markdown"]
        client = create_app(Settings(index=index_dir)).test_client()
        data = client.get("/api/search?format=rst").get_json()
        assert data["total"] == counts["rst"]
        assert data["facets"]["format"] == [
            {"value": "rst", "count": counts["rst"], "selected": True}
        ]
        facet = client.get("/api/facets?facet=format").get_json()
        assert {v["value"] for v in facet["values"]} == {"rst", "markdown"}
        page = client.get("/search?format=markdown").get_data(as_text=True)
        assert "Source formats" in page and 'data-facet="format"' in page
        assert "format=markdown" in page  # the chip that removes the filter
    assert "format" not in [f.name for f in all_facets()]
