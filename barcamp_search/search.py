"""Search stage: an index and a ``SearchQuery`` in, ``SearchResults`` out.

The CLI and the web app both call ``SearchIndex.search``. Results are posts
(total = number of posts), each with its best matching sections and
highlighted snippets; facet counts (tag, author, speaker, year, archive) cover
the whole result set and count posts, not sections. Free text and filters stay
apart: filters are never pasted into the query text.

A ``SearchIndex`` keeps one Whoosh searcher open and reopens a new one when
the index has a new generation (checked at most every ``recheck`` seconds).
It never calls ``Searcher.refresh()``, which resurrects merged segments in
every Whoosh fork.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

from whoosh.query import And, Every, NumericRange, Or, Term
from whoosh.query.qcore import QueryError as WhooshQueryError

from barcamp_search import store
from barcamp_search.errors import QueryError
from barcamp_search.facets import FACETS, FacetTables, count_facets, fold
from barcamp_search.queryparse import parse_text
from barcamp_search.snippets import snippet_for
from barcamp_search.suggest import suggest

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
SECTIONS_PER_POST = 3


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    archives: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    lang: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facet_limit: int = 30

    def selected(self, facet: str) -> tuple[str, ...]:
        return {"tag": self.tags, "author": self.authors, "speaker": self.speakers,
                "year": self.years, "archive": self.archives}[facet]


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class SectionHit:
    anchor: str | None  # None: the post's own text (before its first section)
    title: str
    url: str | None
    snippet: str  # HTML: escaped text with <mark> around matched words


@dataclass(frozen=True)
class Hit:
    archive: str
    source: str
    slug: str
    url: str | None
    title: str
    date: str | None
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    speakers: tuple[str, ...]
    summary: str
    lang: str
    score: float
    sections: tuple[SectionHit, ...]


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query.text,
            "total": self.total,
            "page": self.query.page,
            "per_page": self.query.per_page,
            "took_ms": round(self.took_ms, 2),
            "results": [
                {"archive": h.archive, "source": h.source, "slug": h.slug, "url": h.url,
                 "title": h.title, "date": h.date, "tags": list(h.tags),
                 "authors": list(h.authors), "speakers": list(h.speakers),
                 "score": round(h.score, 4),
                 "sections": [{"anchor": s.anchor, "title": s.title, "url": s.url,
                               "snippet": s.snippet} for s in h.sections]}
                for h in self.hits
            ],
            "facets": {name: [{"value": f.value, "count": f.count, "selected": f.selected}
                              for f in counts] for name, counts in self.facets.items()},
            "suggestion": self.suggestion,
        }


def validate(query: SearchQuery) -> None:
    """Raise QueryError for parameters out of bounds."""
    if query.sort not in SORTS:
        raise QueryError(f"Unknown sort {query.sort!r}. Use one of: {', '.join(SORTS)}.")
    if not 1 <= query.page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE} (got {query.page}).")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE} "
                         f"(got {query.per_page}).")
    for value in query.years:
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"year must be four digits (got {value[:20]!r}).")
    for name, value in (("from", query.date_from), ("to", query.date_to)):
        if value is not None:
            _day_number(value, name)


def _day_number(value: str, name: str) -> int:
    try:
        day = Date.fromisoformat(value)
    except ValueError:
        raise QueryError(f'"{name}" must be a date YYYY-MM-DD (got {value[:20]!r}).') from None
    return day.year * 10000 + day.month * 100 + day.day


def filter_query(query: SearchQuery) -> Any:
    """The filters as one Whoosh query (always excluding stubs)."""
    terms: list[Any] = [Or([Term("kind", "post"), Term("kind", "section")])]
    terms.extend(Term("tag", value.lower()) for value in query.tags)
    terms.extend(Term("category", value.lower()) for value in query.categories)
    terms.extend(Term("author", value.lower()) for value in query.authors)
    terms.extend(Term("speaker", value.lower()) for value in query.speakers)
    for fieldname, values in (("year", query.years), ("archive", query.archives)):
        terms.extend(Term(fieldname, value) for value in values)
    if query.lang:
        terms.append(Term("lang", query.lang))
    if query.date_from or query.date_to:
        # undated posts (date 0) never pass a date filter
        low = _day_number(query.date_from, "from") * 10000 if query.date_from else 1
        high = _day_number(query.date_to, "to") * 10000 + 2359 if query.date_to else None
        terms.append(NumericRange("date", low, high))
    return And(terms)


@dataclass
class _State:
    """One open searcher and the tables computed for it."""

    generation: tuple[str, int]
    index: Any
    searcher: Any
    tables: FacetTables
    opened: float = field(default_factory=time.monotonic)


class SearchIndex:
    """A long-lived handle on the index for searching (one per process)."""

    def __init__(self, root: Path, recheck: float = 1.0) -> None:
        self.root = Path(root)
        self.recheck = recheck
        self._state: _State | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._state is not None:
                self._state.searcher.close()
                self._state.index.close()
                self._state = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self) -> _State:
        """The current searcher, reopened when the index changed (at most every second)."""
        with self._lock:
            now = time.monotonic()
            if self._state is not None and now - self._checked < self.recheck:
                return self._state
            self._checked = now
            if self._state is not None and self._generation(self._state.index) == \
                    self._state.generation:
                return self._state
            index = store.open_index(self.root)
            searcher = index.searcher()
            old, self._state = self._state, _State(
                self._generation(index), index, searcher, FacetTables(searcher))
            if old is not None:
                old.searcher.close()
                old.index.close()
            return self._state

    def _generation(self, index: Any) -> tuple[str, int]:
        live = store.live_generation(self.root)
        return (live.name if live else "", index.latest_generation()
                if live and Path(index.storage.folder) == live else -1)

    def generation(self) -> str:
        name, number = self.state().generation
        return f"{name}.{number}"

    def search(self, query: SearchQuery) -> SearchResults:
        """Run one search; QueryError for anything the user must change."""
        try:
            return self._search(query)
        except WhooshQueryError as error:
            raise QueryError(f"The query cannot be run: {str(error)[:150]}") from None

    def _search(self, query: SearchQuery) -> SearchResults:
        started = time.perf_counter()
        validate(query)
        state = self.state()
        searcher, tables = state.searcher, state.tables
        text_query = parse_text(query.text, searcher.reader())
        filters = filter_query(query)
        if text_query is None and query.text.strip():
            matching = set()  # only stop words or punctuation: nothing to look for
        elif text_query is None:
            matching = tables.posts_matching(searcher, filters)
        else:
            matching = tables.posts_matching(searcher, And([text_query, filters]))
        facets = count_facets(tables, matching, query)
        start = (query.page - 1) * query.per_page
        if text_query is None or query.sort != "relevance":
            ordered = tables.sort_by_date(matching, newest=query.sort != "oldest")
            page_posts = [(p, 0.0) for p in ordered[start:start + query.per_page]]
        else:
            page_posts = _top_posts(searcher, tables, text_query, filters,
                                    start + query.per_page)[start:]
        hits = tuple(self._hit(state, post, score, text_query, filters)
                     for post, score in page_posts)
        suggestion = None
        if text_query is not None and len(matching) < 3:
            suggestion = suggest(searcher, query.text, filters, tables, len(matching))
        took = (time.perf_counter() - started) * 1000
        return SearchResults(query, len(matching), took, hits, facets, suggestion)

    def _hit(self, state: _State, post: int, score: float, text_query: Any,
             filters: Any) -> Hit:
        data = state.tables.post_data(state.searcher, post)
        sections: list[SectionHit] = []
        if text_query is not None:
            key = state.tables.post_keys[post]
            found = state.searcher.search(And([text_query, filters, Term("post", key)]),
                                          limit=SECTIONS_PER_POST)
            terms = _highlight_terms(text_query, state.searcher)
            for result in found:
                stored = result.fields()
                anchor = stored.get("anchor") or None
                url = data["url"] and (data["url"] + (f"#{anchor}" if anchor else ""))
                sections.append(SectionHit(
                    anchor, stored.get("heading") or data["title"], url,
                    snippet_for(stored.get("text", ""), terms, data["lang"])))
                score = max(score, result.score or 0.0)
            marked = [section for section in sections if "<mark>" in section.snippet]
            sections = marked or sections[:1]
        return Hit(data["archive"], data["source"], data["slug"], data["url"], data["title"],
                   data["date"], tuple(data["tags"]), tuple(data["authors"]),
                   tuple(data["speakers"]), data.get("summary", ""), data["lang"], score,
                   tuple(sections))

    def post(self, archive: str, slug: str) -> dict[str, Any] | None:
        """A post as indexed: its data and sections (for ``show`` and the post page)."""
        state = self.state()
        return state.tables.post_by_slug(state.searcher, archive, slug)

    def complete(self, prefix: str, limit: int = 8) -> list[dict[str, str]]:
        """Completions for a search box: titles, tags and speakers starting with ``prefix``
        (at any word, accents and case ignored), most used first."""
        prefix = fold(prefix.strip())[:100]
        if len(prefix) < 2:
            return []
        state = self.state()
        found = []
        for entry in state.tables.completions(state.searcher):
            if any(word.startswith(prefix) for word in entry.words) or \
                    entry.folded.startswith(prefix):
                found.append(entry)
                if len(found) >= limit * 20:
                    break
        kinds = {"tag": 0, "speaker": 1, "title": 2}
        found.sort(key=lambda e: (not e.folded.startswith(prefix), kinds[e.kind], -e.weight,
                                  e.value.casefold()))
        return [{"value": e.value, "kind": e.kind} for e in found[:limit]]

    def timeline(self) -> dict[str, dict[str, int]]:
        """Posts per year per archive (undated posts are not counted)."""
        state = self.state()
        tables = state.tables
        archives = tables.values("archive")
        counts: dict[str, dict[str, int]] = {}
        for post, date in enumerate(tables.post_date):
            if date:
                for archive in archives[post]:
                    year = str(date)[:4]
                    counts.setdefault(archive, {}).setdefault(year, 0)
                    counts[archive][year] += 1
        return {a: dict(sorted(years.items())) for a, years in sorted(counts.items())}

    def stats(self) -> dict[str, Any]:
        state = self.state()
        tables = state.tables
        counts = count_facets(tables, tables.posts_matching(state.searcher, Every()),
                              SearchQuery(facet_limit=1000), facets=("archive",))
        return {
            "archives": {f.value: f.count for f in counts["archive"]},
            "posts": tables.post_count,
            "sections": tables.section_count,
            "generation": self.generation(),
            "size_bytes": sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()),
            "status": store.read_status(self.root),
        }


def _top_posts(searcher: Any, tables: FacetTables, text_query: Any, filters: Any,
               wanted: int) -> list[tuple[int, float]]:
    """The best ``wanted`` posts by their best section's score."""
    limit = max(wanted * 3, 30)
    while True:
        results = searcher.search(text_query, filter=filters, limit=limit,
                                  collapse="post", collapse_limit=1)
        ranked: list[tuple[int, float]] = []
        seen: set[int] = set()
        for hit in results:
            post = tables.doc_post[hit.docnum]
            if post >= 0 and post not in seen:
                seen.add(post)
                ranked.append((post, hit.score or 0.0))
        if len(ranked) >= wanted or len(results) < limit:
            return ranked[:wanted]
        limit *= 4


def _highlight_terms(query: Any, searcher: Any) -> frozenset[str]:
    # Leaf by leaf: Or.existing_terms() of this Whoosh version stops after the first leaf.
    words: set[str] = set()
    reader = searcher.reader()
    for leaf in query.leaves():
        for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
            if fieldname.startswith(("title_", "heading_", "body_")):
                words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(words)


def facet_names() -> tuple[str, ...]:
    return FACETS
