"""Search stage: an index and a ``SearchQuery`` in, ``SearchResults`` out.

The CLI and the web app both call ``SearchIndex.search``. Results are posts
(total = number of posts), each with its best matching sections and
highlighted snippets; facet counts (tag, author, speaker, year, archive) cover
the whole result set and count posts, not sections. Free text and filters stay
apart: filters are never pasted into the query text.

A ``SearchIndex`` keeps one Whoosh searcher open and reopens a new one when
the index has a new generation (checked at most every ``recheck`` seconds).
It never refreshes a searcher in place (Whoosh's refresh resurrects merged
segments in every fork): it opens a fresh one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.query import Term
from whoosh.query.qcore import QueryError as WhooshQueryError

from barcamp_search.errors import ConfigError, QueryError
from barcamp_search.facets import all_facets, get_facet
from barcamp_search.facets import by_plural as by_plural_name
from barcamp_search.indexer import store
from barcamp_search.indexer.analysis import fold
from barcamp_search.model import SORTS
from barcamp_search.search.facets import FacetCount, count_facets
from barcamp_search.search.forgiving import Vocabulary, rewrite
from barcamp_search.search.matching import MULTI_TERMS, DocSets, expand_terms, score_documents
from barcamp_search.search.query import (
    check_limits,
    check_syntax,
    parse_text,
    present_languages,
    repair_syntax,
)
from barcamp_search.search.snippets import mark, snippet_for
from barcamp_search.search.suggest import suggest
from barcamp_search.search.synonyms import Synonyms, load_synonyms
from barcamp_search.search.tables import PostTable, remembered

MAX_PER_PAGE = 100
MAX_PAGE = 1000
SECTIONS_PER_POST = 3


@dataclass(frozen=True, init=False)
class SearchQuery:
    """What to search: free text, facet filters (``filters``: facet name -> selected
    values, every one must hold), language, dates, order and page.

    Facet filters may also be given by their plural: ``SearchQuery(tags=("python",))``.
    """

    text: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # in the registry's order
    lang: str | None
    date_from: str | None  # YYYY-MM-DD, inclusive
    date_to: str | None
    sort: str
    page: int
    per_page: int
    facet_limit: int
    typos: bool  # misspelt words also match the vocabulary's closest words
    synonyms: bool  # words also match their synonyms
    instant: bool  # as you type: the unfinished last word also matches as a prefix

    def __init__(
        self,
        text: str = "",
        *,
        filters: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]] = (),
        lang: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        facet_limit: int = 30,
        typos: bool = True,
        synonyms: bool = True,
        instant: bool = False,
        **by_plural: Iterable[str],
    ) -> None:
        given = dict(filters.items() if isinstance(filters, Mapping) else filters)
        for plural, values in by_plural.items():
            try:
                given[by_plural_name(plural).name] = values
            except KeyError:
                raise TypeError(f"SearchQuery got an unknown argument {plural!r}") from None
        unknown = set(given) - {facet.name for facet in all_facets()}
        if unknown:
            names = ", ".join(facet.name for facet in all_facets())
            raise QueryError(
                f'Unknown facet "{sorted(unknown)[0][:50]}". Available facets: {names}'
            )
        selected = tuple(
            (facet.name, tuple(given[facet.name]))
            for facet in all_facets()
            if given.get(facet.name)
        )
        for name, value in (
            ("text", text),
            ("filters", selected),
            ("lang", lang),
            ("date_from", date_from),
            ("date_to", date_to),
            ("sort", sort),
            ("page", page),
            ("per_page", per_page),
            ("facet_limit", facet_limit),
            ("typos", typos),
            ("synonyms", synonyms),
            ("instant", instant),
        ):
            object.__setattr__(self, name, value)

    def selected(self, facet: str) -> tuple[str, ...]:
        """The values of ``facet`` this query filters on."""
        return dict(self.filters).get(facet, ())


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
    title_html: str = ""  # the title, escaped, with <mark> around matched words


@dataclass(frozen=True)
class SearchResults:
    query: SearchQuery
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    suggestion: str | None = None
    corrected: str | None = None  # the query as corrected, when a word was misspelt

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
                {
                    "archive": h.archive,
                    "source": h.source,
                    "slug": h.slug,
                    "url": h.url,
                    "title": h.title,
                    "title_html": h.title_html,
                    "date": h.date,
                    "tags": list(h.tags),
                    "authors": list(h.authors),
                    "speakers": list(h.speakers),
                    "score": round(h.score, 4),
                    "sections": [
                        {"anchor": s.anchor, "title": s.title, "url": s.url, "snippet": s.snippet}
                        for s in h.sections
                    ],
                }
                for h in self.hits
            ],
            "facets": {
                name: [{"value": f.value, "count": f.count, "selected": f.selected} for f in counts]
                for name, counts in self.facets.items()
            },
            "suggestion": self.suggestion,
            "corrected": self.corrected,
        }


def validate(query: SearchQuery) -> None:
    """Raise QueryError for parameters out of bounds."""
    if query.sort not in SORTS:
        raise QueryError(f"Unknown sort {query.sort!r}. Use one of: {', '.join(SORTS)}.")
    if not 1 <= query.page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE} (got {query.page}).")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE} (got {query.per_page}).")
    for value in query.selected("year"):
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"year must be four digits (got {value[:20]!r}).")
    for name, date in (("from", query.date_from), ("to", query.date_to)):
        if date is not None:
            _day_number(date, name)


def _day_number(value: str, name: str) -> int:
    try:
        day = Date.fromisoformat(value)
    except ValueError:
        raise QueryError(f'"{name}" must be a date YYYY-MM-DD (got {value[:20]!r}).') from None
    return day.year * 10000 + day.month * 100 + day.day


def filter_terms(query: SearchQuery) -> list[Any]:
    """The filters as Whoosh terms, one per selected value (all must hold)."""
    terms: list[Any] = []
    for name, values in query.filters:
        facet = get_facet(name)
        terms.extend(Term(name, facet.filter_value(value)) for value in values)
    if query.lang:
        terms.append(Term("lang", query.lang))
    return terms


def date_bounds(query: SearchQuery) -> tuple[int, int] | None:
    """The date filter as YYYYMMDDHHMM bounds; undated posts (0) never pass it."""
    if not (query.date_from or query.date_to):
        return None
    low = _day_number(query.date_from, "from") * 10000 if query.date_from else 1
    high = _day_number(query.date_to, "to") * 10000 + 2359 if query.date_to else 10**12
    return low, high


def filtered_posts(tables: PostTable, sets: DocSets, query: SearchQuery) -> np.ndarray | None:
    """Posts passing every filter (a post mask), or None when there is no filter."""
    result: np.ndarray | None = None
    for term in filter_terms(query):
        posts = tables.posts_mask_of_docs(sets.docs(term))
        for spelling in tables.spellings(term.fieldname, term.text):  # one person's names
            posts = posts | tables.posts_mask_of_docs(sets.docs(Term(term.fieldname, spelling)))
        result = posts if result is None else result & posts
    bounds = date_bounds(query)
    if bounds is not None:
        low, high = bounds
        dated = (tables.date_array >= low) & (tables.date_array <= high)
        result = dated if result is None else result & dated
    return result


@dataclass
class _State:
    """One open searcher and the tables computed for it."""

    generation: tuple[str, int]
    index: Any
    searcher: Any
    tables: PostTable
    sets: DocSets
    langs: tuple[str, ...]  # the analysis languages the index holds (query fields)
    vocabulary: Vocabulary | None = None  # built when a query first needs it

    def words(self) -> Vocabulary:
        """The vocabulary of this searcher (for typos and unfinished words), saved beside
        the index generation by the first process that builds it."""
        if self.vocabulary is None:
            reader = self.searcher.reader()
            folder = Path(self.index.storage.folder) if self.generation[1] >= 0 else None
            self.vocabulary = remembered(
                folder,
                "vocabulary",
                self.generation[1],
                reader,
                lambda: Vocabulary.of_reader(reader),
            )
        return self.vocabulary


def check_synonyms(table: Mapping[str, Any] | None) -> Synonyms:
    """The shipped synonyms and the user's ``[synonyms]`` table; ConfigError if malformed."""
    try:
        return load_synonyms(table)
    except ValueError as error:
        raise ConfigError(f"{error}. See the README: Forgiving search.") from None


