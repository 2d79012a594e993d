"""The Whoosh schema, its analyzers, and the mapping Post -> index documents.

One document per section plus one for each post's own text (``kind`` =
``post``), all carrying the post's fields, so a hit lands on the section that
matched and results group by post (``post`` key). A ``stub`` document records
the file stamp of a source that yields nothing searchable (draft, unreadable).

Analysis, per document language (fields ``*_fr`` / ``*_en``):
tokenise (keeping ``asyncio.gather``, ``__init__``, ``C++``, ``C#`` whole) ->
lower-case -> split compounds (index: ``micro-python`` gives ``micro``,
``python`` and ``micropython``; query: only the joined form, so
``micropython`` and ``micro-python`` find each other; ``PEP8`` and ``PEP 8``
likewise) -> French elisions (l', d', qu'...) -> stop words -> Snowball stem
(only purely alphabetic tokens) -> accent folding. Stemming happens *before*
folding because the French stemmer's rules need the accents; folding the
stems makes ``evenement`` find ``évènements`` and ``événements``. The stem
cache is unbounded: a 27,000-word vocabulary would thrash a small LRU.

The ``spell`` field keeps the vocabulary unstemmed and unfolded for "did you
mean" suggestions (``atelir`` -> ``atelier``, never the stem ``ateli``). Only
the post document carries it, each word of the whole post once: its
frequencies count posts, and the indexer does not tokenise every text twice.

Fields no query uses are not indexed: the post date is a column (sorting and
date filters read it per post), nothing looks documents up by id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

from barcamp_search.facets import all_facets, counted_facets
from barcamp_search.model import Post

SCHEMA_VERSION = 5
LANGUAGES = ("fr", "en")

_TOKEN = r"[^\W\d_]\+\+|[^\W\d_]#(?!\w)|\w+(?:[.'’-]\w+)*"
_ELISIONS = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu".split())
_EXTRA_STOPS = {
    "fr": {"les", "un", "une", "des", "du", "au", "aux", "d", "l", "qu"},
    "en": set(),
}
_TOKEN_RE = re.compile(_TOKEN)
_LETTERS_DIGITS = re.compile(r"^([a-z]{2,10})(\d{1,4})$")
_ALPHA = re.compile(r"^[^\W\d_]+$")


class CompoundFilter(Filter):
    """Splits hyphenated, dotted and elided words and joins ``PEP 8``.

    Index mode emits the whole token, its parts and the joined form at one
    position; query mode emits only the joined (or whole) form, so a query
    word matches every way of writing it without requiring all parts.
    """

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        previous: str | None = None  # a short alphabetic token just before
        for token in tokens:
            forms, previous = compound_forms(token.text, previous, token.mode == "index")
            if len(forms) == 1:
                token.text = forms[0]
                yield token
            else:
                yield from self._emit(token, forms)

    @staticmethod
    def _elide(text: str) -> str:
        head, _, tail = text.replace("’", "'").partition("'")
        if head in _ELISIONS and tail:
            return tail
        return text.replace("’", "'")

    @staticmethod
    def _emit(token: Any, forms: list[str]) -> Iterator[Any]:
        seen: set[str] = set()
        for form in forms:
            if form and form not in seen:
                seen.add(form)
                token.text = form
                yield token


def compound_forms(text: str, previous: str | None, index_mode: bool
                   ) -> tuple[list[str], str | None]:
    """The forms a (lower-cased) word is indexed or searched under (see CompoundFilter),
    and the ``previous`` word for the next one (``PEP`` before ``8``)."""
    if "'" in text or "’" in text:
        text = CompoundFilter._elide(text)
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
    """Snowball-stem alphabetic tokens, then fold accents (see module doc)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._stem = _stemmer(lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemFoldFilter) and other.lang == self.lang

    def __getstate__(self) -> dict[str, Any]:
        return {"lang": self.lang}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["lang"])  # type: ignore[misc]

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        stem = self._stem
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Any:
    stem = stemmer_for_language(lang)

    @lru_cache(maxsize=None)
    def stem_and_fold(word: str) -> str:
        if _ALPHA.match(word):
            word = stem(word)
        return word.translate(accent_map)

    return stem_and_fold


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
        stops = frozenset(stopwords_for_language(lang)) | _EXTRA_STOPS.get(lang, set())
        super().__init__(_tokenizer(), LowercaseFilter(), StopFilter(stoplist=stops, minsize=1),
                         CompoundFilter(), StopFilter(stoplist=stops, minsize=1, renumber=False),
                         StemFoldFilter(lang))
        self.lang = lang
        self.stops = stops

    def index_positions(self, value: str) -> dict[str, list[int]]:
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


