"""The fast paths of search: which documents match, and how well the shown ones score.

Whoosh answers "which documents match" by stepping a tree of matchers one
document at a time, in Python; counting facets over a whole result set that
way cost most of a query. Here a query is evaluated as *sets* instead:
each term's posting list is read block by block into a set of document
numbers (cached per searcher), and And/Or/Not become C-level set operations.
Query types without a set form (phrases, ranges) fall back to Whoosh's own
``docs_for_query``, so results are exactly Whoosh's.

``DocSets.scores`` ranks the same way: each term's postings are read with
their weights and scored with Whoosh's own BM25F formula against the stored
field lengths, and the query tree combines the per-term scores as Whoosh's
matchers would (sums for And/Or, the Not constant, boosts). Whoosh's top-k
search steps a matcher tree per document and cannot prune the near-constant
scores of a common word; this reads each posting once.
``score_documents`` scores a few chosen documents by skipping one matcher
tree to each of them: the fallback for query types without a set form.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import query as q
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from barcamp_search.indexer.whoosh_private import (
    expansions,
    field_b,
    length_bytes,
    posting_arrays,
    posting_positions,
    term_documents,
)

# Posting sets kept per searcher (most queries share common words), bounded by their total
# size: a set of 60,000 document numbers weighs about 3 MB, a serving worker must stay small.
TERM_CACHE = 2048
TERM_CACHE_DOCS = 600_000
SCORE_CACHE_POSTINGS = 600_000  # about 12 bytes each
EXPANSION_CACHE = 256
MULTI_TERMS = (q.Prefix, q.Wildcard, q.FuzzyTerm, q.Variations)  # expand to many words


class DocSets:
    """Set-at-a-time evaluation of queries for one searcher."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = self.reader.leaf_readers()
        self._terms: OrderedDict[tuple[str, bytes | str], frozenset[int]] = OrderedDict()
        self._cached_docs = 0
        self._all: frozenset[int] | None = None
        self._norms: dict[tuple[int, str], tuple[np.ndarray, np.ndarray] | None] = {}
        # per term: (document numbers, unboosted scores), bounded like the sets
        self._scored: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.size = self.reader.doc_count_all()
        self._scored_postings = 0
        self._expansions: OrderedDict[tuple[Any, ...], list[bytes]] = OrderedDict()

    def expand(self, query: Any) -> list[bytes]:
        """The words a prefix, wildcard or fuzzy term stands for in this index (cached:
        a fuzzy term compares itself with the whole vocabulary)."""
        key = (
            type(query).__name__,
            query.fieldname,
            query.text,
            getattr(query, "maxdist", None),
            getattr(query, "prefixlength", None),
        )
        found = self._expansions.get(key)
        if found is None:
            found = expansions(query, self.reader)
            self._expansions[key] = found
            if len(self._expansions) > EXPANSION_CACHE:
                self._expansions.popitem(last=False)
        return found

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
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if cache and field is not None and field.scorable:
            # a word of the text fields: it will be ranked too, read it once for both
            try:
                btext = text if isinstance(text, bytes) else field.to_bytes(text)
            except ValueError:
                btext = None
            if btext is not None:
                found = frozenset(self._scored_term(fieldname, btext)[0].tolist())
                return self._remember(key, found)
        found = frozenset(term_documents(self.leaves, fieldname, text))
        return self._remember(key, found) if cache else found

    def _remember(self, key: tuple[str, bytes | str], found: frozenset[int]) -> frozenset[int]:
        self._terms[key] = found
        self._cached_docs += len(found)
        while len(self._terms) > 1 and (
            len(self._terms) > TERM_CACHE or self._cached_docs > TERM_CACHE_DOCS
        ):
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
        if isinstance(query, MULTI_TERMS):
            expanded: set[int] = set()
            for btext in self.expand(query):  # the words it expands to
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
        if _simple_phrase(query, self.searcher.schema):
            return self._phrase_docs(query)
        # Numeric ranges, sloppy phrases and anything else: Whoosh's own matching.
        return set(self.searcher.docs_for_query(query))

    def _phrase_docs(self, query: Any) -> set[int]:
        """Documents where the phrase's words follow each other (Whoosh's SpanNear2 with
        slop 1): the intersection of the words' posting sets, then their positions."""
        field = self.searcher.schema[query.fieldname]
        words = [field.to_bytes(word) for word in query.words]
        # cached like a word: reading positions is the slow part of a phrase
        key = (query.fieldname, "\x00" + " ".join(w.decode("utf-8", "replace") for w in words))
        known = self._terms.get(key)
        if known is not None:
            self._terms.move_to_end(key)
            return set(known)
        found = self._phrase_positions(query.fieldname, field, words)
        self._remember(key, frozenset(found))
        return found

    def _phrase_positions(self, fieldname: str, field: Any, words: list[bytes]) -> set[int]:
        sets: list[frozenset[int]] = [self.term(fieldname, word) for word in words]
        smallest = min(sets, key=len)
        candidates = set(smallest).intersection(*sets)
        if not candidates:
            return candidates
        found: set[int] = set()
        for reader, offset in self.leaves:
            local = {
                d - offset for d in candidates if offset <= d < offset + reader.doc_count_all()
            }
            if not local:
                continue
            positions = [
                posting_positions(reader, fieldname, word, field.format.decode_positions, local)
                for word in words
            ]
            for docnum in local:
                following = [set(by_doc.get(docnum, ())) for by_doc in positions[1:]]
                for start in positions[0].get(docnum, ()):
                    if all(start + i in places for i, places in enumerate(following, 1)):
                        found.add(docnum + offset)
                        break
        return found

    def scores(
        self, query: Any, within: set[int] | frozenset[int] | None = None
    ) -> dict[int, float]:
        """The score of every document matching ``query`` (of those in ``within``, when
        given), equal to the one Whoosh's matchers give it, up to the order of float sums."""
        if isinstance(query, q.Term):
            return self._term_scores(query.fieldname, query.text, query.boost, within)
        if query is q.NullQuery:
            return {}
        subs: list[Any] = getattr(query, "subqueries", None) or []
        if isinstance(query, (q.And, q.Or)) and len(subs) == 1:
            return self.scores(subs[0], within)  # Whoosh ignores the boost here as well
        result: dict[int, float]
        if type(query) is q.Or and not query.scale and not query.minmatch:
            parts = sorted((self.scores(child, within) for child in subs), key=len, reverse=True)
            result = parts[0] if len(parts) == 1 else dict(parts[0])
            for part in parts[1:]:
                for docnum, score in part.items():
                    result[docnum] = result.get(docnum, 0.0) + score
        elif type(query) is q.And:
            docs = self._matching(query, within)
            result = dict.fromkeys(docs, 0.0)
            for child in subs:
                if isinstance(child, q.Not):  # an InverseMatcher: weight 1.0 everywhere
                    for docnum in result:
                        result[docnum] += 1.0
                    continue
                child_scores = self.scores(child, docs)
                for docnum in result:
                    result[docnum] += child_scores[docnum]
        elif isinstance(query, (q.AndNot, q.Require)):
            # only the first clause scores
            return self.scores(query.a, self._matching(query, within))
        elif isinstance(query, q.AndMaybe):
            result = self.scores(query.a, within)
            for docnum, score in self.scores(query.b, set(result)).items():
                result[docnum] += score
            return result
        elif _simple_phrase(query, self.searcher.schema):
            # SpanNear2 scores with the intersection of its words: their scores summed
            docs = self._matching(query, within)
            result = dict.fromkeys(docs, 0.0)
            field = self.searcher.schema[query.fieldname]
            for word in query.words:
                word_scores = self._term_scores(query.fieldname, field.to_bytes(word), 1.0, docs)
                for docnum in result:
                    result[docnum] += word_scores[docnum]
        else:  # ranges, sloppy phrases...: Whoosh's matchers, on the matching documents only
            return score_documents(self.searcher, query, list(self._matching(query, within)))
        if query.boost != 1.0:
            boost = query.boost
            result = {docnum: score * boost for docnum, score in result.items()}
        return result

    def _matching(self, query: Any, within: set[int] | frozenset[int] | None) -> set[int]:
        docs = set(self.docs(query))
        return docs if within is None else docs & within

    def _term_scores(
        self, fieldname: str, text: Any, boost: float, within: set[int] | frozenset[int] | None
    ) -> dict[int, float]:
        searcher = self.searcher
        schema = searcher.schema
        if fieldname not in schema:
            return {}
        field = schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return {}
        if field.scorable and type(searcher.weighting) is not BM25F:  # another model
            query = q.Term(fieldname, text, boost=boost)
            docs = self.term(fieldname, btext)
            return score_documents(searcher, query, list(docs if within is None else docs & within))
        ids, unboosted = self._scored_term(fieldname, btext)
        values = unboosted if boost == 1.0 else unboosted * boost
        if within is None:
            return dict(zip(ids.tolist(), values.tolist(), strict=True))
        return {d: v for d, v in zip(ids.tolist(), values.tolist(), strict=True) if d in within}

    def vector(self, query: Any) -> tuple[np.ndarray, np.ndarray]:
        """``scores`` as two arrays over all documents: each one's score (0.0 where it does
        not match) and whether it matches. The same sums as ``scores``, done by numpy:
        ranking a common word over a whole index costs a few array operations."""
        scores = np.zeros(self.size)
        hit = np.zeros(self.size, dtype=bool)
        subs: list[Any] = getattr(query, "subqueries", None) or []
        if isinstance(query, q.Term) and self._vector_term(query, scores, hit):
            return scores, hit
        if query is q.NullQuery:
            return scores, hit
        if isinstance(query, (q.And, q.Or)) and len(subs) == 1:
            return self.vector(subs[0])  # Whoosh ignores the boost here as well
        if type(query) is q.Or and not query.scale and not query.minmatch:
            for child in subs:
                if isinstance(child, q.Term) and self._vector_term(child, scores, hit):
                    continue
                child_scores, child_hit = self.vector(child)
                scores += child_scores
                hit |= child_hit
        elif type(query) is q.And:
            hit[:] = True
            for child in subs:
                if isinstance(child, q.Not):  # an InverseMatcher: weight 1.0 everywhere
                    hit &= ~self.mask(child.query)
                    scores += 1.0
                    continue
                child_scores, child_hit = self.vector(child)
                scores += child_scores
                hit &= child_hit
            scores[~hit] = 0.0
        elif (
            _simple_phrase(query, self.searcher.schema) and type(self.searcher.weighting) is BM25F
        ):  # SpanNear2 scores with the sum of its words' scores
            hit = self.mask(query)
            field = self.searcher.schema[query.fieldname]
            for word in query.words:
                ids, unboosted = self._scored_term(query.fieldname, field.to_bytes(word))
                scores[ids] += unboosted
            scores[~hit] = 0.0
        else:  # everything else: the dictionary form
            found = self.scores(query)
            if found:
                ids = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
                scores[ids] = np.fromiter(found.values(), dtype=np.float64, count=len(found))
                hit[ids] = True
            return scores, hit
        if query.boost != 1.0:
            scores *= query.boost
        return scores, hit

    def _vector_term(self, query: Any, scores: np.ndarray, hit: np.ndarray) -> bool:
        """Add a BM25F-scored word's scores in place; False for any other kind of term."""
        schema = self.searcher.schema
        if query.fieldname not in schema or type(self.searcher.weighting) is not BM25F:
            return False
        field = schema[query.fieldname]
        try:
            btext = field.to_bytes(query.text)
        except ValueError:
            return True  # a value this field cannot hold: matches nothing
        ids, unboosted = self._scored_term(query.fieldname, btext)
        scores[ids] += unboosted if query.boost == 1.0 else unboosted * query.boost
        hit[ids] = True
        return True

    def mask(self, query: Any) -> np.ndarray:
        """The documents matching ``query`` (``docs``) as a boolean array, by array
        operations for words, prefixes and And/Or/Not of them."""
        mask = np.zeros(self.size, dtype=bool)
        if isinstance(query, q.Term) and self._mask_term(query.fieldname, query.text, mask):
            return mask
        if isinstance(query, MULTI_TERMS):
            for btext in self.expand(query):
                if not self._mask_term(query.fieldname, btext, mask):
                    mask[self._ids(self.term(query.fieldname, btext))] = True
            return mask
        if type(query) in (q.Or, q.DisjunctionMax):
            for child in query.subqueries:
                if not (
                    isinstance(child, q.Term) and self._mask_term(child.fieldname, child.text, mask)
                ):
                    mask |= self.mask(child)
            return mask
        if type(query) is q.And:
            mask[:] = True
            for child in query.subqueries:
                if isinstance(child, q.Not):
                    mask &= ~self.mask(child.query)
                else:
                    mask &= self.mask(child)
            return mask
        mask[self._ids(self.docs(query))] = True
        return mask

    @staticmethod
    def _ids(found: Any) -> np.ndarray:
        return np.fromiter(found, dtype=np.int64, count=len(found))

    def _mask_term(self, fieldname: str, text: Any, mask: np.ndarray) -> bool:
        """Set a scorable word's documents in ``mask``; False for any other term."""
        field = self.searcher.schema[fieldname] if fieldname in self.searcher.schema else None
        if field is None or not field.scorable:
            return False
        try:
            btext = text if isinstance(text, bytes) else field.to_bytes(text)
        except ValueError:
            return True  # a value this field cannot hold: matches nothing
        mask[self._scored_term(fieldname, btext)[0]] = True
        return True

    def _scored_term(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Every document containing a term and its unboosted score, cached."""
        key = (fieldname, btext)
        found = self._scored.get(key)
        if found is not None:
            self._scored.move_to_end(key)
            return found
        searcher = self.searcher
        field = searcher.schema[fieldname]
        id_parts: list[Any] = []
        value_parts: list[Any] = []
        if field.scorable:
            weighting = searcher.weighting
            idf = searcher.idf(fieldname, btext)
            avgfl = searcher.avg_field_length(fieldname) or 1
            B = field_b(weighting, fieldname)
            K1 = weighting.K1
            K1_1 = K1 + 1
        for index, (reader, offset) in enumerate(self.leaves):
            if (fieldname, btext) not in reader:
                continue
            local, weights = posting_arrays(reader, fieldname, btext)
            local_ids = np.asarray(local, dtype=np.int64)
            id_parts.append(local_ids + offset if offset else local_ids)
            tf = np.asarray(weights, dtype=np.float64)
            if not field.scorable:  # WeightScorer: the weight itself
                value_parts.append(tf)
                continue
            norms = self._field_norms(index, reader, fieldname, avgfl, B, K1)
            if norms is None:  # no stored lengths: Whoosh's default length of 1
                norm: Any = K1 * ((1 - B) + B * 1 / avgfl)
            else:  # whoosh.scoring.bm25(idf, tf, fl, avgfl, B, K1), the same float ops
                lengths, table = norms
                norm = table[lengths[local_ids]]
            value_parts.append(idf * ((tf * K1_1) / (tf + norm)))
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int64)
        values = np.concatenate(value_parts) if value_parts else np.zeros(0)
        self._scored[key] = (ids, values)
        self._scored_postings += len(ids)
        while len(self._scored) > 1 and self._scored_postings > SCORE_CACHE_POSTINGS:
            _key, (evicted, _values) = self._scored.popitem(last=False)
            self._scored_postings -= len(evicted)
        return ids, values

    def _field_norms(
        self, index: int, reader: Any, fieldname: str, avgfl: float, B: float, K1: float
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """A segment's length bytes for a field and the BM25 length term of each byte."""
        key = (index, fieldname)
        if key not in self._norms:
            lengths = length_bytes(reader, fieldname)
            table = np.array(
                [K1 * ((1 - B) + B * (byte_to_length(b) if b else 1) / avgfl) for b in range(256)]
            )
            self._norms[key] = (
                None if lengths is None else (np.frombuffer(lengths, dtype=np.uint8), table)
            )
        return self._norms[key]


def _simple_phrase(query: Any, schema: Any) -> bool:
    """A phrase this module matches itself: words in a row (slop 1), positions stored."""
    if not isinstance(query, q.Phrase) or query.slop != 1 or len(query.words) < 2:
        return False
    if query.fieldname not in schema:
        return False
    fmt = schema[query.fieldname].format
    return bool(fmt and fmt.supports("positions") and hasattr(fmt, "decode_positions"))


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


def expand_terms(
    query: Any, reader: Any, limit: int | None = None, sets: DocSets | None = None
) -> Any:
    """The query with each prefix, wildcard or fuzzy term replaced by an Or of the words it
    expands to in the whole index (the ``limit`` most frequent ones, when given).

    Whoosh expands such terms segment by segment, and a fuzzy term on a multi-segment
    index matched nothing at all (whoosh3 3.54); scoring the expanded query avoids both."""
    if isinstance(query, MULTI_TERMS):
        words = sets.expand(query) if sets is not None else expansions(query, reader)
        if limit is not None:
            words = sorted(words, key=lambda w: -reader.doc_frequency(query.fieldname, w))
            words = words[:limit]
        terms = [q.Term(query.fieldname, w, boost=query.boost) for w in words]
        return q.Or(terms) if terms else q.NullQuery
    if hasattr(query, "subqueries"):
        clone = copy.copy(query)  # shallow: its subqueries are replaced
        clone.subqueries = [expand_terms(sub, reader, limit, sets) for sub in query.subqueries]
        return clone
    if isinstance(query, q.Not):
        return q.Not(expand_terms(query.query, reader, limit, sets))
    return query