class SearchIndex:
    """A long-lived handle on the index for searching (one per process)."""

    def __init__(
        self,
        root: Path,
        recheck: float = 1.0,
        synonyms: Mapping[str, Any] | None = None,
        people_aliases: Mapping[str, str] | None = None,
    ) -> None:
        """``synonyms``: the user's table (the config file's ``[synonyms]``), added to the
        shipped list; ConfigError if it is malformed. ``people_aliases``: the config
        file's ``[people.aliases]`` (search/people.py)."""
        self.synonyms: Synonyms = check_synonyms(synonyms)
        self.people_aliases = people_aliases
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
            if (
                self._state is not None
                and self._generation(self._state.index) == self._state.generation
            ):
                return self._state
            index = store.open_index(self.root)
            searcher = index.searcher()
            sets = DocSets(searcher)
            generation = self._generation(index)
            folder = Path(index.storage.folder) if generation[1] >= 0 else None
            tables = PostTable(searcher, sets, folder, generation[1], self.people_aliases)
            langs = present_languages(searcher.reader())
            old, self._state = self._state, _State(generation, index, searcher, tables, sets, langs)
            if old is not None:
                old.searcher.close()
                old.index.close()
            return self._state

    def _generation(self, index: Any) -> tuple[str, int]:
        live = store.live_generation(self.root)
        return (
            live.name if live else "",
            index.latest_generation() if live and Path(index.storage.folder) == live else -1,
        )

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
        tables, sets = state.tables, state.sets
        reader = state.searcher.reader()
        check_limits(query.text)
        text = query.text
        if query.instant:  # still being typed: "(pyth" is read as "(pyth)"
            text = repair_syntax(text)
        else:
            check_syntax(text)
        forgiven = rewrite(
            text,
            state.words,
            lambda word: reader.doc_frequency("spell", word) > 0,
            self.synonyms if query.synonyms else None,
            typos=query.typos,
            instant=query.instant,
        )
        exact_query = parse_text(forgiven.exact, reader, check=False, langs=state.langs)
        relaxed_query = (
            parse_text(forgiven.relaxed, reader, check=False, langs=state.langs)
            if forgiven.relaxed
            else None
        )
        text_query = relaxed_query or exact_query
        allowed = filtered_posts(tables, sets, query)
        docs: np.ndarray | None = None  # the matching documents (a mask)
        first: np.ndarray | None = None  # posts matching the words as typed: ranked first
        if text_query is None and query.text.strip():
            matching = np.zeros(tables.post_count, dtype=bool)  # only stop words: nothing
        elif text_query is None:
            matching = tables.post_mask() if allowed is None else allowed
        else:
            docs = sets.mask(text_query)
            matching = tables.posts_mask_of_docs(docs)
            if allowed is not None:
                matching &= allowed
            if relaxed_query is not None:
                first = (
                    tables.posts_mask_of_docs(sets.mask(exact_query))
                    if exact_query
                    else np.zeros(tables.post_count, dtype=bool)
                )
        total = int(np.count_nonzero(matching))
        facets = count_facets(tables, matching, query.selected, query.facet_limit)
        start = (query.page - 1) * query.per_page
        if text_query is None or docs is None or query.sort != "relevance":
            page = tables.by_date(
                matching, newest=query.sort != "oldest", limit=start + query.per_page
            )[start:]
            scores = _section_scores(state, text_query, docs, page)
            ranked = [(post, max(scores.get(post, {}).values(), default=0.0)) for post in page]
        else:
            ranked, scores = _rank(
                state,
                text_query,
                docs,
                matching,
                start + query.per_page,
                allowed is not None,
                first,
            )
            ranked = ranked[start:]
        terms = (
            _highlight_terms(text_query, state.searcher, sets)
            if text_query is not None
            else frozenset()
        )
        hits = tuple(
            self._hit(state, post, score, scores.get(post, {}), terms) for post, score in ranked
        )
        suggestion = None
        if text_query is not None and total < 3 and not forgiven.corrected:
            suggestion = suggest(
                state.searcher,
                query.text,
                lambda q: _count(tables, sets, q, allowed),
                total,
                state.words().nearest,
                state.langs,
            )
        took = (time.perf_counter() - started) * 1000
        return SearchResults(query, total, took, hits, facets, suggestion, forgiven.corrected)

    def _hit(
        self,
        state: _State,
        post: int,
        score: float,
        section_scores: dict[int, float],
        terms: frozenset[str],
    ) -> Hit:
        data = state.tables.post_data(state.searcher, post)
        sections: list[SectionHit] = []
        best = sorted(section_scores.items(), key=lambda item: (-item[1], item[0]))
        if not best and terms:  # matched only through a rarer expansion: its own text
            best = [(state.tables.post_doc[post], 0.0)]
        for docnum, _score in best[:SECTIONS_PER_POST]:
            stored = state.searcher.stored_fields(docnum)
            anchor = stored.get("anchor") or None
            url = data["url"] and (data["url"] + (f"#{anchor}" if anchor else ""))
            sections.append(
                SectionHit(
                    anchor,
                    stored.get("heading") or data["title"],
                    url,
                    snippet_for(stored.get("text", ""), terms, data["lang"]),
                )
            )
        marked = [section for section in sections if "<mark>" in section.snippet]
        sections = marked or sections[:1]
        return Hit(
            data["archive"],
            data["source"],
            data["slug"],
            data["url"],
            data["title"],
            data["date"],
            tuple(data["tags"]),
            tuple(data["authors"]),
            tuple(data["speakers"]),
            data.get("summary", ""),
            data["lang"],
            score,
            tuple(sections),
            mark(data["title"], terms, data["lang"]),
        )

    def post(self, archive: str, slug: str) -> dict[str, Any] | None:
        """A post as indexed: its data and sections (for ``show`` and the post page)."""
        state = self.state()
        return state.tables.post_by_slug(state.searcher, archive, slug)

    def spellings(self, facet: str, name: str) -> tuple[str, ...]:
        """Every spelling of the person ``name`` shows in a people facet (``name`` first)."""
        others = self.state().tables.spellings(facet, name.lower())
        variants = self.state().tables.variants.get(name, ())
        return tuple(dict.fromkeys([name, *(v for v in variants if v.lower() in others)]))

    def complete(self, prefix: str, limit: int = 8) -> list[dict[str, str]]:
        """Completions for a search box, accents and case ignored, at most ``limit``:

        - ``word``: the archive's words completing the last, unfinished word of ``prefix``
          (no trailing space, letters only, 2 or more), the words before it kept, most used
          first, stop words left out;
        - ``tag``, ``speaker`` and ``title``: values starting with the whole ``prefix``, at
          their start or at any of their words, most used first; a title carried by one post
          has that post's ``archive``, ``slug`` and ``url``: its published http(s) URL, else
          ``/post/<archive>/<slug>``, its page on the web app (relative to the app's root).

        Within a kind, values starting with the prefix come before those matching at an
        inner word. The kinds take turns (tag, word, speaker, title) so that one kind never
        crowds out the others; a value offered twice (the word and the tag "flask") is
        offered once. The list is ordered by kind: words, tags, speakers, titles."""
        from urllib.parse import quote

        from barcamp_search.search.query import STOP_WORDS
        from barcamp_search.search.tables import Completion

        typed = prefix[:100]
        prefix = fold(typed.strip())
        if len(prefix) < 2:
            return []
        state = self.state()
        kinds = ("tag", "word", "speaker", "title")
        candidates: dict[str, list[Completion]] = {kind: [] for kind in kinds}
        for entry in state.tables.completions(state.searcher):
            if entry.folded.startswith(prefix) or any(w.startswith(prefix) for w in entry.words):
                candidates[entry.kind].append(entry)
        last = re.search(r"(?:^|\s)([^\W\d_]{2,})$", typed)  # an unfinished plain word
        if last is not None:
            head = typed[: last.start(1)]
            for word in state.words().completions(last.group(1), limit * 2):
                if word.lower() not in STOP_WORDS:
                    value = head + word
                    candidates["word"].append(Completion(value, "word", 0, fold(value), ()))
        for kind in ("tag", "speaker", "title"):  # words come most used first already
            candidates[kind].sort(
                key=lambda e: (not e.folded.startswith(prefix), -e.weight, e.value.casefold())
            )
        chosen: list[Completion] = []
        offered: set[str] = set()
        turns = [iter(candidates[kind]) for kind in kinds]
        while turns and len(chosen) < limit:
            for turn in list(turns):
                pick: Completion | None = next(turn, None)
                while pick is not None and pick.folded in offered:
                    pick = next(turn, None)
                if pick is None:
                    turns.remove(turn)
                    continue
                offered.add(pick.folded)
                chosen.append(pick)
                if len(chosen) >= limit:
                    break
        order = {"word": 0, "tag": 1, "speaker": 2, "title": 3}
        chosen.sort(key=lambda e: order[e.kind])  # stable: each kind keeps its ranking
        found: list[dict[str, str]] = []
        for entry in chosen:
            item = {"value": entry.value, "kind": entry.kind}
            if entry.post is not None:
                archive, slug, published = entry.post
                item.update(archive=archive, slug=slug)
                if published and re.fullmatch(
                    r"https?://[^\s\x00-\x1f\x7f\"<>\\^`{|}]+", published
                ):
                    item["url"] = published
                else:
                    item["url"] = f"/post/{quote(archive, safe='')}/{quote(slug)}"
            found.append(item)
        return found

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
        counts = count_facets(
            tables,
            set(range(tables.post_count)),
            lambda name: (),
            1000,
            facets=(get_facet("archive"),),
        )
        return {
            "archives": {f.value: f.count for f in counts["archive"]},
            "posts": tables.post_count,
            "sections": tables.section_count,
            "generation": self.generation(),
            "size_bytes": sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()),
            "status": store.read_status(self.root),
        }


