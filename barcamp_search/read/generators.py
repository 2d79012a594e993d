"""What each site generator's conventions add to a post (part of the "read" stage).

``assemble.build_post`` reads metadata as Pelican does; this module then applies
what the other generators mean by their files, and decides the languages:

* **Nikola** (reST): the ``.. title:``/``.. slug:``/``.. date:``/``.. tags:``/
  ``.. author:``/``.. description:`` comment metadata is read by the reST reader
  (``formats.rst.nikola_fields``); here ``.. link:`` (the page the post is about)
  becomes a link. Translations by suffix: ``x.es.rst`` beside ``x.rst``.
* **MkDocs** (Markdown, front matter optional): the title is the front matter's or
  the first heading; without a date field the date comes from the title or first
  heading, else the file name, else the folder names, written in the post's
  language (``Dienstag, 07. September 2010``, ``20/09/2018``, ``2010/07/24``),
  parsed with dateparser; ``index.md`` and the other pages of a navigation folder
  are listing pages, not posts (``listing_pages``); ``mkdocs-static-i18n``
  translations by suffix (``x.md`` / ``x.en.md``).
* **Jekyll** ``_posts``: date and slug from ``YYYY-MM-DD-slug.md`` (the slug as
  written, not made from the title), ``categories``/``category`` as a YAML list or
  a space-separated string.
* **Languages** of the post and its sections: see :mod:`.language`.

An archive's generator is ``ArchiveOptions.generator`` when set, else guessed from
its folder (``detect_generator``); Nikola and Jekyll posts are known by their own
files wherever they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import Document, Link, Post, normalize_categories
from barcamp_search.read.language import Part, given_language, post_languages, suffix_language

_JEKYLL_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(.+)")
_INDEX_NAMES = frozenset({"index", "readme"})
# Dates written in a heading, a file name or folder names (a day, a month and a year):
# "20/09/2018", "07.09.2015", "2010/07/24", "2010-07-24", and in words
# "Dienstag, 07. September 2010", "7 settembre 2018", "September 7, 2010".
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}[./_-]\d{1,2}[./_-]\d{1,2})(?!\d)"
)
_WORDS_DATE = re.compile(
    r"(?P<weekday>\b[^\W\d_]{2,}\.?,?\s+)?\b\d{1,2}\.?(?:\s+de)?\s+[^\W\d_]{3,}\.?(?:\s+de)?,?\s+\d{4}\b"
    r"|\b[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
)
_FOLDER_DATE = re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?=/|$)")


def detect_generator(root: Path) -> str | None:
    """The generator an archive folder was written for, when its files tell: an
    ``mkdocs.yml`` (in the folder or above it), or a ``docs/`` folder of Markdown
    with an ``index.md`` (MkDocs' layout). None: Pelican's rules (and Hugo's, Nikola's,
    Jekyll's, known per file)."""
    root = Path(root)
    if not root.is_dir():
        return None
    for folder in (root, *list(root.resolve().parents)[:2]):
        if (folder / "mkdocs.yml").is_file() or (folder / "mkdocs.yaml").is_file():
            return "mkdocs"
    docs = root / "docs"
    if docs.is_dir() and not (root / "docs" / "conf.py").exists():
        try:
            next(iter(docs.rglob("index.md")))
            return "mkdocs"
        except (StopIteration, OSError):
            return None
    return None


def listing_pages(sources: Iterable[str]) -> set[str]:
    """MkDocs listing pages among an archive's sources: every ``index.md`` (and its
    translations ``index.en.md``), and the other pages of a folder that has an index
    and sub-folders of content (a navigation folder: ``next_meetup.md`` beside
    ``index.md`` and ``archive/``)."""
    sources = list(sources)
    folders_with_index: set[str] = set()
    folders_with_children: set[str] = set()
    for source in sources:
        path = PurePosixPath(source)
        if _base_stem(path).lower() in _INDEX_NAMES:
            folders_with_index.add(str(path.parent))
        for parent in list(path.parents)[1:]:
            folders_with_children.add(str(parent))
    navigation = folders_with_index & folders_with_children
    listing: set[str] = set()
    for source in sources:
        path = PurePosixPath(source)
        if _base_stem(path).lower() in _INDEX_NAMES or str(path.parent) in navigation:
            listing.add(source)
    return listing


def _base_stem(path: PurePosixPath) -> str:
    """The file name without its extension and language suffix: ``x.en.md`` -> ``x``."""
    stem = path.stem
    if suffix_language(path.name):
        stem = PurePosixPath(stem).stem
    return stem


def translation_key(source: str) -> str | None:
    """What a file and its suffix translations share: ``a/x.en.md`` and ``a/x.md`` ->
    ``a/x.md``. None for a file without a language suffix (it may still be the
    original of a translated one: see ``extract.link_translations``)."""
    path = PurePosixPath(source)
    if not suffix_language(path.name):
        return None
    return str(path.parent / (PurePosixPath(path.stem).stem + path.suffix))


def generator_of(source: str, fields: dict[str, Any], options: ArchiveOptions) -> str | None:
    if options.generator:
        return options.generator
    if "_posts" in PurePosixPath(source).parts[:-1]:
        return "jekyll"
    return None


def finish_post(document: Document, post: Post, options: ArchiveOptions) -> Post:
    """The Post ``build_post`` made, with what the generator's conventions add and the
    languages decided."""
    fields = document.fields
    generator = generator_of(post.source, fields, options)
    changes: dict[str, Any] = {}
    path = PurePosixPath(post.source)
    if generator == "jekyll":
        match = _JEKYLL_NAME.fullmatch(path.stem)
        if match and not fields.get("slug"):
            changes["slug"] = match.group(4)
        categories = fields.get("categories") or fields.get("category")
        if isinstance(categories, str) and "," not in categories and ";" not in categories:
            changes["categories"] = normalize_categories(tuple(categories.split()))
    link = fields.get("link")
    if isinstance(link, str) and re.match(r"https?://\S+\Z", link.strip()):
        changes["links"] = (Link(link.strip(), post.title, None), *post.links)
    given = given_language(fields, post.source, options.lang)
    parts: list[Part] = [(None, post.text, [b.text for b in document.blocks])]
    for section, parsed in zip(post.sections, document.sections, strict=False):
        parts.append((section.anchor, section.text, [b.text for b in parsed.blocks]))
    languages = post_languages(given, post.title, parts)
    changes["lang"] = languages.post
    if languages.post:
        changes["sections"] = tuple(
            replace(s, lang=lang if lang != languages.post else "")
            for s, lang in zip(post.sections, languages.sections, strict=True)
        )
        changes["lang_spans"] = languages.spans
    if generator == "mkdocs" and post.date is None:
        date = mkdocs_date(post, languages.post)
        if date:
            changes["date"] = date
    return replace(post, **changes)


def mkdocs_date(post: Post, lang: str) -> str | None:
    """A page's date from its title or first heading, else its file name, else its
    folder names (``2010/07/24/x.md``); dates in words in the page's language."""
    texts = [post.title] + [s.title for s in post.sections[:1]]
    path = PurePosixPath(post.source)
    texts.append(path.stem.replace("_", " "))
    for text in texts:
        found = find_date(text, lang)
        if found:
            return found
    match = _FOLDER_DATE.search(str(path.parent))
    if match:
        return find_date("-".join(match.groups()), lang)
    return None


def find_date(text: str, lang: str) -> str | None:
    """The first date (day, month and year) written in ``text``, as ISO 8601, or None.

    Numbers are read in the order the language writes them (``20/09/2018`` is the 20th
    of September in Italian); months and weekdays in words in that language or in
    English (dateparser)."""
    candidates = [m.group() for m in _NUMERIC_DATE.finditer(text)]
    for match in _WORDS_DATE.finditer(text):
        candidates.append(match.group())
        if match.group("weekday"):  # "Meetup 7 settembre 2018": not a weekday after all
            candidates.append(match.group()[match.end("weekday") - match.start() :])
    for candidate in candidates:
        parsed = _parse_date(candidate, lang)
        if parsed is not None:
            return parsed.isoformat()
    return None


def _parse_date(text: str, lang: str) -> datetime | None:
    if re.fullmatch(r"\d{4}[./_-]\d{1,2}[./_-]\d{1,2}", text):
        year, month, day = (int(x) for x in re.split(r"[./_-]", text))
        try:
            return datetime(year, month, day)
        except ValueError:
            return None
    # numbers alone: in the language's order only ("10/03/2022" is March in Italian)
    words = any(ch.isalpha() for ch in text)
    languages = [lang, "en"] if words and lang != "en" else [lang]
    parser = _date_parser(tuple(languages))
    try:
        found = parser.get_date_data(text)
    except (ValueError, OverflowError, KeyError):
        return None
    parsed: datetime | None = found.date_obj if found else None
    return parsed


@lru_cache(maxsize=32)
def _date_parser(languages: tuple[str, ...]) -> Any:
    """dateparser's parser for these languages (imported on first use: a date in words
    is rare, and dateparser takes a moment to import). Strict: a day, a month and a
    year must all be written."""
    from dateparser import DateDataParser

    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    try:
        return DateDataParser(languages=list(languages), settings=settings)
    except ValueError:  # a language dateparser does not know
        return DateDataParser(languages=["en"], settings=settings)
