""" "Did you mean": respell the words of a query that finds little.

Candidates come from the ``spell`` field, the archive's vocabulary as written
(titles, text, tags, speaker names: lower-cased, not stemmed, accents kept), so
``atelir`` suggests ``atelier`` and never the stem ``ateli`` nor a folded
``developpeurs``: the closest word within 2 edits that begins with the same letter
(``Vocabulary.nearest``, rapidfuzz), then the most used. A suggestion is offered only
if it finds more posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from barcamp_search.errors import QueryError
from barcamp_search.search.query import parse_text, query_words


def suggest(
    searcher: Any,
    text: str,
    count: Callable[[Any], int],
    found: int,
    nearest: Callable[[str], str | None],
    langs: tuple[str, ...] | None = None,
) -> str | None:
    """A respelled query that finds more than the ``found`` posts (``count`` counts the
    posts of a query under the current filters; ``nearest`` gives a word's closest word of
    the vocabulary; ``langs`` the index's languages), or None."""
    reader = searcher.reader()
    suggestion = text
    for word in query_words(text):
        lower = word.lower()
        if reader.doc_frequency("spell", lower) > 0:
            continue
        replacement = nearest(lower)
        if not replacement:
            continue
        if word[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, suggestion, count=1)
    if suggestion == text:
        return None
    try:
        query = parse_text(suggestion, reader, langs=langs)
    except QueryError:
        return None
    if query is None or count(query) <= found:
        return None
    return suggestion