RANKING_EXPANSIONS = 8  # words a prefix/fuzzy term keeps for ranking (all count for totals)


def _rank(
    state: _State,
    text_query: Any,
    docs: np.ndarray,
    matching: np.ndarray,
    wanted: int,
    filtered: bool,
    first: np.ndarray | None = None,
) -> tuple[list[tuple[int, float]], dict[int, dict[int, float]]]:
    """The best ``wanted`` posts of ``matching`` by their best section's score (the posts
    of ``first``, when given, before all others; ties by source), and the scores of the
    matching sections of those posts."""
    tables = state.tables
    # Ranking scores a query whose prefix/fuzzy terms keep their most frequent words; the
    # totals and facets count every expansion, and posts matched only through rarer words
    # follow, newest first.
    text_query = expand_terms(text_query, state.searcher.reader(), RANKING_EXPANSIONS, state.sets)
    scores, hit = state.sets.vector(text_query)
    hit &= docs
    if filtered:
        hit &= tables.docs_mask_of_posts(matching)
    hit_docs = np.flatnonzero(hit)
    posts = tables.doc_post_array[hit_docs]
    hit_docs, posts = hit_docs[posts >= 0], posts[posts >= 0]
    best = np.full(tables.post_count, -np.inf)
    np.maximum.at(best, posts, scores[hit_docs])
    scored = np.flatnonzero(best > -np.inf)
    keys = [tables.key_rank[scored], -best[scored]]
    if first is not None:
        keys.append(~first[scored])
    order = np.lexsort(keys)[:wanted]
    ranked = list(zip(scored[order].tolist(), best[scored[order]].tolist(), strict=True))
    if len(ranked) < wanted:
        rest_mask = matching.copy()
        rest_mask[scored] = False
        rest = tables.by_date(rest_mask)
        if first is not None:
            rest = [p for p in rest if first[p]] + [p for p in rest if not first[p]]
        ranked += [(post, 0.0) for post in rest[: wanted - len(ranked)]]
    by_post: dict[int, dict[int, float]] = {}
    for post, _score in ranked:
        section_scores = {d: float(scores[d]) for d in tables.post_docs[post] if hit[d]}
        if section_scores:
            by_post[post] = section_scores
    return ranked, by_post


