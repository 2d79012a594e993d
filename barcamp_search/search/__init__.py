"""Search stage: a ``SearchQuery`` and the index -> ``SearchResults``.

``query`` parses the query language; ``matching`` evaluates it as sets of documents and
ranks with BM25F; ``facets`` declares the facets (one registry) and counts them;
``tables`` holds the per-searcher post table; ``snippets`` highlights; ``suggest`` says
"did you mean"; ``engine`` ties them together in ``SearchIndex.search``.
"""

from barcamp_search.search.engine import (
    SORTS,
    FacetCount,
    Hit,
    SearchIndex,
    SearchQuery,
    SearchResults,
    SectionHit,
)

__all__ = [
    "SORTS",
    "FacetCount",
    "Hit",
    "SearchIndex",
    "SearchQuery",
    "SearchResults",
    "SectionHit",
]
