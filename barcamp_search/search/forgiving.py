"""Forgiving queries: what people type -> the query texts that are searched.

Three relaxations of the query text, applied before it is parsed (so they work with the
whole query language: fields, phrases, ``OR`` and ``NOT`` are left as they are):

- **synonyms** (``search.synonyms``): a word, or words in a row, also match their
  synonyms: ``rpi`` finds ``raspberry pi``, ``ia`` finds ``intelligence artificielle``;
- **typos**: a plain word of 5 letters or more that the archive's vocabulary (the
  ``spell`` field: every word of every post as written, accents and case folded for
  matching) does not contain also matches the vocabulary's words within 1 edit (5-8
  letters) or 2 (9 and more), a transposition counting as one (optimal string alignment,
  computed by rapidfuzz); a query whose words all exist is never changed;
- **the unfinished last word** (no space after it, 2 letters or more) also matches the
  vocabulary's most frequent words it begins: always in as-you-type mode (``instant``),
  otherwise when it is no whole word of the vocabulary. As you type, a last word that
  begins words of the vocabulary is completed, not corrected (``hetting`` finds
  ``hettinger``, not ``getting``).

``rewrite`` returns two texts: ``exact`` (as typed, with synonyms) and ``relaxed`` (plus
corrections and completions, or None when there is nothing to relax). The engine counts
the posts of ``relaxed`` and ranks those matching ``exact`` first, so posts matching the
words as typed always come before posts found only through a correction.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from barcamp_search.indexer.analysis import fold, has_cjk
from barcamp_search.search.query import STOP_WORDS
from barcamp_search.search.synonyms import Synonyms

MIN_TYPO_LENGTH = 5  # shorter words are never corrected
TWO_EDITS_LENGTH = 9  # from this length, two edits
MIN_PREFIX = 2
CORRECTIONS = 4  # vocabulary words a misspelt word also matches, closest and most used first
COMPLETIONS = 8  # words an unfinished word also matches, most used first
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_TOKEN = re.compile(r'"[^"]*"?|\S+')
_PLAIN = re.compile(r"[^\W_][\w.'’+#-]*", re.UNICODE)
_LETTERS = re.compile(r"[^\W\d_]+")
_WORDS = re.compile(r"[^\W_]+(?: [^\W_]+)+")  # words of letters and digits only


class Vocabulary:
    """The archive's words as written (the ``spell`` field), folded for matching, with the
    number of posts each is in. Built once per searcher, when a query first needs it."""

    def __init__(self, words: Iterable[tuple[str, int]]) -> None:
        best: dict[str, tuple[int, str]] = {}  # folded -> (posts, most used spelling)
        for word, posts in words:
            key = fold(word)
            if posts > best.get(key, (0, ""))[0]:
                best[key] = (posts, word)
        self._posts = {key: posts for key, (posts, _) in best.items()}
        self._written = {key: word for key, (_, word) in best.items()}
        self._sorted = sorted(best)
        self._by_length: dict[int, list[str]] = {}
        for key in self._sorted:
            self._by_length.setdefault(len(key), []).append(key)

    @classmethod
    def of_reader(cls, reader: Any) -> Vocabulary:
        """The vocabulary of an index reader's ``spell`` field."""
        if "spell" not in reader.schema:
            return cls(())
        posts: dict[str, int] = {}
        for leaf, _offset in reader.leaf_readers():  # a merged iter_field is 5x slower
            for text, info in leaf.iter_field("spell"):
                word = text.decode("utf-8") if isinstance(text, bytes) else text
                posts[word] = posts.get(word, 0) + info.doc_frequency()
        return cls(posts.items())

    def __len__(self) -> int:
        return len(self._sorted)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and fold(word) in self._posts

    def _within(self, key: str, edits: int) -> list[tuple[int, int, str]]:
        """(distance, -posts, word) of the words within ``edits`` of a folded ``key``."""
        # imported here: a query whose words all exist never needs it (a cold CLI stays fast)
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found: list[tuple[int, int, str]] = []
        for length in range(max(1, len(key) - edits), len(key) + edits + 1):
            choices = self._by_length.get(length)
            if not choices:
                continue
            for choice, distance, _ in process.extract(
                key, choices, scorer=OSA.distance, score_cutoff=edits, limit=None
            ):
                if choice != key:
                    found.append((int(distance), -self._posts[choice], choice))
        return found

    def corrections(self, word: str, limit: int = CORRECTIONS) -> list[str]:
        """Words within the edits allowed for ``word``'s length, closest then most used."""
        key = fold(word)
        edits = allowed_edits(key)
        if not edits:
            return []
        found = sorted(self._within(key, edits))
        return [self._written[choice] for _, _, choice in found[:limit]]

    def nearest(self, word: str, edits: int = 2) -> str | None:
        """The closest word (then the most used) within ``edits`` that begins with the same
        letter, for "did you mean"; None when there is none."""
        key = fold(word)
        found = [item for item in self._within(key, edits) if item[2][:1] == key[:1]]
        return self._written[min(found)[2]] if key and found else None

    def completions(self, prefix: str, limit: int = COMPLETIONS) -> list[str]:
        """The most used words that begin with ``prefix`` (the word itself excluded)."""
        key = fold(prefix)
        if len(key) < MIN_PREFIX:
            return []
        start = bisect.bisect_left(self._sorted, key)
        end = bisect.bisect_left(self._sorted, key + "\uffff")
        words = [w for w in self._sorted[start:end] if w != key]
        words.sort(key=lambda w: (-self._posts[w], w))
        return [self._written[w] for w in words[:limit]]