def _section_scores(
    state: _State, text_query: Any, docs: np.ndarray | None, posts: list[int]
) -> dict[int, dict[int, float]]:
    """For each post, the scores of its documents that match the query."""
    if text_query is None or docs is None or not posts:
        return {}
    text_query = expand_terms(text_query, state.searcher.reader(), RANKING_EXPANSIONS, state.sets)
    candidates = [d for post in posts for d in state.tables.post_docs[post] if docs[d]]
    by_post: dict[int, dict[int, float]] = {}
    for docnum, score in score_documents(state.searcher, text_query, candidates).items():
        by_post.setdefault(state.tables.doc_post[docnum], {})[docnum] = score
    return by_post


def _count(tables: PostTable, sets: DocSets, query: Any, allowed: np.ndarray | None) -> int:
    posts = tables.posts_mask_of_docs(sets.docs(query))
    return int(np.count_nonzero(posts if allowed is None else posts & allowed))


def _highlight_terms(query: Any, searcher: Any, sets: DocSets) -> frozenset[str]:
    """The indexed words of the text fields a query looks for (a prefix or fuzzy term:
    the words it expanded to). A word of the query missing from the index is kept: no
    text holds it, so it marks nothing."""
    words: set[str] = set()
    reader = searcher.reader()
    for leaf in query.leaves():
        fieldname = getattr(leaf, "fieldname", None)
        if not fieldname or not fieldname.startswith(("title_", "heading_", "body_")):
            continue
        if isinstance(leaf, MULTI_TERMS):  # the expansion the search used (cached)
            pairs = [(fieldname, word) for word in sets.expand(leaf)]
        elif isinstance(leaf, Term):
            pairs = [(fieldname, leaf.text)]
        else:
            pairs = leaf.existing_terms(reader, phrases=True, expand=True)
        for _fieldname, text in pairs:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(words)
