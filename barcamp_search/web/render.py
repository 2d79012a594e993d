"""Safe rendering of archive text: escaped, only http/https/mailto links, only our own
``<mark>`` around the words of the search."""

from __future__ import annotations

import logging
import re
from typing import Any

from markupsafe import Markup, escape

from barcamp_search.indexer.analysis import fold

logger = logging.getLogger(__name__)

SAFE_SCHEMES = re.compile(r"(?i)(?:https?://[^/?#\s]|mailto:[^\s])")
URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|mailto:)[^\s<>\"'`]+")
WORD = re.compile(r"\w+")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http, https or mailto URL without spaces or controls, else None."""
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None
    return url if SAFE_SCHEMES.match(url) else None


def highlight_words(text: str | None) -> frozenset[str]:
    """Words of a query worth highlighting (folded): no operators, no field names."""
    if not text:
        return frozenset()
    text = re.sub(r"\b\w+:", " ", text[:1000])
    words = {fold(w) for w in WORD.findall(text) if w not in ("AND", "OR", "NOT")}
    return frozenset(w for w in words if len(w) >= 2)


def highlight(text: str, words: frozenset[str] = frozenset()) -> Markup:
    """``text`` escaped, words starting with one of ``words`` wrapped in ``<mark>``."""
    if not words:
        return escape(text)
    parts: list[str] = []
    position = 0
    for match in WORD.finditer(text):
        token = fold(match.group())
        if any(token == w or (len(w) >= 3 and token.startswith(w)) for w in words):
            parts.append(str(escape(text[position : match.start()])))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def linkify(text: str, words: frozenset[str] = frozenset()) -> Markup:
    """Escaped text where http, https and mailto URLs become links (nothing else does)."""
    parts: list[Markup] = []
    position = 0
    for match in URL_IN_TEXT.finditer(text):
        url = match.group().rstrip(".,;:!?)]}»")
        end = match.start() + len(url)
        href = safe_url(url)
        if href is None:
            continue
        parts.append(highlight(text[position : match.start()], words))
        parts.append(
            Markup('<a href="{}" rel="nofollow noopener noreferrer">{}</a>').format(
                href, highlight(url, words)
            )
        )
        position = end
    parts.append(highlight(text[position:], words))
    return Markup("").join(parts)


def render_paragraphs(text: str | None, words: frozenset[str] = frozenset()) -> list[Markup]:
    """Plain text as paragraphs (split on blank lines), each escaped and linkified."""
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text)
    return [linkify(" ".join(block.split()), words) for block in blocks if block.strip()]


def snippet_html(snippet: str) -> Markup:
    """A core snippet as markup. The core escapes the text and adds only ``<mark>``; check
    it anyway, and escape the whole snippet if anything else looks like markup."""
    if re.search(r"[<>\"]", re.sub(r"</?mark>", "", snippet)):
        logger.warning("snippet with unexpected markup escaped: %.80r", snippet)
        return escape(snippet)
    return Markup(snippet)  # noqa: S704 - checked above: escaped text and <mark> only


def title_html(hit: Any) -> Markup:
    """A hit's title with the matched words marked, as snippets are: the core's
    ``title_html`` (escaped text and ``<mark>``, checked as a snippet is) when it gives
    one, else the plain title escaped."""
    marked = getattr(hit, "title_html", None)
    if isinstance(marked, str) and marked:
        return snippet_html(marked)
    return escape(hit.title or "")
