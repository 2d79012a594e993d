"""Synonyms applied at query time (no reindex): the list shipped beside this module
(``synonyms.toml``, whose header documents the format) plus the user's own
``[synonyms]`` table of the config file. The query parser asks :meth:`Synonyms.find`
which runs of the query's words have synonyms, and ORs the alternatives in.

Entries are compared as normalised words (:func:`normalise`): case, accents,
hyphens and apostrophes do not matter, so ``Raspberry-Pi`` is ``raspberry pi``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

Words = tuple[str, ...]

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015'\u2018\u2019\u02bc`/]+")
_EDGE_PUNCTUATION = '.,;:!?()[]{}<>"«»*~=|\\…'
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def normalise(text: str) -> Words:
    """The words of ``text`` as synonyms compare them: case-folded, accents and
    ligatures folded, hyphens, apostrophes and slashes as spaces, surrounding
    punctuation dropped (``C++``, ``C#``, ``node.js`` stay whole)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = (word.strip(_EDGE_PUNCTUATION) for word in _SEPARATORS.split(folded))
    return tuple(word for word in words if word)


@dataclass(frozen=True)
class SynonymMatch:
    """``words[start:end]`` of the query matched an entry; ``alternatives`` are the
    words of the entries it also finds, in the file's order."""

    start: int
    end: int
    alternatives: tuple[Words, ...]


@dataclass(frozen=True)
class Synonyms:
    """Two-way groups and one-way entries, as normalised words, in the file's order
    (build them with :meth:`from_table`, which normalises and validates)."""

    groups: tuple[tuple[Words, ...], ...] = ()
    one_way: tuple[tuple[Words, tuple[Words, ...]], ...] = ()
    _table: Mapping[Words, tuple[Words, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _lengths: Mapping[str, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        table: dict[Words, dict[Words, None]] = {}  # dicts as ordered sets
        for group in self.groups:
            for entry in group:
                table.setdefault(entry, {}).update(dict.fromkeys(group))
        for key, values in self.one_way:
            table.setdefault(key, {}).update(dict.fromkeys(values))
        frozen = {key: tuple(alt for alt in alts if alt != key) for key, alts in table.items()}
        lengths: dict[str, set[int]] = {}
        for key in frozen:
            lengths.setdefault(key[0], set()).add(len(key))
        longest_first = {
            first: tuple(sorted(sizes, reverse=True)) for first, sizes in lengths.items()
        }
        object.__setattr__(self, "_table", MappingProxyType(frozen))
        object.__setattr__(self, "_lengths", MappingProxyType(longest_first))

    def __len__(self) -> int:
        """The number of two-way groups plus one-way entries."""
        return len(self.groups) + len(self.one_way)

    def alternatives(self, text: str | Sequence[str]) -> tuple[Words, ...]:
        """What the entry ``text`` (a string or its words) also finds; () if it is none."""
        words = normalise(text if isinstance(text, str) else " ".join(text))
        return self._table.get(words, ())

    def find(self, words: Sequence[str]) -> list[SynonymMatch]:
        """The runs of ``words`` (a query's plain words, in order) that are entries:
        greedy longest matches, left to right, not overlapping. A word the
        normaliser splits (``raspberry-pi``) can match a multi-word entry whole."""
        flat: list[str] = []
        starts: list[int] = []  # starts[k]: where word k begins in flat
        for word in words:
            starts.append(len(flat))
            flat.extend(normalise(word))
        starts.append(len(flat))
        matches: list[SynonymMatch] = []
        index = 0
        while index < len(words):
            found = self._longest(flat, starts, index)
            if found is None:
                index += 1
            else:
                matches.append(found)
                index = found.end
        return matches

    def _longest(self, flat: list[str], starts: list[int], index: int) -> SynonymMatch | None:
        """The longest entry starting at word ``index`` and ending at a word's end."""
        position = starts[index]
        if position == starts[index + 1]:  # a word with nothing to match ("-")
            return None
        for size in self._lengths.get(flat[position], ()):
            stop = position + size
            end = bisect_left(starts, stop, lo=index + 1)
            if end == len(starts) or starts[end] != stop:
                continue  # runs past the query or stops inside a word
            candidate = tuple(flat[position:stop])
            if candidate in self._table:
                return SynonymMatch(index, end, self._table[candidate])
        return None

    def merged(self, other: Synonyms) -> Synonyms:
        """These synonyms with ``other``'s added after them."""
        return Synonyms(self.groups + other.groups, self.one_way + other.one_way)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], source: str = "synonyms") -> Synonyms:
        """Validated synonyms from a table as ``tomllib`` parses it; ``ValueError``
        names the faulty entry (``synonyms: groups[3] must be ...``)."""
        if not isinstance(table, Mapping):
            raise ValueError(f"{source}: must be a table with 'groups' and/or 'one_way'")
        for key in table:
            if key not in ("groups", "one_way"):
                raise ValueError(f"{source}: unknown key {key!r} (expected 'groups' or 'one_way')")
        raw_groups = table.get("groups", [])
        if not isinstance(raw_groups, list):
            raise ValueError(f"{source}: groups must be a list of lists of words")
        groups = []
        for number, raw in enumerate(raw_groups):
            entries = _entries(raw, f"{source}: groups[{number}]")
            if len(entries) < 2:
                raise ValueError(
                    f"{source}: groups[{number}] must be a list of at least two different words"
                )
            groups.append(entries)
        raw_one_way = table.get("one_way", {})
        if not isinstance(raw_one_way, Mapping):
            raise ValueError(f"{source}: one_way must be a table of word = [words]")
        one_way = []
        for key, raw in raw_one_way.items():
            if not isinstance(key, str):
                raise ValueError(f"{source}: one_way key {key!r} must be a string")
            name = f"{source}: one_way.{key if _BARE_KEY.match(key) else repr(key)}"
            words = normalise(key)
            if not words:
                raise ValueError(f"{name} has no word in its key")
            values = tuple(entry for entry in _entries(raw, name) if entry != words)
            if not values:
                raise ValueError(f"{name} must be a list of at least one other word")
            one_way.append((words, values))
        return cls(tuple(groups), tuple(one_way))


def _entries(raw: object, name: str) -> tuple[Words, ...]:
    """The distinct normalised entries of one list (a lone string is a list of one)."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ValueError(f"{name} must be a list of words, not {type(raw).__name__}")
    entries: dict[Words, None] = {}
    for number, entry in enumerate(raw):
        words = normalise(entry) if isinstance(entry, str) else ()
        if not words:
            raise ValueError(f"{name}[{number}] must be a non-empty string, not {entry!r}")
        entries[words] = None
    return tuple(entries)


@lru_cache(maxsize=1)
def shipped_synonyms() -> Synonyms:
    """The list shipped with the package (``barcamp_search/search/synonyms.toml``)."""
    text = (
        resources.files("barcamp_search.search")
        .joinpath("synonyms.toml")
        .read_text(encoding="utf-8")
    )
    return Synonyms.from_table(tomllib.loads(text), source="synonyms.toml")


def load_synonyms(user: Mapping[str, Any] | None = None) -> Synonyms:
    """The shipped synonyms plus ``user``'s (the config file's ``[synonyms]`` table).
    Raises ``ValueError`` naming the entry when the user table is malformed."""
    shipped = shipped_synonyms()
    extra = Synonyms() if user is None else Synonyms.from_table(user)
    return shipped.merged(extra) if len(extra) else shipped
