"""Pelican-compatible slugs and docutils-compatible section anchors.

``slugify`` follows ``pelican.utils.slugify`` with Pelican's default
``SLUG_REGEX_SUBSTITUTIONS``: strip tags, NFKC, ASCII-fy with Unidecode, drop
everything but word characters, spaces and hyphens, collapse runs of spaces
and hyphens into one hyphen, lower-case.

``make_anchor`` is docutils' ``nodes.make_id`` (the ids Pelican publishes for
reST sections); Markdown headings use it too, with duplicates disambiguated.
"""

from __future__ import annotations

import re
import unicodedata

from docutils.nodes import make_id
from unidecode import unidecode

_TAG = re.compile(r"<[^>]*>")
_SLUG_SUBS = (
    (re.compile(r"[^\w\s-]", re.IGNORECASE), ""),
    (re.compile(r"\A\s*"), ""),
    (re.compile(r"\s*\Z"), ""),
    (re.compile(r"[-\s]+"), "-"),
)


def slugify(value: str) -> str:
    """``"Compte-rendu des conférences : Pélican et (i)Python"`` ->
    ``"compte-rendu-des-conferences-pelican-et-ipython"``."""
    value = _TAG.sub("", value)
    value = unicodedata.normalize("NFKC", value)
    value = unidecode(value)
    for pattern, replacement in _SLUG_SUBS:
        value = pattern.sub(replacement, value)
    return value.lower().strip()


def make_anchor(title: str) -> str:
    """docutils' id for a section title: ``"Let's roll"`` -> ``"let-s-roll"``."""
    return make_id(title)


class AnchorMaker:
    """Hands out unique anchors for one document, as docutils does: the first
    use of an id keeps it, later ones get ``-1``, ``-2``...; titles with no
    usable character get ``section-N``."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.untitled = 0  # sections with no usable character in their title so far
        self.next_suffix: dict[str, int] = {}  # base -> next number to try (linear, not quadratic)

    def __call__(self, title: str) -> str:
        base = make_anchor(title)
        if not base:
            self.untitled += 1
            base = f"section-{self.untitled}"
        anchor = base
        n = self.next_suffix.get(base, 0)
        if n:
            anchor = f"{base}-{n}"
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.next_suffix[base] = n + 1
        self.used.add(anchor)
        return anchor