# How a facet's field is indexed (see ``barcamp_search.facets``). People facets merge case
# variants ("Guido Van Rossum" / "Guido van Rossum"): filters and counts use the lower-cased
# field, the facets column keeps the spellings so the most used one is shown.
_FACET_FIELDS: dict[str, Callable[[], Any]] = {
    "keyword": lambda: KEYWORD(commas=True, scorable=False),
    "lowercase": lambda: KEYWORD(commas=True, lowercase=True, scorable=False),
    "id": lambda: ID(),
    "stored_id": lambda: ID(stored=True),
}


def build_schema() -> Schema:
    fields: dict[str, Any] = {
        "post": ID(stored=True, sortable=True),
        "kind": ID(stored=True),
        "slug": ID(),
        "source": STORED(),
        "anchor": STORED(),
        "heading": STORED(),
        "text": STORED(),
        "lang": ID(stored=True),
        # Per-document columns, read in one pass when a searcher opens (no pickle per
        # document): the post's facet values, and the ledger of incremental indexing.
        "facets": COLUMN(VarBytesColumn()),
        "ledger": COLUMN(VarBytesColumn()),
        "date": COLUMN(NumericColumn("Q", default=0)),  # YYYYMMDDHHMM, 0 undated
        "site": KEYWORD(commas=True, lowercase=True, scorable=False),
        "tags_text": TEXT(analyzer=name_analyzer()),
        "author_text": TEXT(analyzer=name_analyzer()),
        "speaker_text": TEXT(analyzer=name_analyzer()),
        "spell": TEXT(analyzer=spell_analyzer(), phrase=False),
        "data": STORED(),
    }
    for facet in all_facets():
        fields[facet.name] = _FACET_FIELDS[facet.indexed]()
    for lang in LANGUAGES:
        analyzer = language_analyzer(lang)
        for name in ("title", "heading", "body"):
            field = TEXT(analyzer=analyzer)
            field.format = IndexPositions(field_boost=field.format.field_boost)
            fields[f"{name}_{lang}"] = field
    return Schema(**fields)


def index_language(lang: str) -> str:
    """The analysis language of a post language (``fr-CA`` -> ``fr``; others -> ``en``)."""
    base = (lang or "").lower()[:2]
    return base if base in LANGUAGES else "en"


def date_number(iso: str | None) -> int:
    """``2014-07-31T19:30:00+02:00`` -> 201407311930 (0 when there is no date)."""
    if not iso:
        return 0
    digits = re.sub(r"\D", "", iso[:16])
    return int(digits.ljust(12, "0")[:12])


def _domains(urls: list[str]) -> str:
    """Linked hosts and their parent domains: docs.python.org -> also python.org."""
    hosts: list[str] = []
    for url in urls:
        labels = (urlsplit(url).hostname or "").lower().split(".")
        for start in range(max(1, len(labels) - 1)):
            if labels[start:]:
                hosts.append(".".join(labels[start:]))
    return ",".join(dict.fromkeys(hosts))


def post_data(post: Post) -> dict[str, Any]:
    """What a result needs to show a post, stored once on its ``post`` document."""
    return {
        "archive": post.archive, "source": post.source, "slug": post.slug, "url": post.url,
        "title": post.title, "date": post.date, "lang": post.lang, "tags": list(post.tags),
        "authors": list(post.authors), "speakers": list(post.speakers),
        "categories": list(post.categories), "summary": post.summary,
        "format": post.format, "translations": list(post.translations),
        "modified": post.modified,
        "links": [{"url": x.url, "text": x.text, "section": x.section} for x in post.links],
        "sections": [{"anchor": x.anchor, "title": x.title, "level": x.level,
                      "speakers": list(x.speakers)} for x in post.sections],
    }


