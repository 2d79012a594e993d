"""Analysis: how text becomes index words, per document language (``fr``, ``en``).

Tokenise (keeping ``asyncio.gather``, ``__init__``, ``C++``, ``C#`` whole) ->
lower-case -> split compounds (index: ``micro-python`` gives ``micro``,
``python`` and ``micropython``; query: only the joined form, so
``micropython`` and ``micro-python`` find each other; ``PEP8`` and ``PEP 8``
likewise) -> French elisions (l', d', qu'...) -> stop words -> light stem
(only purely alphabetic tokens) -> accent folding. Stemming happens *before*
folding because the French stemmer's rules need the accents; folding the
stems makes ``evenement`` find ``évènements`` and ``événements``. The stem
cache is unbounded: a 27,000-word vocabulary would thrash a small LRU.

The query parser (``search.query``) uses the same analyzers, elisions and stop words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import Any, cast

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.formats import Positions
from whoosh.lang import has_stopwords, stopwords_for_language
from whoosh.support.charset import accent_map as _accent_map

from barcamp_search.indexer.lightstem import english_light_stem, french_light_stem

# Whoosh types its table dict[str, str]; str.translate reads it by code point.
accent_map = cast(dict[int, str], _accent_map)

# Every language with a Snowball stemmer (French and English: light stemmers), and "cjk":
# Chinese, Japanese and Korean as overlapping character bigrams (Lucene's CJKAnalyzer).
LANGUAGES = (
    "fr", "en", "de", "es", "it", "pt", "nl", "da", "sv", "no", "fi", "hu", "ro", "ru", "tr",
    "cjk",
)  # fmt: skip
CJK_LANGUAGES = frozenset({"ja", "zh", "ko"})
# runs of Han, kana, hangul (and their compatibility/half-width forms)
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
_CJK_RUN = re.compile(f"[{_CJK}]+")

_TOKEN = r"[^\W\d_]\+\+|[^\W\d_]#(?!\w)|\w+(?:[.'’-]\w+)*"
# elided articles and prepositions: French (l', qu'...) and Italian (dell', un', all'...)
ELISIONS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu "
    "all dall dell nell sull coll pell gl agl dagl degl negl sugl un v".split()
)
EXTRA_STOPS = {
    "fr": {"les", "un", "une", "des", "du", "au", "aux", "d", "l", "qu"},
    "en": set(),
    "it": {"l", "d", "un", "gl", "c"},
    # Whoosh has no Romanian list: the most frequent function words
    "ro": set(
        "a acea aceasta această acel acela acest acesta ai al ale alt am ar are as asta "
        "au avea care ce cel cea cei cele cu da dacă dar de deci din după e ea el ele era "
        "este eu fi fie fost i iar ii il în într intr la le li lor lui mai mult ne nici "
        "noi nu o ori pe pentru prin sa să se si și sub sunt tot un una unei unor unui "
        "va vor".split()
    ),
    "cjk": set(),
}
_TOKEN_RE = re.compile(_TOKEN)
TOKEN_RE = _TOKEN_RE  # the words of a text, as the analyzers cut them
# CJK text: a run of CJK characters is a token of its own, even glued to Latin letters
_NOT_CJK_WORD = f"(?:(?![{_CJK}])\\w)+"
_CJK_TOKEN = f"[{_CJK}]+|[^\\W\\d_]\\+\\+|{_NOT_CJK_WORD}(?:[.'’-]{_NOT_CJK_WORD})*"
_CJK_TOKEN_RE = re.compile(_CJK_TOKEN)
_LETTERS_DIGITS = re.compile(r"^([a-z]{2,10})(\d{1,4})$")
_ALPHA = re.compile(r"^[^\W\d_]+$")


class CompoundFilter(Filter):
    """Splits hyphenated, dotted and elided words and joins ``PEP 8``.

    Index mode emits the whole token, its parts and the joined form at one
    position; query mode emits only the joined (or whole) form, so a query
    word matches every way of writing it without requiring all parts.
    """

    # Whoosh's Filter and Composable declare __call__ differently; ours is a Filter's.
    def __call__(self, tokens: Any, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        previous: str | None = None  # a short alphabetic token just before
        for token in tokens:
            forms, previous = compound_forms(token.text, previous, token.mode == "index")
            if len(forms) == 1:
                token.text = forms[0]
                yield token
            else:
                yield from self._emit(token, forms)

    @staticmethod
    def _emit(token: Any, forms: list[str]) -> Iterator[Any]:
        seen: set[str] = set()
        for form in forms:
            if form and form not in seen:
                seen.add(form)
                token.text = form
                yield token


def compound_forms(
    text: str, previous: str | None, index_mode: bool
) -> tuple[list[str], str | None]:
    """The forms a (lower-cased) word is indexed or searched under (see CompoundFilter),
    and the ``previous`` word for the next one (``PEP`` before ``8``)."""
    if "'" in text or "’" in text:
        text = elide(text)
    if index_mode and previous and text.isdigit() and len(text) <= 4:
        return [text, previous + text], None
    if "-" in text or "." in text or "'" in text or "’" in text:
        parts = [p for p in re.split(r"[-.'’]", text) if p]
        joined = "".join(parts)
        keep_whole = "." in text  # asyncio.gather, sncf.com, 3.12
        forms = [text] if keep_whole else [joined]
        if index_mode:
            forms += parts
            if keep_whole:  # voyages-sncf.com: also "voyagessncf"
                forms += [p.replace("-", "") for p in text.split(".") if "-" in p]
        return list(dict.fromkeys(form for form in forms if form)), None
    match = _LETTERS_DIGITS.match(text)
    if match and index_mode:
        return list(dict.fromkeys([text, match.group(1), match.group(2)])), None
    return [text], text if _ALPHA.match(text) and 2 <= len(text) <= 10 else None


class StemFoldFilter(Filter):
    """Stem alphabetic tokens (light stemmers for French and English, Snowball for the
    others), then fold accents (see module doc)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._stem = _stemmer(lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemFoldFilter) and other.lang == self.lang

    def __getstate__(self) -> dict[str, Any]:
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["lang"])  # type: ignore[misc]

    # Whoosh's Filter and Composable declare __call__ differently; ours is a Filter's.
    def __call__(self, tokens: Any, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        stem = self._stem
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


# Light stemmers for French and English (``lightstem``): Snowball conflates unrelated
# words (générateurs/généreusement, université/univers); the light ones keep them apart
# while plurals, genders and verb forms still meet. Other languages: Snowball.
LIGHT_STEMMERS: dict[str, Callable[[str], str]] = {
    "fr": french_light_stem,
    "en": english_light_stem,
}


_SNOWBALL_NAMES = {
    "de": "german", "es": "spanish", "it": "italian", "pt": "portuguese",
    "nl": "dutch", "da": "danish", "sv": "swedish", "no": "norwegian",
    "fi": "finnish", "hu": "hungarian", "ro": "romanian", "ru": "russian",
    "tr": "turkish", "fr": "french", "en": "english",
}  # fmt: skip


def _snowball(lang: str) -> Callable[[str], str]:
    """The Snowball stemmer of a language (the ``snowballstemmer`` package: every language
    of the Snowball project, Turkish included; cached per word by the caller). Imported at
    the first word: the package loads all its languages at once (0.1 s), which a French
    and English index never needs."""
    if lang not in _SNOWBALL_NAMES:
        return lambda word: word
    stemmer: Callable[[str], str] | None = None

    def stem(word: str) -> str:
        nonlocal stemmer
        if stemmer is None:
            import snowballstemmer

            stemmer = snowballstemmer.stemmer(_SNOWBALL_NAMES[lang]).stemWord
        return stemmer(word)

    return stem


@lru_cache(maxsize=len(LANGUAGES))
def _stemmer(lang: str) -> Any:
    stem = LIGHT_STEMMERS.get(lang) or _snowball(lang)

    @cache
    def stem_and_fold(word: str) -> str:
        if _ALPHA.match(word):
            word = stem(word)
        return word.translate(accent_map)

    return stem_and_fold


def word_stemmer(lang: str) -> Callable[[str], str]:
    """Stem (when alphabetic) and fold one lower-cased word, as the index does (cached)."""
    return cast(Callable[[str], str], _stemmer(lang))


def _tokenizer() -> RegexTokenizer:
    return RegexTokenizer(_TOKEN)


class LanguageAnalyzer(CompositeAnalyzer):
    """The analyzer of the ``*_fr`` / ``*_en`` text fields: tokenizer | lower-case | stop
    words | compounds | stop words | stem and fold.

    Stop words go before compounds are split: positions are renumbered without them
    (so "base de données" is the phrase "base données" in the index and in the query),
    and the parts of a compound then share their word's position.

    ``index_positions`` computes what the chain yields when indexing (the words and
    their positions) in one loop instead of six generators; IndexPositions uses it.
    Queries and highlighting go through the chain."""

    def __init__(self, lang: str) -> None:
        stops = stop_words(lang)
        super().__init__(
            RegexTokenizer(_CJK_TOKEN) if lang == "cjk" else _tokenizer(),
            LowercaseFilter(),
            *([CJKBigramFilter()] if lang == "cjk" else []),
            StopFilter(stoplist=stops, minsize=1),
            CompoundFilter(),
            StopFilter(stoplist=stops, minsize=1, renumber=False),
            StemFoldFilter(lang),
        )
        self.lang = lang
        self.stops = stops

    def index_positions(self, value: str) -> dict[str, list[int]]:
        if self.lang == "cjk":
            return _cjk_positions(value)
        stops, stem = self.stops, _stemmer(self.lang)
        positions: dict[str, list[int]] = {}
        pos: int | None = None
        previous: str | None = None
        for number, match in enumerate(_TOKEN_RE.finditer(value)):
            text = match.group(0).lower()
            if text in stops:
                continue
            pos = number if pos is None else pos + 1  # StopFilter's renumbering
            forms, previous = compound_forms(text, previous, True)
            for form in forms:
                if form not in stops:
                    positions.setdefault(stem(form), []).append(pos)
        return positions


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds CJK characters (searched as bigrams, never corrected)."""
    return _CJK_RUN.search(text) is not None


def cjk_bigrams(run: str) -> list[str]:
    """A run of CJK characters as overlapping bigrams (a lone character stays itself)."""
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


class CJKBigramFilter(Filter):
    """Runs of CJK characters -> overlapping bigrams at consecutive positions (the words
    after them move along); other tokens pass (Lucene's CJKBigramFilter)."""

    # Whoosh's Filter and Composable declare __call__ differently; ours is a Filter's.
    def __call__(self, tokens: Any, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
        shift = 0
        for token in tokens:
            if token.positions:
                token.pos += shift
            if not _CJK_RUN.fullmatch(token.text):
                yield token
                continue
            grams = cjk_bigrams(token.text)
            start = token.pos if token.positions else 0
            for i, gram in enumerate(grams):
                token.text = gram
                if token.positions:
                    token.pos = start + i
                yield token
            shift += len(grams) - 1


def _cjk_positions(value: str) -> dict[str, list[int]]:
    """``index_positions`` of the CJK analyzer: bigrams of CJK runs, other words folded."""
    positions: dict[str, list[int]] = {}
    pos = 0
    for match in _CJK_TOKEN_RE.finditer(value):
        text = match.group(0).lower()
        if _CJK_RUN.fullmatch(text):
            for gram in cjk_bigrams(text):
                positions.setdefault(gram, []).append(pos)
                pos += 1
            continue
        forms, _previous = compound_forms(text, None, True)
        for form in forms:
            positions.setdefault(form.translate(accent_map), []).append(pos)
        pos += 1
    return positions


class IndexPositions(Positions):
    """Whoosh's Positions format, taking the analyzer's one-loop path when indexing."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        fast = getattr(analyzer, "index_positions", None)
        if fast is None or not isinstance(value, str) or kwargs != {"mode": "index"}:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for word, places in fast(value).items():
            # the chain's tokens each weigh 1.0: the weight is their count
            yield word, len(places), float(len(places)) * boost, self.encode(places)


def language_analyzer(lang: str) -> Any:
    """The analyzer of the ``*_fr`` / ``*_en`` text fields."""
    return LanguageAnalyzer(lang)


def name_analyzer() -> Any:
    """Tags and people names in free text: folded, not stemmed."""
    return _tokenizer() | LowercaseFilter() | CompoundFilter() | CharsetFilter(accent_map)


def spell_analyzer() -> Any:
    """The "did you mean" vocabulary: words as written, lower-cased."""
    return RegexTokenizer(r"[^\W\d_]{3,30}") | LowercaseFilter()


def index_language(lang: str) -> str:
    """The analysis language of a post language (``fr-CA`` -> ``fr``, ``nb`` -> ``no``,
    ``ja``/``zh``/``ko`` -> ``cjk``; a language with no analysis -> ``en``)."""
    base = (lang or "").lower()[:2]
    if base in CJK_LANGUAGES:
        return "cjk"
    if base in ("nb", "nn"):
        return "no"
    return base if base in LANGUAGES else "en"


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Évènement" -> "evenement", "Søren" -> "soren"."""
    return text.casefold().translate(accent_map)


def elide(word: str) -> str:
    """``l'atelier`` -> ``atelier``, ``lorsqu'il`` -> ``il`` (French elisions); other
    words with their typographic apostrophe made plain."""
    head, _, tail = word.replace("’", "'").partition("'")
    return tail if tail and head in ELISIONS else word.replace("’", "'")


@lru_cache(maxsize=len(LANGUAGES))
def stop_words(lang: str) -> frozenset[str]:
    """The stop words of a language (Whoosh's list and a few more)."""
    listed = stopwords_for_language(lang) if has_stopwords(lang) else ()
    return frozenset(listed) | EXTRA_STOPS.get(lang, set())
