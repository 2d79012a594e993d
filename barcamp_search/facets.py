"""Per-searcher tables for grouping hits by post and counting facets by post.

Built once per opened searcher (so once per index generation), from the
``post`` column and the facet fields' postings: document -> post ordinal,
post -> date, post -> facet values. Counting a facet over a result set is
then a loop over the matching posts, with no per-query Whoosh grouping and no
scoring.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from whoosh.query import And, Term
from whoosh.support.charset import accent_map

from barcamp_search.matching import DocSets
from barcamp_search.schema import FACET_FIELDS, read_facet_column

if TYPE_CHECKING:
    from barcamp_search.search import FacetCount, SearchQuery

FACETS = ("tag", "author", "speaker", "year", "archive")


def fold(text: str) -> str:
    """Case- and accent-insensitive form for prefix matching."""
    return text.casefold().translate(accent_map)


@dataclass(frozen=True)
class Completion:
    value: str
    kind: str  # "title", "tag" or "speaker"
    weight: int  # posts carrying it
    folded: str
    words: tuple[str, ...]


def _completion(value: str, kind: str, weight: int) -> Completion:
    folded = fold(value)
    return Completion(value, kind, weight, folded, tuple(re.findall(r"\w[\w.+#-]*", folded)))


class FacetTables:
    def __init__(self, searcher: Any, sets: DocSets) -> None:
        reader = searcher.reader()
        size = reader.doc_count_all()
        self.doc_post = [-1] * size
        self.post_keys: list[str] = []
        self.post_doc: list[int] = []
        ordinal: dict[str, int] = {}
        empty = reader.doc_count_all() == 0  # an index of drafts only has no columns
        keys = {} if empty else reader.column_reader("post")
        sections = sorted(sets.term("kind", "section", cache=False))
        for docnum in sorted(sets.term("kind", "post", cache=False)):
            key = keys[docnum]
            ordinal[key] = len(self.post_keys)
            self.post_keys.append(key)
            self.post_doc.append(docnum)
            self.doc_post[docnum] = ordinal[key]
        self.post_docs: list[list[int]] = [[d] for d in self.post_doc]
        for docnum in sections:
            post = ordinal.get(keys[docnum], -1)
            self.doc_post[docnum] = post
            if post >= 0:
                self.post_docs[post].append(docnum)
        dates = {} if empty else reader.column_reader("date")
        self.post_date = [dates[d] or 0 for d in self.post_doc]
        self.post_count = len(self.post_keys)
        self.section_count = len(sections)
        self._reader = reader
        self._values: dict[str, list[tuple[str, ...]]] = {}
        self._totals: dict[str, Counter[str]] = {}

    def posts_of(self, docs: Any) -> set[int]:
        """The posts of these documents (stubs have none)."""
        doc_post = self.doc_post
        posts = {doc_post[d] for d in docs}
        posts.discard(-1)
        return posts

    def sort_by_date(self, posts: set[int], newest: bool = True) -> list[int]:
        """Newest (or oldest) first; undated posts always last, ties by source."""
        dates, keys = self.post_date, self.post_keys
        dated = sorted((p for p in posts if dates[p]), key=lambda p: (dates[p], keys[p]),
                       reverse=newest)
        return dated + sorted((p for p in posts if not dates[p]), key=lambda p: keys[p])

    def values(self, facet: str) -> list[tuple[str, ...]]:
        """For each post ordinal, its values of ``facet`` (as displayed).

        Read once per searcher from the ``facets`` column of the post documents.
        People facets merge case variants under their most used spelling."""
        if not self._values:
            column: Any = self._reader.column_reader("facets") if self.post_doc else {}
            rows = [read_facet_column(column[d]) for d in self.post_doc]
            for index, name in enumerate(FACET_FIELDS):
                self._values[name] = [row[index] if index < len(row) else () for row in rows]
            for name in ("author", "speaker"):
                self._values[name] = _merge_case_variants(self._values[name])
        return self._values[facet]

    def count(self, facet: str, posts: set[int]) -> Counter[str]:
        """Posts per value of ``facet`` among ``posts`` (counting the complement when it
        is smaller: all posts minus the others)."""
        values = self.values(facet)
        if len(posts) * 2 <= self.post_count:
            return Counter(chain.from_iterable(map(values.__getitem__, posts)))
        if facet not in self._totals:
            self._totals[facet] = Counter(chain.from_iterable(values))
        others = set(range(self.post_count)).difference(posts)
        counter = self._totals[facet].copy()
        counter.subtract(chain.from_iterable(map(values.__getitem__, others)))
        return +counter  # values no post of ``posts`` carries dropped

    def completions(self, searcher: Any) -> list[Completion]:
        """Tags and speakers (weighted by posts) and post titles, built once per searcher."""
        if not hasattr(self, "_completions"):
            entries: list[Completion] = []
            for facet in ("tag", "speaker"):
                counter: Counter[str] = Counter()
                for values in self.values(facet):
                    counter.update(values)
                entries += [_completion(v, facet, n) for v, n in counter.items()]
            titles: Counter[str] = Counter(
                self.post_data(searcher, post)["title"] for post in range(self.post_count))
            entries += [_completion(t, "title", n) for t, n in titles.items()]
            self._completions = entries
        return self._completions

    def post_data(self, searcher: Any, post: int) -> dict[str, Any]:
        return searcher.stored_fields(self.post_doc[post])["data"]

    def post_by_slug(self, searcher: Any, archive: str, slug: str) -> dict[str, Any] | None:
        query = And([Term("archive", archive), Term("slug", slug), Term("kind", "post")])
        for docnum in searcher.docs_for_query(query):
            post = self.doc_post[docnum]
            if post < 0:
                continue
            stored = searcher.stored_fields(docnum)
            data = dict(stored["data"])
            data["text"] = stored.get("text", "")
            texts = {}
            for doc in searcher.docs_for_query(Term("post", self.post_keys[post])):
                if doc != docnum and self.doc_post[doc] == post:
                    fields = searcher.stored_fields(doc)
                    texts[fields.get("anchor", "")] = fields.get("text", "")
            data["sections"] = [{**section, "text": texts.get(section["anchor"], "")}
                                for section in data.get("sections", [])]
            return data
        return None


def _merge_case_variants(per_post: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """"Guido Van Rossum" and "Guido van Rossum" -> the spelling most posts use."""
    spellings: dict[str, Counter[str]] = {}
    for values in per_post:
        for value in values:
            spellings.setdefault(value.lower(), Counter())[value] += 1
    best = {key: min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
            for key, counts in spellings.items()}
    return [tuple(dict.fromkeys(best[v.lower()] for v in values)) for values in per_post]


def count_facets(tables: FacetTables, posts: set[int], query: SearchQuery,
                 facets: tuple[str, ...] = FACETS) -> dict[str, tuple[FacetCount, ...]]:
    """Post counts of each facet value over ``posts``; selected values flagged and kept."""
    from barcamp_search.search import FacetCount

    result: dict[str, tuple[FacetCount, ...]] = {}
    for facet in facets:
        counter = tables.count(facet, posts)
        selected = {value.lower() for value in query.selected(facet)}
        if facet == "year":
            ordered = sorted(counter.items(), key=lambda item: item[0], reverse=True)
        else:
            ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0].casefold()))
        top = ordered[: query.facet_limit]
        shown = {value for value, _ in top}
        shown_keys = {value.lower() for value in shown}
        top += [(value, counter.get(value, 0)) for value in query.selected(facet)
                if value.lower() not in shown_keys]
        result[facet] = tuple(FacetCount(v, c, v.lower() in selected) for v, c in top)
    return result
