"""Highlighted snippets and titles: escaped text with ``<mark>`` around the matched words.

A word of the text is marked when one of the forms it is indexed under (the analysis
of ``indexer.analysis``: compounds split, light stem, accents folded) is one of the
query's indexed words. Each distinct word is analysed once per process (a cache),
so marking a section costs one regular-expression pass over its text and a dict
look-up per word, not a run of the analyzer chain.

A snippet is the best one or two windows of about ``SNIPPET_CHARS`` characters (the
most distinct query words, then the most matches), each widened to the start of its
sentence when that is near and otherwise cut at a word boundary, with "…" wherever
text was left out. The only markup is our own ``<mark>``: everything else is
HTML-escaped after slicing the original text, so no entity is ever split.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import cache

from barcamp_search.indexer.analysis import (
    TOKEN_RE,
    LanguageAnalyzer,
    index_language,
    word_stemmer,
)

SNIPPET_CHARS = 240
SURROUND = 70  # characters of context kept before the first and after the last match
FRAGMENTS = 2
ELLIPSIS = "…"
_SENTENCE_END = re.compile(r"[.!?…:;](?:\s+|$)")
WORD_CACHE = 200_000


_FORMS: dict[str, dict[str, frozenset[str]]] = {}  # lang -> word -> its indexed forms
_JOINED = re.compile(r"[^\W\d_]{2,10}\d{1,4}")  # "pep8": "PEP 8" in a text


def _word_forms(lang: str, lowered: str) -> frozenset[str]:
    """The indexed forms of one lower-cased word of the text (none for a stop word),
    cached per process (bounded)."""
    cache = _FORMS.setdefault(lang, {})
    found = cache.get(lowered)
    if found is None:
        if len(cache) >= WORD_CACHE:
            cache.clear()
        found = cache[lowered] = frozenset(_analyzer(lang).index_positions(lowered))
    return found


@cache
def _analyzer(lang: str) -> LanguageAnalyzer:
    return LanguageAnalyzer(lang)


def matches(text: str, terms: frozenset[str], lang: str) -> list[tuple[int, int, str]]:
    """(start, end, indexed form) of each word of ``text`` that matches one of ``terms``.

    Each distinct word of the text is looked up once, then the text is walked for the
    words that matched."""
    if not terms:
        return []
    lang = index_language(lang)
    lowered = text.lower()
    if len(lowered) != len(text) or any(_JOINED.fullmatch(term) for term in terms):
        return _matches_word_by_word(text, terms, lang)
    hits: dict[str, str] = {}
    for word in set(TOKEN_RE.findall(lowered)):
        common = _word_forms(lang, word) & terms
        if common:
            hits[word] = min(common)
    if not hits:
        return []
    return [
        (match.start(), match.end(), hits[match.group()])
        for match in TOKEN_RE.finditer(lowered)
        if match.group() in hits
    ]


def _matches_word_by_word(
    text: str, terms: frozenset[str], lang: str
) -> list[tuple[int, int, str]]:
    """``matches`` one word at a time: a lower-casing that changes lengths, or a query word
    such as ``pep8`` that a text writes in two (``PEP 8``)."""
    found: list[tuple[int, int, str]] = []
    previous: str | None = None
    for match in TOKEN_RE.finditer(text):
        lowered = match.group(0).lower()
        common = _word_forms(lang, lowered) & terms
        hit = min(common) if common else None
        if hit is None and previous is not None and lowered.isdigit() and len(lowered) <= 4:
            joined = word_stemmer(lang)(previous + lowered)
            hit = joined if joined in terms else None
        if hit is not None:
            found.append((match.start(), match.end(), hit))
        previous = lowered if lowered.isalpha() and 2 <= len(lowered) <= 10 else None
    return found


def mark(text: str, terms: frozenset[str], lang: str) -> str:
    """All of ``text``, escaped, with every matching word marked (titles)."""
    return _marked(text, 0, len(text), matches(text, terms, lang))


def snippet_for(text: str, terms: frozenset[str], lang: str) -> str:
    """The best fragments of ``text`` for ``terms`` (indexed forms), or its beginning."""
    text = " ".join(text.split())
    found = matches(text, terms, lang) if text else []
    if not found:
        return html.escape(shorten(text))
    windows = _windows(text, found)
    best = sorted(windows, key=lambda w: (-w[2], -w[3], w[0]))
    chosen: list[tuple[int, int]] = []
    for start, end, _distinct, _count in best:
        if all(end <= s or start >= e for s, e in chosen):
            chosen.append((start, end))
        if len(chosen) == FRAGMENTS:
            break
    parts = []
    for start, end in sorted(chosen):
        start, end = _widen(text, start, end)
        inside = [m for m in found if m[0] >= start and m[1] <= end]
        piece = _marked(text, start, end, inside)
        if start > 0:
            piece = ELLIPSIS + " " + piece
        if end < len(text):
            piece = piece + " " + ELLIPSIS
        parts.append(piece)
    return " ".join(parts).replace(f"{ELLIPSIS} {ELLIPSIS}", ELLIPSIS)


def _windows(text: str, found: list[tuple[int, int, str]]) -> Iterable[tuple[int, int, int, int]]:
    """Candidate windows (start, end, distinct words, matches), one starting at each
    match and holding the matches that follow it within ``SNIPPET_CHARS``."""
    budget = SNIPPET_CHARS - 2 * SURROUND
    for i, (first_start, first_end, form) in enumerate(found):
        last_end = first_end
        forms = {form}
        count = 1
        for _start, end, other in found[i + 1 :]:
            if end - first_start > max(budget, first_end - first_start):
                break
            last_end = end
            forms.add(other)
            count += 1
        room = SNIPPET_CHARS - (last_end - first_start)
        before = min(SURROUND, room // 2) if last_end < len(text) else room
        start = max(0, first_start - before)
        end = min(len(text), start + max(SNIPPET_CHARS, last_end - start))
        yield start, end, len(forms), count


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the edges of a window to a sentence start / word boundaries."""
    if start > 0:
        # the start of the sentence, when it is a little before
        sentence = None
        for found in _SENTENCE_END.finditer(text, max(0, start - SURROUND), start + SURROUND):
            if found.end() <= start + SURROUND // 2:
                sentence = found.end()
        if sentence is not None and sentence < end:
            end = min(len(text), end + max(0, start - sentence))
            start = sentence
        else:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        stop = _SENTENCE_END.search(text, max(start, end - 40), end)
        if stop is not None and stop.start() + 1 > start:
            end = stop.start() + 1
        else:
            space = text.rfind(" ", start, end)
            end = space if space > start + (end - start) // 2 else end
    return start, end


def _marked(text: str, start: int, end: int, found: list[tuple[int, int, str]]) -> str:
    parts = []
    position = start
    for match_start, match_end, _form in found:
        if match_start < position or match_end > end:
            continue
        parts.append(html.escape(text[position:match_start]))
        parts.append("<mark>" + html.escape(text[match_start:match_end]) + "</mark>")
        position = match_end
    parts.append(html.escape(text[position:end]))
    return "".join(parts)


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The beginning of ``text``: whole sentences when they fit, else cut at a word, "…"
    where text was left out."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    stop = None
    for found in _SENTENCE_END.finditer(text, limit // 2, limit):
        stop = found.start() + 1
    if stop is not None:
        return text[:stop] + " " + ELLIPSIS
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " " + ELLIPSIS
