"""The facets, declared once: the registry every stage reads.

A facet is a way to filter and count posts (tag, author, speaker, year, archive) or only
to filter them (category). Its one declaration drives the index (a keyword field and a
place in the per-post facets column), the search (filters, counts, the order of values),
the CLI (``--tag`` options, ``facets tag``), the API and the page (``?tag=``, the facet
sidebar, chips, labels ``facet_tag`` / ``chip_tag`` in ``web/i18n.py``) and the browsing
pages (``/tags``).

Adding a facet: one ``Facet(...)`` in ``FACETS`` (its values read from a ``Post``), its
labels in the UI catalog, and ``index --rebuild`` (bump ``SCHEMA_VERSION``: the index gains
a field and the facets column a record).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from barcamp_search.model import Post

Indexed = Literal["keyword", "lowercase", "id", "stored_id"]


@dataclass(frozen=True)
class Facet:
    """One facet. ``name`` is its word for one value: the Whoosh field, the URL and API
    parameter (``?tag=``), the CLI option (``--tag``) and its key in ``facets`` results;
    ``plural`` is its word for several (``SearchQuery(tags=...)``, ``/tags``)."""

    name: str
    plural: str
    values: Callable[[Post], tuple[str, ...]]  # a post's values, as shown
    # how the field is indexed: "keyword" (values as given), "lowercase" (names: filters
    # ignore case), "id" (one exact value), "stored_id" (one exact value, also stored)
    indexed: Indexed = "keyword"
    counted: bool = True  # counted and shown; False: a filter only
    merge_case: bool = False  # case variants counted under the most used spelling
    newest_first: bool = False  # values ordered by value, descending (years)
    browse: bool = False  # has a browsing page, /<plural>
    help: str = ""  # the CLI option's help

    @property
    def label(self) -> str:
        """UI catalog key of its heading (``facet_tag``)."""
        return f"facet_{self.name}"

    @property
    def chip(self) -> str:
        """UI catalog key of its name on a filter chip (``chip_tag``)."""
        return f"chip_{self.name}"

    def filter_value(self, value: str) -> str:
        """A selected value as the index holds it."""
        return value if self.indexed in ("id", "stored_id") else value.lower()


def _year(post: Post) -> tuple[str, ...]:
    return (post.date[:4],) if post.date else ()


def _tags(post: Post) -> tuple[str, ...]:
    return post.tags


def _authors(post: Post) -> tuple[str, ...]:
    return post.authors


def _speakers(post: Post) -> tuple[str, ...]:
    return post.speakers


def _archive(post: Post) -> tuple[str, ...]:
    return (post.archive,)


def _language(post: Post) -> tuple[str, ...]:
    return (post.lang[:2].lower(),) if post.lang else ()


def _categories(post: Post) -> tuple[str, ...]:
    return post.categories


FACETS: list[Facet] = [
    Facet("tag", "tags", _tags, browse=True, help="Only posts with this tag."),
    Facet(
        "author",
        "authors",
        _authors,
        indexed="lowercase",
        merge_case=True,
        browse=True,
        help="Only posts by this author.",
    ),
    Facet(
        "speaker",
        "speakers",
        _speakers,
        indexed="lowercase",
        merge_case=True,
        browse=True,
        help="Only posts with this speaker.",
    ),
    Facet("year", "years", _year, indexed="id", newest_first=True, help="Only posts of this year."),
    Facet("archive", "archives", _archive, indexed="stored_id", help="Only posts of this archive."),
    Facet(
        "language",
        "languages",
        _language,
        indexed="id",
        help="Only posts in this language (ISO 639-1 code: fr, en, de, es, ja...).",
    ),
    Facet(
        "category",
        "categories",
        _categories,
        indexed="lowercase",
        counted=False,
        help="Only this category.",
    ),
]


def all_facets() -> tuple[Facet, ...]:
    """Every facet, filters included, in their order."""
    return tuple(FACETS)


def counted_facets() -> tuple[Facet, ...]:
    """The facets counted and shown, in the order of the facets column."""
    return tuple(facet for facet in FACETS if facet.counted)


def facet_names() -> tuple[str, ...]:
    """Names of the counted facets (``tag``, ``author``...)."""
    return tuple(facet.name for facet in counted_facets())


def get_facet(name: str) -> Facet:
    """The facet called ``name`` (KeyError if there is none)."""
    for facet in FACETS:
        if facet.name == name:
            return facet
    raise KeyError(name)


def by_plural(plural: str) -> Facet:
    """The facet whose plural is ``plural`` (KeyError if there is none)."""
    for facet in FACETS:
        if facet.plural == plural:
            return facet
    raise KeyError(plural)


@contextlib.contextmanager
def registered(*facets: Facet) -> Iterator[None]:
    """Facets added to the registry for the duration of a block (tests, plugins)."""
    FACETS.extend(facets)
    try:
        yield
    finally:
        for facet in facets:
            FACETS.remove(facet)
