"""The fast paths of search: which documents match, and how well the shown ones score.

Whoosh answers "which documents match" by stepping a tree of matchers one
document at a time, in Python; counting facets over a whole result set that
way cost most of a query. Here a query is evaluated as *sets* instead:
each term's posting list is read block by block into a set of document
numbers (cached per searcher), and And/Or/Not become C-level set operations.
Query types without a set form (phrases, ranges) fall back to Whoosh's own
``docs_for_query``, so results are exactly Whoosh's.

``score_documents`` scores a few chosen documents (the sections of the posts
on the page) by skipping one matcher tree to each of them, instead of a
search over every match.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from whoosh import query as q

# Posting sets kept per searcher (most queries share common words), bounded by their total
# size: a set of 60,000 document numbers weighs about 3 MB, a serving worker must stay small.
TERM_CACHE = 2048
TERM_CACHE_DOCS = 600_000


class DocSets:
    """Set-at-a-time evaluation of queries for one searcher."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = self.reader.leaf_readers()
        self._terms: OrderedDict[tuple[str, bytes | str], frozenset[int]] = OrderedDict()
        self._cached_docs = 0
        self._all: frozenset[int] | None = None

    def all_docs(self) -> frozenset[int]:
        if self._all is None:
            self._all = frozenset(self.reader.all_doc_ids())
        return self._all

    def term(self, fieldname: str, text: bytes | str, cache: bool = True) -> frozenset[int]:
        """Documents containing a term (its posting list as a set)."""
        key = (fieldname, text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        docs: set[int] = set()
        for reader, offset in self.leaves:
            if (fieldname, text) not in reader:
                continue
            matcher = reader.postings(fieldname, text)
            excluded: Any = getattr(matcher, "_ids", None) if getattr(
                matcher, "_exclude", False) else None
            if excluded is not None:  # FilterMatcher hiding deleted documents
                matcher = matcher.child
            ids = _posting_ids(matcher)
            if excluded:
                ids = [d for d in ids if d not in excluded]
            elif reader.has_deletions():
                ids = [d for d in ids if not reader.is_deleted(d)]
            docs.update(d + offset for d in ids) if offset else docs.update(ids)
        found = frozenset(docs)
        if not cache:
            return found
        self._terms[key] = found
        self._cached_docs += len(found)
        while len(self._terms) > 1 and (len(self._terms) > TERM_CACHE
                                        or self._cached_docs > TERM_CACHE_DOCS):
            _key, evicted = self._terms.popitem(last=False)
            self._cached_docs -= len(evicted)
        return found

    def docs(self, query: Any) -> frozenset[int] | set[int]:
        """Document numbers matching ``query``, exactly as Whoosh would match them."""
        if isinstance(query, q.Term):
            return self.term(query.fieldname, query.text)
        if isinstance(query, q.Every):
            return self.all_docs()
        if query is q.NullQuery:
            return frozenset()
        if isinstance(query, (q.Prefix, q.Wildcard, q.FuzzyTerm, q.Variations)):
            expanded: set[int] = set()
            for btext in query._btexts(self.reader):  # the words it expands to
                expanded |= self.term(query.fieldname, btext)
            return expanded
        if isinstance(query, (q.Or, q.DisjunctionMax)):
            result: set[int] = set()
            for child in query.subqueries:
                result |= self.docs(child)
            return result
        if isinstance(query, q.And):
            positives = [c for c in query.subqueries if not isinstance(c, q.Not)]
            negatives = [c.query for c in query.subqueries if isinstance(c, q.Not)]
            if not positives:
                positives = [q.Every()]
            sets = sorted((self.docs(c) for c in positives), key=len)
            result = set(sets[0])
            for other in sets[1:]:
                result &= other
                if not result:
                    return result
            for negative in negatives:
                result -= self.docs(negative)
            return result
        if isinstance(query, q.Not):
            return self.all_docs() - self.docs(query.query)
        if isinstance(query, q.AndNot):
            return set(self.docs(query.a)) - self.docs(query.b)
        if isinstance(query, q.AndMaybe):
            return set(self.docs(query.a))
        if isinstance(query, q.Require):
            return set(self.docs(query.a)) & self.docs(query.b)
        # Phrases, numeric ranges and anything else: Whoosh's own matching.
        return set(self.searcher.docs_for_query(query))


def _posting_ids(matcher: Any) -> list[int]:
    """All document numbers of a leaf posting list, a block at a time where possible."""
    if not hasattr(matcher, "_read_ids") or not hasattr(matcher, "_goto"):
        return list(matcher.all_ids())
    ids: list[int] = []
    while matcher.is_active():  # whoosh3 W3LeafMatcher: read each block's id array
        if matcher._ids is None:
            matcher._read_ids()
        ids.extend(matcher._ids[matcher._i:matcher._blocklength])
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return ids


def score_documents(searcher: Any, query: Any, docnums: list[int]) -> dict[int, float]:
    """Scores of ``docnums`` (which must match ``query``) under ``query``, by skipping
    one matcher per segment to each of them."""
    scores: dict[int, float] = {}
    pending = sorted(set(docnums))
    for subsearcher, offset in searcher.leaf_searchers():
        size = subsearcher.reader().doc_count_all()
        local = [d - offset for d in pending if offset <= d < offset + size]
        if not local:
            continue
        matcher = query.matcher(subsearcher)
        for docnum in local:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                scores[docnum + offset] = matcher.score()
    return scores


def expand_terms(query: Any, reader: Any, limit: int | None = None) -> Any:
    """The query with each prefix, wildcard or fuzzy term replaced by an Or of the words it
    expands to in the whole index (the ``limit`` most frequent ones, when given).

    Whoosh expands such terms segment by segment, and a fuzzy term on a multi-segment
    index matched nothing at all (whoosh3 3.54); scoring the expanded query avoids both."""
    if isinstance(query, (q.Prefix, q.Wildcard, q.FuzzyTerm, q.Variations)):
        words = list(query._btexts(reader))
        if limit is not None:
            words = sorted(words, key=lambda w: -reader.doc_frequency(query.fieldname, w))
            words = words[:limit]
        terms = [q.Term(query.fieldname, w, boost=query.boost) for w in words]
        return q.Or(terms) if terms else q.NullQuery
    if hasattr(query, "subqueries"):
        clone = query.copy()
        clone.subqueries = [expand_terms(sub, reader, limit) for sub in query.subqueries]
        return clone
    if isinstance(query, q.Not):
        return q.Not(expand_terms(query.query, reader, limit))
    return query