def allowed_edits(word: str) -> int:
    """Edits a misspelt word may be away from the word meant: 0, 1 (5-8 letters) or 2."""
    letters = len(word)
    return 0 if letters < MIN_TYPO_LENGTH else 1 if letters < TWO_EDITS_LENGTH else 2


@dataclass(frozen=True)
class Rewrite:
    exact: str  # the text as typed, with synonyms
    relaxed: str | None  # with corrections and completions too (None: nothing relaxed)
    corrected: str | None  # the query as corrected, to show ("django" for "djnago")
    corrections: tuple[tuple[str, str], ...]  # (typed, the correction shown)


@dataclass
class _Token:
    text: str
    start: int
    end: int
    plain: bool  # a word that can be relaxed (no field, operator, pattern or phrase)
    core: str = ""  # the word without parentheses around it
    before: str = ""
    after: str = ""


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        stripped = raw.lstrip("(")
        before = raw[: len(raw) - len(stripped)]
        core = stripped.rstrip(")")
        after = stripped[len(core) :]
        plain = (
            not raw.startswith('"')
            and core not in OPERATORS
            and ":" not in core
            # an apostrophe is no syntax (the parser has no single quotes): d'emploi is a word
            and not any(c in core for c in '*?~^"')
            and bool(_PLAIN.fullmatch(core))
        )
        tokens.append(_Token(raw, match.start(), match.end(), plain, core, before, after))
    return tokens


def _alternatives(words: list[str]) -> str:
    """``(typed OR alt OR "two words")`` for a word or words and their alternatives."""
    parts = []
    for word in dict.fromkeys(words):
        parts.append(f'"{word}"' if " " in word else word)
    return "(" + " OR ".join(parts) + ")"


def _squeezed(text: str) -> str:
    """Without spaces and joiners: ``micro-python`` and ``micro python`` are ``micropython``
    to the analysis already (an alternative that only re-spells them would count twice)."""
    return re.sub(r"[\s.'’-]+", "", fold(text))


def _in_a_row(words: str) -> str:
    """A synonym of several words: the phrase, or the words joined by hyphens. The index
    keeps ``Raspberry-Pi`` as one compound (``raspberrypi``, ``raspberry`` and ``pi`` at one
    position), which the phrase ``"raspberry pi"`` misses and ``raspberry-pi`` finds."""
    if _WORDS.fullmatch(words):
        return f'"{words}" OR {words.replace(" ", "-")}'
    return f'"{words}"'


def _searchable(word: str) -> bool:
    """An alternative worth adding: not a stop word (the parser drops those, and a dropped
    word inside ``a OR b`` would change the query's meaning)."""
    return " " in word or word.lower() not in STOP_WORDS