UNIT, RECORD = "\x1f", "\x1e"  # separators: never in our values (control characters)


def facet_fields(post: Post) -> dict[str, str]:
    """The post's facet fields (filters): keywords joined by commas, one value for ids."""
    fields: dict[str, str] = {}
    for facet in all_facets():
        values = facet.values(post)
        if facet.indexed in ("id", "stored_id"):
            if values:
                fields[facet.name] = values[0]
        else:
            fields[facet.name] = ",".join(value.replace(",", " ") for value in values)
    return fields


def facet_column(post: Post) -> bytes:
    """The post's values of each counted facet, as shown (for the post table): one record
    per facet, in the registry's order."""
    values = (facet.values(post) for facet in counted_facets())
    return RECORD.join(UNIT.join(v) for v in values).encode("utf-8")


def read_facet_column(value: bytes) -> list[tuple[str, ...]]:
    records = value.decode("utf-8").split(RECORD) if value else []
    return [tuple(r.split(UNIT)) if r else () for r in records] or \
        [()] * len(counted_facets())


def ledger_value(kind: str, source: str, stamp: str) -> bytes:
    return UNIT.join((kind, source, stamp)).encode("utf-8")


def read_ledger(value: bytes) -> tuple[str, str, str] | None:
    parts = value.decode("utf-8").split(UNIT) if value else []
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def post_key(archive: str, source: str) -> str:
    return f"{archive}\x1f{source}"


def post_documents(post: Post, stamp: str) -> Iterator[dict[str, Any]]:
    """The index documents of one published post: its own text, then each section."""
    lang = index_language(post.lang)
    key = post_key(post.archive, post.source)
    common: dict[str, Any] = {
        "post": key,
        "source": post.source,
        "lang": post.lang,
        **facet_fields(post),
        "tags_text": " ".join(post.tags),
        "author_text": " ".join(post.authors),
        f"title_{lang}": post.title,
    }
    intro_links = [link.url for link in post.links if link.section is None]
    yield {
        **common,
        "kind": "post",
        "date": date_number(post.date),
        "slug": post.slug,
        "facets": facet_column(post),
        "ledger": ledger_value("post", post.source, stamp),
        "heading": "",
        "anchor": "",
        "text": post.text,
        f"body_{lang}": " ".join(filter(None, [post.summary, post.text])),
        "speaker_text": " ".join(post.speakers),
        "site": _domains(intro_links),
        "spell": spell_words(post),
        "data": post_data(post),
    }
    for section in post.sections:
        links = [link.url for link in post.links if link.section == section.anchor]
        yield {
            **common,
            "kind": "section",
            "heading": section.title,
            "anchor": section.anchor,
            "text": section.text,
            f"heading_{lang}": section.title,
            f"body_{lang}": section.text,
            "speaker_text": " ".join(section.speakers or post.speakers),
            "site": _domains(links),
        }


_SPELL_WORD = re.compile(r"[^\W\d_]{3,30}")  # what spell_analyzer() keeps


def spell_words(post: Post) -> str:
    """Each word of a post once (title, summary, text, tags, speakers, sections), in
    order: the spell analyzer then handles a few hundred words instead of every one."""
    texts = [post.title, post.summary, post.text, " ".join(post.tags), " ".join(post.speakers)]
    for section in post.sections:
        texts += [section.title, section.text]
    return " ".join(dict.fromkeys(word.lower() for word in _SPELL_WORD.findall(" ".join(texts))))


def stub_document(archive: str, source: str, stamp: str, reason: str) -> dict[str, Any]:
    """Records a source that gives no searchable post (draft, unreadable) and why."""
    key = post_key(archive, source)
    return {"post": key, "kind": "stub", "archive": archive,
            "source": source, "data": {"reason": reason},
            "ledger": ledger_value("stub", source, stamp)}
