"""The post table of a searcher: grouping hits by post and counting facets by post.

Built once per opened searcher (so once per index generation), from the
``post`` column and the facet fields' postings: document -> post ordinal,
post -> date, post -> facet values. Counting a facet over a result set is
then a loop over the matching posts, with no per-query Whoosh grouping and no
scoring.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from whoosh.query import And, Term

from barcamp_search.facets import counted_facets, facet_names
from barcamp_search.indexer.analysis import fold
from barcamp_search.indexer.schema import read_facet_column
from barcamp_search.indexer.whoosh_private import segment_id
from barcamp_search.search.matching import DocSets
from barcamp_search.search.people import group_people

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    value: str
    kind: str  # "title", "tag", "speaker" (or "word", made per request from the vocabulary)
    weight: int  # posts carrying it
    folded: str
    words: tuple[str, ...]
    # a title carried by one post only: that post (its published URL may be None)
    post: tuple[str, str, str | None] | None = None  # (archive, slug, url)


def _completion(
    value: str, kind: str, weight: int, post: tuple[str, str, str | None] | None = None
) -> Completion:
    folded = fold(value)
    words = tuple(re.findall(r"\w[\w.+#-]*", folded))
    return Completion(value, kind, weight, folded, words, post)


TABLES_VERSION = 1
# what a PostTable saves beside its index generation
_SAVED = ("doc_post", "post_keys", "post_doc", "post_date", "section_count", "_values")


class PostTable:
    """document -> post, post -> key, date and facet values, for one opened searcher.

    Building them reads a column value per document (about 0.4 s at 10,000 posts), so
    the first process to open an index generation saves them beside it
    (``tables-N.pickle``, N the Whoosh generation, checked against the segments) and
    later processes load them: a cold ``search`` does not pay for it again."""

    doc_post: list[int]  # document -> post ordinal (-1: a stub)
    post_keys: list[str]
    post_doc: list[int]  # post -> its own document
    post_date: list[int]  # YYYYMMDDHHMM, 0 undated
    section_count: int
    _values: dict[str, list[tuple[str, ...]]]  # facet -> each post's values

    def __init__(
        self,
        searcher: Any,
        sets: DocSets,
        folder: Path | None = None,
        generation: int = -1,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        reader = searcher.reader()
        self._reader = reader
        self.aliases = aliases  # [people.aliases] of the config file
        self._folder, self._generation = folder, generation
        self._facet_data: _FacetData | None = None  # values as shown, spellings, arrays

        def build() -> tuple[Any, ...]:
            self._build(reader, sets)
            self._raw_values()  # reads every facet
            return tuple(getattr(self, name) for name in _SAVED)

        saved = remembered(folder, "tables", generation, reader, build)
        for name, value in zip(_SAVED, saved, strict=True):
            setattr(self, name, value)
        self.post_count = len(self.post_keys)
        self._arrays()
        # each post's documents: its own first, then its sections in index order
        self.post_docs: list[list[int]] = [[d] for d in self.post_doc]
        for docnum, post in enumerate(self.doc_post):
            if post >= 0 and self.post_doc[post] != docnum:
                self.post_docs[post].append(docnum)

    def _build(self, reader: Any, sets: DocSets) -> None:
        size = reader.doc_count_all()
        self.doc_post = [-1] * size
        self.post_keys = []
        self.post_doc = []
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
        for docnum in sections:
            self.doc_post[docnum] = ordinal.get(keys[docnum], -1)
        dates = {} if empty else reader.column_reader("date")
        self.post_date = [dates[d] or 0 for d in self.post_doc]
        self.section_count = len(sections)
        self._values = {}

    def _arrays(self) -> None:
        """The numpy forms of the table, for set-at-a-time work on whole result sets."""
        count = self.post_count
        # document -> post; -1 (a stub) picks the extra last slot of a post mask (False)
        self.doc_post_array = np.array(self.doc_post, dtype=np.int64)
        self.date_array = np.array(self.post_date, dtype=np.int64)
        order = sorted(range(count), key=self.post_keys.__getitem__)
        self.key_rank = np.empty(count, dtype=np.int64)
        self.key_rank[order] = np.arange(count)

    def post_mask(self, posts: Any = None) -> np.ndarray:
        """A boolean array over the posts: those of ``posts`` (all posts when None)."""
        if posts is None:
            return np.ones(self.post_count, dtype=bool)
        if isinstance(posts, np.ndarray):
            return posts
        mask = np.zeros(self.post_count, dtype=bool)
        if posts:
            mask[np.fromiter(posts, dtype=np.int64, count=len(posts))] = True
        return mask

    def posts_mask_of_docs(self, docs: Any) -> np.ndarray:
        """The posts of these documents (a set or a boolean array), as a post mask."""
        mask = np.zeros(self.post_count + 1, dtype=bool)
        if isinstance(docs, np.ndarray):
            mask[self.doc_post_array[docs]] = True
        elif docs:
            ids = np.fromiter(docs, dtype=np.int64, count=len(docs))
            mask[self.doc_post_array[ids]] = True
        return mask[: self.post_count]

    def docs_mask_of_posts(self, posts: np.ndarray) -> np.ndarray:
        """The documents (post and sections) of the posts of a post mask."""
        return np.append(posts, False)[self.doc_post_array]

    def by_date(
        self, posts: np.ndarray, newest: bool = True, limit: int | None = None
    ) -> list[int]:
        """The posts of a mask newest (or oldest) first, undated posts last, ties by source
        (the ``limit`` first when given)."""
        chosen = np.flatnonzero(posts)
        dates = self.date_array[chosen]
        dated, undated = chosen[dates > 0], chosen[dates == 0]
        order = np.lexsort((self.key_rank[dated], self.date_array[dated]))
        if newest:
            order = order[::-1]
        result = dated[order]
        if limit is None or len(result) < limit:
            result = np.concatenate((result, undated[np.argsort(self.key_rank[undated])]))
        return result[:limit].tolist() if limit is not None else result.tolist()

    def _raw_values(self) -> dict[str, list[tuple[str, ...]]]:
        """Each facet's values per post as written, read once from the ``facets`` column
        of the post documents."""
        if not self._values:
            column: Any = self._reader.column_reader("facets") if self.post_doc else {}
            rows = [read_facet_column(column[d]) for d in self.post_doc]
            for index, declared in enumerate(counted_facets()):
                self._values[declared.name] = [
                    row[index] if index < len(row) else () for row in rows
                ]
        return self._values

    def _facets(self) -> _FacetData:
        """Values as shown (people grouped: one name per person, ``search/people.py``),
        the spellings of each person, and the (post, value) arrays counts are made of;
        saved beside the index generation (per ``[people.aliases]`` table): grouping
        the people of 10,000 posts takes most of a second."""
        if self._facet_data is None:
            raw = self._raw_values()

            def build() -> _FacetData:
                archives = [v[0] if v else "" for v in raw.get("archive", [])]
                shown: dict[str, list[tuple[str, ...]]] = {}
                variants: dict[str, tuple[str, ...]] = {}
                for declared in counted_facets():
                    values = raw[declared.name]
                    if declared.merge_case:
                        groups = group_people(values, archives, self.aliases)
                        variants.update(groups.variants)
                        name_of = groups.name_of
                        values = [tuple(dict.fromkeys(map(name_of, v))) for v in values]
                    shown[declared.name] = values
                return shown, variants, {name: _pairs(v) for name, v in shown.items()}

            digest = hashlib.sha1(repr(sorted((self.aliases or {}).items())).encode())
            self._facet_data = remembered(
                self._folder,
                f"facets_{digest.hexdigest()[:10]}",
                self._generation,
                self._reader,
                build,
            )
        return self._facet_data

    @property
    def variants(self) -> dict[str, tuple[str, ...]]:
        """A person's name as shown -> every spelling it gathered."""
        return self._facets()[1]

    def values(self, facet: str) -> list[tuple[str, ...]]:
        """For each post ordinal, its values of ``facet`` (as displayed)."""
        return self._facets()[0][facet]

    def spellings(self, facet: str, value: str) -> list[str]:
        """The other spellings (lower-cased, as indexed) of the person a selected value of a
        people facet names: a filter on a person finds every post its count covers."""
        if facet not in {f.name for f in counted_facets() if f.merge_case}:
            return []
        group = next((v for k, v in self.variants.items() if k.lower() == value), ())
        return [s.lower() for s in group if s.lower() != value]

    def count_array(self, facet: str, posts: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Posts per value of ``facet`` among the posts of a mask: an array of counts by
        value number, and the values."""
        pair_post, pair_value, names, _rank = self.pairs(facet)
        counts = np.bincount(pair_value[posts[pair_post]], minlength=len(names))
        return counts, names

    def pairs(self, facet: str) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
        """(post, value number) of every value a post carries, the values, and the rank of
        each value in case-insensitive order."""
        return self._facets()[2][facet]

    def completions(self, searcher: Any) -> list[Completion]:
        """Tags and speakers (weighted by posts) and post titles, built once per searcher.

        A title carried by a single post keeps that post (archive, slug, published URL),
        so that choosing it can open the post; a title several posts share has none
        (choosing it searches)."""
        if not hasattr(self, "_completions"):
            entries: list[Completion] = []
            for facet in ("tag", "speaker"):
                counter: Counter[str] = Counter()
                for values in self.values(facet):
                    counter.update(values)
                entries += [_completion(v, facet, n) for v, n in counter.items()]
            titles: dict[str, list[tuple[str, str, str | None]]] = {}
            for post in range(self.post_count):
                data = self.post_data(searcher, post)
                titles.setdefault(data["title"], []).append(
                    (data["archive"], data["slug"], data.get("url"))
                )
            entries += [
                _completion(t, "title", len(posts), posts[0] if len(posts) == 1 else None)
                for t, posts in titles.items()
            ]
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
            data["sections"] = [
                {**section, "text": texts.get(section["anchor"], "")}
                for section in data.get("sections", [])
            ]
            return data
        return None


_Pairs = tuple[np.ndarray, np.ndarray, list[str], np.ndarray]
# (values as shown per facet, each person's spellings, the (post, value) arrays per facet)
_FacetData = tuple[dict[str, list[tuple[str, ...]]], dict[str, tuple[str, ...]], dict[str, _Pairs]]


def _pairs(carried: list[tuple[str, ...]]) -> _Pairs:
    """``PostTable.pairs`` of one facet's values per post."""
    numbers: dict[str, int] = {}
    values = [numbers.setdefault(v, len(numbers)) for v in chain.from_iterable(carried)]
    lengths = np.fromiter(map(len, carried), dtype=np.int64, count=len(carried))
    names = list(numbers)
    order = sorted(range(len(names)), key=lambda i: (names[i].casefold(), names[i]))
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return (
        np.repeat(np.arange(len(carried), dtype=np.int64), lengths),
        np.array(values, dtype=np.int64),
        names,
        rank,
    )


def _segments_key(reader: Any, generation: int) -> tuple[Any, ...]:
    segments = []
    for leaf, offset in reader.leaf_readers():
        segments.append((segment_id(leaf), offset, leaf.doc_count_all(), leaf.doc_count()))
    return (TABLES_VERSION, generation, tuple(segments), facet_names())


def _load(path: Path, key: tuple[Any, ...]) -> Any:
    try:
        with open(path, "rb") as handle:
            saved_key, tables = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # unreadable or from another version: rebuilt
        logger.debug("tables %s not used: %s", path, error)
        return None
    return tables if saved_key == key else None


def remembered(
    folder: Path | None, stem: str, generation: int, reader: Any, build: Callable[[], T]
) -> T:
    """What ``build`` makes of this index generation, saved beside it by the first process
    that builds it (``<stem>-N.pickle``) and loaded by the others."""
    if folder is None:
        return build()
    path = folder / f"{stem}-{generation}.pickle"
    key = _segments_key(reader, generation)
    saved = _load(path, key)
    if saved is not None:
        return cast(T, saved)
    value = build()
    _save(path, key, value)
    return value


def _save(path: Path, key: tuple[Any, ...], tables: Any) -> None:
    """Write atomically beside the index; best effort (a read-only index stays usable)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    stem = path.name.rsplit("-", 1)[0]
    try:
        with open(temp, "wb") as handle:
            pickle.dump((key, tables), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        for old in path.parent.glob(f"{stem}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as error:
        logger.debug("tables not saved in %s: %s", path.parent, error)
        with contextlib.suppress(OSError):
            temp.unlink()
