"""The search box's query language -> a Whoosh query, with limits.

Whoosh's language: words are ANDed; ``OR``, ``NOT``, ``"phrases"``,
``prefix*``, ``fuzzy~`` / ``fuzzy~2``, parentheses, and the fields
``title:``, ``tag:``, ``author:``, ``speaker:``, ``category:``, ``archive:``,
``lang:``, ``year:`` and ``site:`` (a linked domain). Unfielded words search
the post title, section titles, text, tags and people names in both analysis
languages. Any other ``word:`` is plain text.

Limits, so hostile queries answer fast with a clear ``QueryError``:
``MAX_CHARS`` characters, ``MAX_WORDS`` words, ``MAX_DEPTH`` nested
parentheses, wildcards need ``MIN_PREFIX`` letters before them and may match
at most ``MAX_EXPANSION`` words, fuzzy distance at most 2. Term ranges are
not part of the language (dates are filters).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from whoosh import qparser
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import syntax
from whoosh.query import And, FuzzyTerm, NullQuery, Or, Prefix, Query, Wildcard
from whoosh.support.charset import accent_map

from barcamp_search.errors import QueryError
from barcamp_search.indexer.analysis import (
    LANGUAGES,
    elide,
    language_analyzer,
    name_analyzer,
    stop_words,
)

MAX_CHARS = 1000
MAX_WORDS = 50
MAX_DEPTH = 12
MIN_PREFIX = 2
MAX_EXPANSION = 300

KINDS = ("title", "heading", "body")
NAME_FIELDS = ["tags_text", "speaker_text", "author_text"]
KIND_BOOSTS = {"title": 4.0, "heading": 2.0, "body": 1.0}
NAME_BOOSTS = {"tags_text": 2.0, "speaker_text": 2.0, "author_text": 1.5}
# Stop words always dropped from a query (as before other languages came): French and
# English; the stop words of the other languages an index holds are added to them.
BASE_LANGUAGES = ("fr", "en")


def default_fields(langs: tuple[str, ...]) -> list[str]:
    """The fields an unfielded word searches: title, headings and text in each language
    ``langs`` (those the index holds), then tags and people names."""
    return [f"{kind}_{lang}" for kind in KINDS for lang in langs] + NAME_FIELDS


def boosts(langs: tuple[str, ...]) -> dict[str, float]:
    fields = {
        f"{kind}_{lang}": KIND_BOOSTS[kind] for kind in KINDS for lang in langs if kind != "body"
    }
    return {**fields, **NAME_BOOSTS}


def virtual_fields(langs: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        "title": [f"title_{lang}" for lang in langs],
        "author": ["author_text"],
        "speaker": ["speaker_text"],
        "text": [f"{kind}_{lang}" for kind in ("heading", "body") for lang in langs],
    }


def present_languages(reader: Any) -> tuple[str, ...]:
    """The analysis languages whose fields hold text in this index (French and English
    for an empty or an older index)."""
    names = set(reader.schema.names()) if reader is not None else set()
    found = tuple(
        lang
        for lang in LANGUAGES
        if any(
            f"{kind}_{lang}" in names and reader.field_length(f"{kind}_{lang}")
            for kind in ("title", "body")
        )
    )
    return found or BASE_LANGUAGES


def _parse_schema(langs: tuple[str, ...]) -> Schema:
    """Real fields the parser may analyse, plus the public virtual names."""
    fields: dict[str, Any] = {name: TEXT() for name in virtual_fields(langs)}
    for lang in langs:
        analyzer = language_analyzer(lang)
        for kind in KINDS:
            fields[f"{kind}_{lang}"] = TEXT(
                analyzer=analyzer, multitoken_query="phrase" if lang == "cjk" else "default"
            )
    for name in NAME_FIELDS:
        fields[name] = TEXT(analyzer=name_analyzer())
    fields.update(
        tag=KEYWORD(commas=True, lowercase=True),
        category=KEYWORD(commas=True, lowercase=True),
        site=KEYWORD(commas=True, lowercase=True),
        archive=ID(),
        lang=ID(),
        year=ID(),
    )
    return Schema(**fields)


def stop_words_of(langs: tuple[str, ...]) -> frozenset[str]:
    """The words a query drops: stop words of French, English and the index's languages."""
    return frozenset().union(*(stop_words(lang) for lang in {*BASE_LANGUAGES, *langs}))


