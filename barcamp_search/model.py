"""The data handed between stages: what a reader finds in one source file
(:class:`Document`) and the finished :class:`Post` that the indexer stores.

Also the few normalisation rules every reader shares: list splitting, tag and
author clean-up. This module imports nothing of ours.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

LINK_SCHEMES = ("http", "https", "mailto")


SORTS = ("relevance", "newest", "oldest")  # the orders of search results


@dataclass(frozen=True)
class Block:
    """A piece of running text the people finder may read.

    Readers emit blocks only for text a visitor reads as prose: paragraphs,
    list items, definition-list terms and definitions, block quotes, table
    cells. Literal/code blocks, comments, raw HTML passthrough and docutils'
    own messages never become blocks, so they can never yield a speaker.
    """

    kind: str  # "paragraph", "item", "term", "definition", "quote", "cell"
    text: str  # plain text (inline markup removed), source line breaks kept
    line: int | None = None  # 1-based line in the source file, when known


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    section: str | None = None  # anchor of the section holding it; None = post intro


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # "speaker", "participant", "reporter" or "host"
    section: str | None = None  # anchor of the section it was found in


@dataclass(frozen=True)
class ReadWarning:
    line: int | None
    message: str


@dataclass(frozen=True)
class ParsedSection:
    """A section as a reader finds it (heading plus its own content, not its children's)."""

    anchor: str
    title: str
    level: int  # 1 = top-level section of the post (the post title is not a section)
    parent: str | None  # anchor of the enclosing section
    text: str  # plain text of this section's own content, paragraphs separated by blank lines
    blocks: tuple[Block, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Document:
    """What a reader returns for one source file, before normalisation.

    ``fields`` holds the metadata exactly as written, keys lower-cased
    (``date``, ``tags``, ``author``, ``authors``, ``category``, ``summary``,
    ``slug``, ``lang``, ``status``, ``title``, ``modified``, ``translation``,
    and any other key the file has). Values are ``str`` or, where the source
    format itself makes a list (YAML list, docutils ``authors`` node, reST
    bullet list), ``tuple[str, ...]``. Dates from YAML are ISO strings.
    """

    title: str | None
    fields: dict[str, Any]
    text: str  # text before the first section
    blocks: tuple[Block, ...]  # blocks before the first section
    sections: tuple[ParsedSection, ...]
    links: tuple[Link, ...]
    warnings: tuple[ReadWarning, ...] = ()


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    level: int
    parent: str | None
    text: str
    speakers: tuple[str, ...] = ()
    lang: str = ""  # ISO 639-1 of this section when it is not the post's language


@dataclass(frozen=True)
class LangSpan:
    """Where a part of a post that mixes languages is in one language: characters
    ``start:end`` of the post's ``text`` (``section`` None) or of that section's text."""

    section: str | None  # anchor of the section; None = the post's text before its sections
    start: int
    end: int
    lang: str  # ISO 639-1


@dataclass(frozen=True)
class Post:
    """One post of an archive, ready to index. Identity = (archive, source)."""

    archive: str
    source: str  # posix path relative to the archive folder
    format: str  # "rst" or "markdown"
    slug: str
    url: str | None
    title: str
    date: str | None  # ISO 8601
    modified: str | None
    lang: str
    status: str  # "published", "draft" or "hidden"
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    summary: str
    text: str  # the post's own text, before its first section
    sections: tuple[Section, ...]
    links: tuple[Link, ...]
    people: tuple[Person, ...]
    speakers: tuple[str, ...]
    translations: tuple[str, ...] = ()  # sources of the same post in other languages
    lang_spans: tuple[LangSpan, ...] = ()  # only for posts whose parts mix languages
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``barcamp-search extract --json``."""
        return {
            "archive": self.archive,
            "source": self.source,
            "format": self.format,
            "slug": self.slug,
            "url": self.url,
            "title": self.title,
            "date": self.date,
            "modified": self.modified,
            "lang": self.lang,
            "status": self.status,
            "categories": list(self.categories),
            "tags": list(self.tags),
            "authors": list(self.authors),
            "summary": self.summary,
            "text": self.text,
            "sections": [
                {
                    "anchor": s.anchor,
                    "title": s.title,
                    "level": s.level,
                    "parent": s.parent,
                    "text": s.text,
                    "speakers": list(s.speakers),
                    "lang": s.lang or self.lang,
                }
                for s in self.sections
            ],
            "links": [{"url": x.url, "text": x.text, "section": x.section} for x in self.links],
            "people": [{"name": p.name, "role": p.role, "section": p.section} for p in self.people],
            "speakers": list(self.speakers),
            "translations": list(self.translations),
            "lang_spans": [
                {"section": x.section, "start": x.start, "end": x.end, "lang": x.lang}
                for x in self.lang_spans
            ],
            "warnings": list(self.warnings),
        }


# --- normalisation shared by every reader -----------------------------------

# An address in running text, and the obfuscated forms people use in author fields.
# The local part starts a word and is at most 64 characters (RFC 5321): without those
# bounds the scan is quadratic on a long run of word characters (a 12,000-character line).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}(?:@|\s+AT\s+|\s*\[at\]\s*)[\w-]+(?:\.[\w-]+)*"
)
_PARENS = re.compile(r"\s*\([^()]*\)")
# Between the names of a list of people: "A, B and C", "A; B", "A & B", "A et B".
NAMES_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and|et)\s+|,|;|&|\s+and\s+|\s+et\s+)\s*", re.IGNORECASE)
_AUTHOR_JOIN = re.compile(r"\s*(?:&|\s+and\s+|\s+et\s+)\s*", re.IGNORECASE)
_EMPTY_ANGLES = re.compile(r"<\s*>")  # what is left of "Name <a@b.example>"
_LEADING_JOIN = re.compile(r"^(?:and|et|&)\s+", re.IGNORECASE)  # "Greg, and David" lists
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def clean_text(value: str) -> str:
    """NFC-normalise, drop control and bidi-override characters, fold white space runs."""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value)
    return _SPACES.sub(" ", value).strip()


def split_list(value: Any) -> list[str]:
    """Pelican's list rule: split on ';' if present, else ','; strip; drop empties."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items: list[str] = []
        for item in value:
            items.extend(
                split_list(item) if isinstance(item, str) and (";" in item) else [str(item)]
            )
        return [clean_text(i) for i in items if i is not None and clean_text(str(i))]
    text = str(value)
    separator = ";" if ";" in text else ","
    return [clean_text(part) for part in text.split(separator) if clean_text(part)]


def dedupe(values: list[str], key: Any = None) -> tuple[str, ...]:
    """Remove duplicates, keeping the first spelling and the order."""
    seen: set[Any] = set()
    kept: list[str] = []
    for value in values:
        marker = key(value) if key else value
        if marker in seen:
            continue
        seen.add(marker)
        kept.append(value)
    return tuple(kept)


def tag_key(tag: str) -> str:
    """What makes two tags the same tag: case, spacing and hyphen/space variants."""
    return re.sub(r"[\s_-]+", " ", unicodedata.normalize("NFC", tag).casefold()).strip()


def normalize_tags(value: Any) -> tuple[str, ...]:
    """``python,nantes, PyConFr`` -> ``('python', 'nantes', 'pyconfr')``.

    Tags are lower-cased (keeping accents) and variants merged, so facets show
    one value per tag.
    """
    tags = [_SPACES.sub(" ", t.lower()) for t in split_list(value)]
    return dedupe(tags, key=tag_key)


def normalize_categories(value: Any) -> tuple[str, ...]:
    """Comma lists, trimmed; case/spacing variants merged, first spelling kept."""
    return dedupe(split_list(value), key=tag_key)


EMAIL_PLACEHOLDER = "[e-mail]"


def strip_emails(value: str) -> str:
    """Replace e-mail addresses (``a@b.example``) in running text by ``[e-mail]``:
    the sentence keeps its shape (no empty hole), the address is never stored."""
    return _EMAIL.sub(EMAIL_PLACEHOLDER, value)


class _PlainText(HTMLParser):
    """Text of an HTML fragment as a browser shows it: tags dropped, entities
    decoded, ``<script>``/``<style>`` content left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


# Strong emphasis markers of Markdown left in a metadata value: "**bold**". ("__" is
# left alone: "__init__" in a title is a name.)
_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*")  # [^*]: linear time


def plain_text(value: str) -> str:
    """A metadata value written as HTML/Markdown (Pelican titles, summaries,
    authors, tags) as plain text: tags stripped, entities decoded (``&#8217;`` ->
    ``’``), ``**strong**`` markers removed, white space folded."""
    if "<" in value or "&" in value:
        parser = _PlainText()
        try:
            parser.feed(value)
            parser.close()
            value = "".join(parser.parts)
        except Exception:  # noqa: BLE001 - html.parser has a few AssertionErrors
            pass
    if "**" in value:
        value = _STRONG.sub(r"\1", value).replace("**", "")
    return clean_text(value)


def split_people(value: Any) -> tuple[str, ...]:
    """Split an author field: ``A, B and C``, ``A & B``, ``A et B``, lists.

    Pelican's rule comes first: a value containing ``;`` is split on ``;``
    only, and items of a list (docutils ``authors`` node, YAML list) are not
    split on commas (``Author, First; Author, Second`` is two people). Strips
    ``(email)`` and ``(nick)`` parentheses and any e-mail address.
    """
    if isinstance(value, (list, tuple)):
        raw, split_commas = [str(v) for v in value], False
    elif value:
        raw, split_commas = [str(value)], ";" not in str(value)
        if not split_commas:
            raw = str(value).split(";")
    else:
        return ()
    names: list[str] = []
    for item in raw:
        text = _EMAIL_OBFUSCATED.sub("", _PARENS.sub("", item))
        parts = NAMES_SEPARATOR.split(text) if split_commas else _AUTHOR_JOIN.split(text)
        for part in parts:
            name = _LEADING_JOIN.sub("", clean_text(_EMPTY_ANGLES.sub("", part))).strip(" .,:;")
            if name and any(ch.isalpha() for ch in name):
                names.append(name)
    return dedupe(names, key=lambda n: n.casefold())


_DATE_DEFAULT = datetime(2000, 1, 1)
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b")


def parse_date(value: Any) -> str:
    """Any date form of the archives -> ISO 8601 (``YYYY-MM-DDTHH:MM:SS[+HH:MM]``).

    ``2014-07-31``, ``2012-11-09 14:20``, ``2008/11/04 01:15:00 GMT-5``,
    ``2014-10-27T10:45:00+05:30``, ``2019-03-01 10:00:00 +0530``. Parsed with
    dateutil as Pelican's ``get_date`` does, except that ``GMT-5`` means five
    hours behind UTC (dateutil reads it POSIX-style, the other way round).
    Raises ValueError with the offending value.
    """
    text = _SPACES.sub(" ", str(value)).strip()
    if not text:
        raise ValueError("empty date")
    # "GMT-5" as people mean it: UTC-05:00.
    text = _GMT_OFFSET.sub(
        lambda m: f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", text
    )
    from dateutil import parser as date_parser  # imported here: only the indexer reads dates

    try:
        parsed = date_parser.parse(text, default=_DATE_DEFAULT)
    except (ValueError, OverflowError, TypeError) as error:
        raise ValueError(f"{str(value)!r} is not a date") from error
    return parsed.isoformat()