def rewrite(
    text: str,
    vocabulary: Callable[[], Vocabulary],
    known: Callable[[str], bool],
    synonyms: Synonyms | None,
    typos: bool = True,
    instant: bool = False,
) -> Rewrite:
    """The texts to search for ``text`` (see the module doc). ``known(word)`` says quickly
    whether a word is in the vocabulary as written; ``vocabulary()`` builds the folded one
    only when a word is not."""
    tokens = _tokens(text)
    exact_parts: dict[int, str] = {}  # token index -> replacement in the exact text
    skip: set[int] = set()
    if synonyms is not None:
        _apply_synonyms(tokens, synonyms, exact_parts, skip)
    relaxed_parts: dict[int, str] = {}
    corrections: list[tuple[str, str]] = []
    shown: dict[int, str] = {}
    unfinished = len(tokens) - 1 if tokens and not text[-1:].isspace() else -1
    for index, token in enumerate(tokens):
        if not token.plain or index in skip or has_cjk(token.core):
            continue  # (CJK text is searched as bigrams: no typos, no prefixes)
        word = token.core
        # the spell field has words of 3 letters or more, letters only: others are taken
        # as known (a query never relaxes what it cannot check)
        is_known = (
            not _LETTERS.fullmatch(word)
            or len(word) < 3
            or known(word.lower())
            or word in vocabulary()
        )
        alternatives: list[str] = []
        if typos and not is_known and _LETTERS.fullmatch(word):
            found = [w for w in vocabulary().corrections(word) if _searchable(w)]
            if found:
                alternatives += found
                corrections.append((word, found[0]))
                shown[index] = found[0]
        if index == unfinished and len(word) >= MIN_PREFIX and (instant or not is_known):
            completions = [w for w in vocabulary().completions(word) if _searchable(w)]
            if completions:  # still being typed: completed, not corrected
                shown.pop(index, None)
                corrections[:] = [c for c in corrections if c[0] != word]
                if instant:  # a word's beginning, not a typo: "hetting" is no "getting"
                    alternatives = []
            alternatives += completions
        if alternatives:
            relaxed_parts[index] = token.before + _alternatives([word, *alternatives]) + token.after
    exact = _join(text, tokens, exact_parts)
    relaxed = _join(text, tokens, {**exact_parts, **relaxed_parts}) if relaxed_parts else None
    corrected = None
    if shown:
        corrected = _join(
            text, tokens, {i: tokens[i].before + w + tokens[i].after for i, w in shown.items()}
        )
    return Rewrite(exact, relaxed, corrected, tuple(corrections))


def _apply_synonyms(
    tokens: list[_Token], synonyms: Synonyms, parts: dict[int, str], skip: set[int]
) -> None:
    """Runs of plain words in a row -> their synonyms, in ``parts`` (the run's first token
    carries the group, the others are emptied) and ``skip`` (not corrected)."""
    index = 0
    while index < len(tokens):
        if not tokens[index].plain or tokens[index].before or tokens[index].after:
            index += 1
            continue
        end = index
        while (
            end < len(tokens)
            and tokens[end].plain
            and not tokens[end].before
            and (end == index or not tokens[end - 1].after)
        ):
            end += 1
        run = tokens[index:end]
        for match in synonyms.find([t.core for t in run]):
            first, last = index + match.start, index + match.end - 1
            typed = " ".join(t.core for t in tokens[first : last + 1])
            group = [f"({typed})" if " " in typed else typed]
            group += [
                " ".join(w)
                for w in match.alternatives
                if _searchable(" ".join(w)) and _squeezed(" ".join(w)) != _squeezed(typed)
            ]
            if len(group) == 1:
                continue
            parts[first] = (
                "("
                + " OR ".join(
                    g if not (" " in g and not g.startswith("(")) else _in_a_row(g) for g in group
                )
                + ")"
            )
            for position in range(first + 1, last + 1):
                parts[position] = ""
            skip.update(range(first, last + 1))
        index = end


def _join(text: str, tokens: list[_Token], parts: dict[int, str]) -> str:
    out = []
    position = 0
    for index, token in enumerate(tokens):
        out.append(text[position : token.start])
        out.append(parts.get(index, token.text))
        position = token.end
    out.append(text[position:])
    return re.sub(r"\s+", " ", "".join(out)).strip() if parts else text