STOP_WORDS = stop_words_of(BASE_LANGUAGES)


class StopWordsPlugin(qparser.Plugin):
    """Drops unfielded words that are stop words in one of the index's languages.

    A French stop word is only removed by the French fields' analyzer: without
    this, ``présentation de pyramid`` would require ``de`` in the English, tag
    and name fields, and find nothing.
    """

    def __init__(self, stops: frozenset[str]) -> None:
        self.stops = stops

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.drop, 104)]

    def drop(self, parser: Any, group: Any) -> Any:
        kept = group.empty_copy()
        for node in group:
            if isinstance(node, syntax.GroupNode):
                kept.append(self.drop(parser, node))
            elif (
                isinstance(node, syntax.WordNode)
                and node.fieldname is None
                and elide(node.text.lower()) in self.stops
            ):
                continue
            else:
                kept.append(node)
        return kept


class VirtualFieldsPlugin(qparser.Plugin):
    """``title:x`` -> (title_fr:x OR title_en:x), as MultifieldPlugin does for unfielded words."""

    def __init__(self, virtual: dict[str, list[str]]) -> None:
        self.virtual = virtual

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.expand, 105)]

    def expand(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif node.has_fieldname and node.fieldname in self.virtual:
                copies = []
                for name in self.virtual[node.fieldname]:
                    clone = copy.copy(node)
                    clone.set_fieldname(name, override=True)
                    copies.append(clone)
                group[i] = syntax.OrGroup(copies)
        return group


@lru_cache(maxsize=16)
def _parser(langs: tuple[str, ...]) -> qparser.QueryParser:
    """The query parser for an index holding ``langs`` (built once per set of languages)."""
    parser = qparser.QueryParser(None, _parse_schema(langs), group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    # French elisions (d'expérience) are words, not single-quoted terms.
    parser.remove_plugin_class(qparser.SingleQuotePlugin)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(StopWordsPlugin(stop_words_of(langs)))
    parser.add_plugin(VirtualFieldsPlugin(virtual_fields(langs)))
    parser.add_plugin(qparser.MultifieldPlugin(default_fields(langs), fieldboosts=boosts(langs)))
    return parser


# The fast path: a query of plain words, "phrases" and (a OR b OR "c d") groups, which
# is what people type and what the forgiving rewrite writes, is put together from each
# word's own parse (cached: the Or of the word over every default field), with no run
# of Whoosh's parser over the whole text. Anything else goes through the parser.
_FAST_TOKEN = re.compile(r'\s*(?:(\()|(\))|("[^"]*")|([^\s()"]+))')
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_SYNTAX = re.compile(r"[:*?~^\[\]{}]")
WORD_CACHE = 20_000
_word_queries: dict[tuple[tuple[str, ...], str], Query] = {}


class _NotSimple(Exception):
    """The text uses more of the query language than the fast path reads."""


def _word_query(token: str, langs: tuple[str, ...]) -> Query:
    """The normalized query of one word or phrase of a simple query (cached)."""
    key = (langs, token)
    found = _word_queries.get(key)
    if found is None:
        if len(_word_queries) >= WORD_CACHE:
            _word_queries.clear()
        found = _parser(langs).parse(token)
        _word_queries[key] = found
    return found


def _combine(kind: Any, parts: list[Any]) -> Query:
    """``kind(parts).normalize()`` for parts that are already normalized (no copies)."""
    flat: list[Query] = []
    seen: set[Query] = set()
    for part in parts:
        children: list[Any] = (
            part.subqueries if type(part) is kind and part.boost == 1.0 else [part]
        )
        for child in children:
            if child is NullQuery or child in seen:
                continue
            seen.add(child)
            flat.append(child)
    if not flat:
        return NullQuery
    return flat[0] if len(flat) == 1 else kind(flat)


def _simple_query(text: str, langs: tuple[str, ...]) -> Query:
    """The query of a simple text (see above); _NotSimple for any other."""
    items: list[Query] = []
    group: list[Query] | None = None
    expect_word = True  # inside a group: a word, then OR, then a word...
    position = 0
    text = text.strip()
    while position < len(text):
        match = _FAST_TOKEN.match(text, position)
        if match is None:
            raise _NotSimple
        position = match.end()
        opening, closing, phrase, word = match.groups()
        if opening:
            if group is not None:
                raise _NotSimple
            group, expect_word = [], True
        elif closing:
            if group is None or expect_word:
                raise _NotSimple
            items.append(_combine(Or, group))
            group = None
        elif group is not None and not expect_word:
            if word != "OR":
                raise _NotSimple
            expect_word = True
        else:
            token = phrase or word
            if word is not None and (word in _OPERATORS or _SYNTAX.search(word)):
                raise _NotSimple
            if phrase is not None and (_SYNTAX.search(phrase) or phrase.count('"') != 2):
                raise _NotSimple
            (group if group is not None else items).append(_word_query(token, langs))
            expect_word = False
    if group is not None:
        raise _NotSimple
    return _combine(And, items)


def check_limits(text: str) -> None:
    """Reject what would cost seconds of CPU or blow the parser's recursion."""
    if len(text) > MAX_CHARS:
        raise QueryError(
            f"The query is too long ({len(text):,} characters; "
            f"the limit is {MAX_CHARS:,}). Shorten it."
        )
    words = re.findall(r"\w+", text)
    if len(words) > MAX_WORDS:
        raise QueryError(
            f"The query has too many words ({len(words):,}; the limit is {MAX_WORDS}). Remove some."
        )
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        raise QueryError(
            f"The query nests parentheses {deepest} deep; the limit is {MAX_DEPTH}. Simplify it."
        )


_SYNTAX_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_BINARY = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE"})
FIELD_NAMES = frozenset(
    {"title", "tag", "author", "speaker", "category", "archive", "lang", "year", "site", "text"}
)


def syntax_problem(text: str) -> tuple[str, int] | None:
    """What makes ``text`` no query at all, and where (0-based), or None: an unclosed
    quote or parenthesis, a closing parenthesis or empty parentheses with no use, an
    operator with nothing on one side, a field with no word after it."""
    tokens = [(m.group(), m.start()) for m in _SYNTAX_TOKEN.finditer(text)]
    opened: list[int] = []
    for i, (token, at) in enumerate(tokens):
        before = tokens[i - 1][0] if i else None
        after = tokens[i + 1][0] if i + 1 < len(tokens) else None
        if token.startswith('"') and (len(token) == 1 or not token.endswith('"')):
            return "the quote opened here is never closed", at
        if token == "(":
            if after == ")":
                return "these parentheses hold nothing", at
            opened.append(at)
        elif token == ")":
            if not opened:
                return "this closing parenthesis has no opening one", at
            opened.pop()
        elif token in _BINARY:
            if before is None or before == "(" or before in _BINARY or before == "NOT":
                return f"“{token}” has nothing before it", at
            if after is None or after == ")" or after in _BINARY:
                return f"“{token}” has nothing after it", at
        elif token == "NOT":
            if after is None or after == ")" or after in _BINARY:
                return "“NOT” has nothing after it", at
        elif (
            token.endswith(":")
            and token[:-1].lower() in FIELD_NAMES
            and (after is None or after == ")" or after in _BINARY)
        ):
            return f"“{token}” has no word after it", at
    if opened:
        return "the parenthesis opened here is never closed", opened[-1]
    return None


def check_syntax(text: str) -> None:
    """QueryError saying what is wrong with ``text`` and where, if anything is."""
    problem = syntax_problem(text)
    if problem is not None:
        message, at = problem
        shown = text if len(text) <= 60 else text[max(0, at - 30) : at + 30]
        raise QueryError(
            f"The query cannot be read: {message} (character {at + 1} of “{shown}”). "
            "Correct it, or put words in quotes to search for them as written."
        )


def repair_syntax(text: str) -> str:
    """``text`` made readable while it is being typed: quotes and parentheses closed,
    dangling operators, empty parentheses and stray closing parentheses dropped."""
    for _ in range(20):
        problem = syntax_problem(text)
        if problem is None:
            return text
        message, at = problem
        if "quote" in message:
            text += '"'
        elif "never closed" in message:
            text += ")"
        elif "hold nothing" in message:
            text = text[:at] + text[at:].replace("(", " ", 1).replace(")", " ", 1)
        elif "closing parenthesis" in message:
            text = text[:at] + " " + text[at + 1 :]
        else:  # an operator or a field with nothing to apply to: dropped
            end = _SYNTAX_TOKEN.match(text, at)
            text = (
                text[:at]
                + " " * ((end.end() if end else at + 1) - at)
                + text[(end.end() if end else at + 1) :]
            )
    return text


def parse_text(
    text: str, reader: Any, check: bool = True, langs: tuple[str, ...] | None = None
) -> Query | None:
    """The Whoosh query for the search box's text; None when it has no searchable word.
    ``check=False``: the limits were checked on the text as typed (a forgiving rewrite of
    it may be longer). ``langs``: the index's languages (``present_languages``)."""
    if langs is None:
        langs = present_languages(reader)
    if check:
        check_limits(text)
    if not text.strip():
        return None
    try:
        simple = _simple_query(text, langs)
    except _NotSimple:
        pass
    else:
        return None if _is_null(simple) else simple
    try:
        query = _parser(langs).parse(text)
    except RecursionError as error:  # belt and braces: check_limits should prevent it
        raise QueryError("The query is too deeply nested. Simplify it.") from error
    query = _fold_patterns(query, reader)
    if query is None or _is_null(query):
        return None
    return query


def _is_null(query: Query) -> bool:
    return query is NullQuery or isinstance(query, type(NullQuery))


def _fold_patterns(query: Query, reader: Any) -> Query:
    """Lower-case and fold wildcard/fuzzy texts (the index is folded), check their cost."""
    if isinstance(query, (Prefix, Wildcard, FuzzyTerm)):
        text = query.text.lower().translate(accent_map)
        if isinstance(query, (Prefix, Wildcard)):
            head = re.split(r"[*?]", text)[0] if isinstance(query, Wildcard) else text
            if len(head) < MIN_PREFIX:
                raise QueryError(
                    f"A wildcard needs at least {MIN_PREFIX} letters before it "
                    f"({query.text!r}). Type more of the word."
                )
            _check_expansion(query.fieldname, head, reader, query.text)
        if isinstance(query, FuzzyTerm):
            query.maxdist = min(query.maxdist, 2)
            query.prefixlength = max(query.prefixlength, 1)
        query.text = text
        return query
    if hasattr(query, "subqueries"):
        query.subqueries = [_fold_patterns(q, reader) for q in query.subqueries]
    elif hasattr(query, "child"):
        query.child = _fold_patterns(query.child, reader)
    return query


def _check_expansion(fieldname: str, head: str, reader: Any, original: str) -> None:
    if reader is None or fieldname not in reader.schema:
        return
    count = 0
    for _term in reader.expand_prefix(fieldname, head):
        count += 1
        if count > MAX_EXPANSION:
            raise QueryError(
                f"{original!r} matches too many words (more than "
                f"{MAX_EXPANSION}). Type more letters before the '*'."
            )


def query_words(text: str) -> list[str]:
    """The plain words of a query (no operators, fields or patterns), for suggestions."""
    words = []
    for token in re.findall(r'"[^"]*"|\S+', text):
        token = token.strip('"()')
        if (
            not token
            or token in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
            or ":" in token
            or any(c in token for c in "*?~^")
        ):
            continue
        words.extend(re.findall(r"[^\W\d_]{3,}", token))
    return words
