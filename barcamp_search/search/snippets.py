"""Highlighted snippets: escaped text with ``<mark>`` around the matched words.

The only markup in a snippet is our own ``<mark>``; everything else, including
the surface form of a stemmed or folded match, is HTML-escaped after slicing
the original text, so no entity is ever split or unescaped twice.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from whoosh.highlight import ContextFragmenter, highlight

from barcamp_search.indexer.analysis import index_language, language_analyzer
from barcamp_search.indexer.whoosh_private import EscapingFormatter

SNIPPET_CHARS = 240


class MarkFormatter(EscapingFormatter):
    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "<mark>" + html.escape(text[token.startchar : token.endchar]) + "</mark>"


_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
_FORMATTER = MarkFormatter()


@lru_cache(maxsize=4)
def _analyzer(lang: str) -> Any:
    return language_analyzer(lang)


def snippet_for(text: str, terms: frozenset[str], lang: str) -> str:
    """The best fragments of ``text`` for ``terms`` (indexed forms), or its beginning."""
    text = " ".join(text.split())
    if terms and text:
        marked = highlight(
            text,
            terms,
            _analyzer(index_language(lang)),
            _FRAGMENTER,
            _FORMATTER,
            top=2,
            mode="index",
        )
        if marked:
            return marked
    return html.escape(shorten(text))


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + " …"
