"""From a reader's ``Document`` to a finished ``Post``: metadata normalisation.

Title, date, slug, URL, language, status, tags, categories, authors and people
are decided here, the same way for every format, following Pelican's rules
where Pelican has one (slug from the title, ``{slug}.html`` URLs,
``pages/{slug}.html`` for pages, date from the file name when no field gives
one). Oversized values are capped with a warning so one bad header cannot
swamp the index or the facets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urljoin, urlsplit

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import (
    LINK_SCHEMES,
    Document,
    Link,
    Person,
    Post,
    Section,
    clean_text,
    dedupe,
    normalize_categories,
    normalize_tags,
    parse_date,
    plain_text,
    split_people,
    strip_emails,
)
from barcamp_search.read.names import clean_author
from barcamp_search.read.people import MAX_NAME_LENGTH, find_people, section_speakers
from barcamp_search.read.people_i18n import find_speakers
from barcamp_search.read.slugs import slugify

MAX_TITLE = 300
MAX_TAGS = 100
MAX_TAG_LENGTH = 80
MAX_AUTHORS = 30
MAX_SUMMARY = 2000
MAX_SECTIONS = 2000
STATUSES = {"published": "published", "draft": "draft", "hidden": "hidden", "skip": "draft"}
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})[-_](\d{2})[-_](\d{2})(?!\d)")
_WORDS = re.compile(r"[a-zàâçéèêëîïôûùüÿœ']+")
_FRENCH = frozenset(
    "le la les des du un une et est nous vous pour avec dans sur qui que pas au aux "
    "ce cette sont été par plus ou mais très".split()
)
_ENGLISH = frozenset(
    "the and of to is in for with on we you this that are was by be at from "
    "our will have it an as".split()
)


@dataclass
class _Context:
    """What build_post collects along the way: the warnings, with the source."""

    source: str
    warnings: list[str]

    def warn(self, message: str, line: int | None = None) -> None:
        where = f"{self.source}:{line}" if line else self.source
        self.warnings.append(f"{where}: {message}")


def build_post(
    document: Document,
    source: str,
    fmt: str,
    options: ArchiveOptions,
    decode_warnings: list[str] | None = None,
) -> Post:
    """Normalise a reader's Document into the Post the index stores."""
    context = _Context(source, [])
    for message in decode_warnings or ():
        line = None
        match = re.match(r"line (\d+): (.*)", message)
        if match:
            line, message = int(match.group(1)), match.group(2)
        context.warn(message, line)
    for warning in document.warnings:
        context.warn(warning.message, warning.line)
    fields = document.fields
    sections = document.sections
    if len(sections) > MAX_SECTIONS:
        context.warn(f"{len(sections)} sections; only the first {MAX_SECTIONS} are kept")
        sections = sections[:MAX_SECTIONS]
    markup = fmt == "markdown"  # Pelican reads these metadata values as HTML
    title = _title(document, source, context, markup)
    slug = clean_text(str(fields.get("slug") or "")) or slugify(title) or _stem(source)
    date = _date(fields.get("date"), "date", source, context)
    modified = _date(fields.get("modified") or fields.get("lastmod"), "modified", None, context)
    text = _lone_strong(strip_emails(document.text))
    lang = _lang(fields.get("lang"), options.lang, title, text, sections)
    status = _status(fields.get("status"), context)
    categories = _capped(
        normalize_categories(fields.get("category") or fields.get("categories")),
        "categories",
        context,
    )
    tags = _capped(normalize_tags(_plain(fields.get("tags"), markup)), "tags", context)
    authors = _capped(_authors(_plain(_authors_field(fields), markup), context), "authors", context)
    url = _url(options, fields, source, slug, lang, date, categories)
    people = list(_people(document, context))
    if authors and _authors_are_speakers(options, source):
        people = [Person(name, "speaker", None) for name in authors] + people
        authors = ()
    by_section = section_speakers(document, people)
    return Post(
        archive=options.name,
        source=source,
        format=fmt,
        slug=slug,
        url=url,
        title=title,
        date=date,
        modified=modified,
        lang=lang,
        status=status,
        categories=categories,
        tags=tags,
        authors=authors,
        summary=_summary(fields.get("summary") or fields.get("description"), context, markup),
        text=text,
        sections=tuple(
            Section(
                s.anchor,
                strip_emails(clean_text(s.title)),
                s.level,
                s.parent,
                _lone_strong(strip_emails(s.text)),
                by_section.get(s.anchor, ()),
            )
            for s in sections
        ),
        links=_links(document.links, url or options.site_url),
        people=tuple(people),
        speakers=dedupe([p.name for p in people if p.role == "speaker"], key=str.casefold),
        warnings=tuple(context.warnings),
    )


def _stem(source: str) -> str:
    return PurePosixPath(source).stem


def _plain(value: Any, markup: bool) -> Any:
    """A metadata value (text or list) as plain text when its format writes it as HTML."""
    if not markup or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return tuple(plain_text(str(v)) for v in value)
    return plain_text(str(value))


# A line that is only "** words **": strong emphasis Markdown and reST both leave as
# written (spaces inside the markers); never a line of code in the archives.
_LONE_STRONG = re.compile(r"^([ \t]*)\*\*[ \t]*([^*\n]*?[^*\s])[ \t]*\*\*[ \t]*$", re.MULTILINE)


def _lone_strong(text: str) -> str:
    return _LONE_STRONG.sub(r"\1\2", text) if "**" in text else text


def _title(document: Document, source: str, context: _Context, markup: bool = False) -> str:
    title = document.title or str(document.fields.get("title") or "")
    if not title.strip() and document.sections:
        title = document.sections[0].title
    if not title.strip():
        context.warn("no title; using the file name")
        title = _stem(source)
    title = plain_text(title) if markup else clean_text(title)
    if len(title) > MAX_TITLE:
        context.warn(f"title longer than {MAX_TITLE} characters, truncated")
        title = title[:MAX_TITLE].rstrip() + "…"
    return title


def _date(value: Any, name: str, source: str | None, context: _Context) -> str | None:
    if value is not None and str(value).strip():
        try:
            return parse_date(value)
        except ValueError as error:
            context.warn(f"{name}: {error}; left empty")
            return None
    if source:
        match = _FILENAME_DATE.search(PurePosixPath(source).name)
        if match:
            try:
                return parse_date("-".join(match.groups()))
            except ValueError:
                return None
    return None


def _lang(value: Any, default: str | None, title: str, text: str, sections: tuple[Any, ...]) -> str:
    """The field, else the archive's language, else a guess from common words."""
    if value and str(value).strip():
        return clean_text(str(value)).lower()[:10]
    if default:
        return default
    sample = " ".join([title, text] + [s.text for s in sections[:5]])[:5000].lower()
    words = _WORDS.findall(sample)
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "fr" if french > english else "en"


def _status(value: Any, context: _Context) -> str:
    if not value:
        return "published"
    status = STATUSES.get(str(value).strip().lower())
    if status is None:
        context.warn(f"unknown status {str(value)[:40]!r}; taken as published")
        return "published"
    return status


def _capped(values: tuple[str, ...], name: str, context: _Context) -> tuple[str, ...]:
    limit = MAX_TAGS if name != "authors" else MAX_AUTHORS
    length = MAX_TAG_LENGTH if name != "authors" else MAX_NAME_LENGTH
    if len(values) > limit:
        context.warn(f"{len(values)} {name}; only the first {limit} are kept")
        values = values[:limit]
    if any(len(v) > length for v in values):
        context.warn(f"{name} longer than {length} characters truncated")
        values = dedupe([v[:length].rstrip() for v in values])
    return values


def _authors(value: Any, context: _Context) -> tuple[str, ...]:
    """The people of an author field, without the dates or roles written into it."""
    names: list[str] = []
    for raw in split_people(value):
        name, warning = clean_author(raw)
        if warning:
            context.warn(warning)
        if name:
            names.append(name)
    return dedupe(names, key=str.casefold)


def _authors_field(fields: dict[str, Any]) -> Any:
    authors = fields.get("authors") or fields.get("author")
    return authors


def _authors_are_speakers(options: ArchiveOptions, source: str) -> bool:
    setting = options.authors_are_speakers
    if isinstance(setting, bool):
        return setting
    return any(PurePosixPath(source).match(glob) for glob in setting)


def _summary(value: Any, context: _Context, markup: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    summary = strip_emails(plain_text(str(value)) if markup else clean_text(str(value)))
    if len(summary) > MAX_SUMMARY:
        context.warn(f"summary longer than {MAX_SUMMARY} characters, truncated")
        summary = summary[:MAX_SUMMARY].rstrip() + "…"
    return summary


def _url(
    options: ArchiveOptions,
    fields: dict[str, Any],
    source: str,
    slug: str,
    lang: str,
    date: str | None,
    categories: tuple[str, ...],
) -> str | None:
    """Site URL + the post's path: a ``url`` field (Hugo permalinks), else the
    archive's pattern, else Pelican's defaults. Without a site URL: the post's own
    ``url``/``permalink`` field (an absolute URL as written, a path from the site root),
    else None."""
    own = fields.get("url") or fields.get("permalink")
    own = own.strip() if isinstance(own, str) else ""
    if not options.site_url:
        return _own_url(own)
    base = options.site_url.rstrip("/") + "/"
    explicit = own or fields.get("save_as")
    if isinstance(explicit, str) and explicit.strip():
        return urljoin(base, explicit.strip().lstrip("/"))
    path = PurePosixPath(source)
    is_page = "pages" in path.parts[:-1]
    pattern = options.url_pattern or ("pages/{slug}.html" if is_page else "{slug}.html")
    values = {
        "slug": slug,
        "lang": lang,
        "path": path.with_suffix("").as_posix(),
        "stem": path.stem,
        "year": (date or "")[:4],
        "month": (date or "")[5:7],
        "day": (date or "")[8:10],
        "category": slugify(categories[0]) if categories else "",
    }
    try:
        relative = pattern.format(**values)
    except (KeyError, IndexError, ValueError):
        relative = f"{slug}.html"
    return urljoin(base, relative.lstrip("/"))


def _own_url(value: str) -> str | None:
    """A post's own ``url`` field: an http(s) URL as written, a path from the site root."""
    if not value or re.search(r"\s", value):
        return None
    scheme = urlsplit(value).scheme.lower()
    if scheme:
        return value if scheme in ("http", "https") else None
    return "/" + value.lstrip("/")


def _links(links: tuple[Link, ...], base: str | None) -> tuple[Link, ...]:
    """Absolute http(s) links only: relative ones resolved against the post URL
    (or the site URL), fragments and other schemes dropped. ``mailto:`` is an
    allowed scheme but its target is an e-mail address, which we never store."""
    kept: list[Link] = []
    for link in links:
        url = re.sub(r"\s+", "", link.url)
        if not url or url.startswith("#"):
            continue
        scheme = urlsplit(url).scheme.lower()
        if not scheme:
            if not base:
                continue
            url = urljoin(base, url)
            scheme = urlsplit(url).scheme.lower()
        if scheme not in LINK_SCHEMES or scheme == "mailto":
            continue
        text = strip_emails(clean_text(link.text))[:300]
        kept.append(Link(url, text, link.section))
    return tuple(kept)


def _people(document: Document, context: _Context) -> tuple[Person, ...]:
    """People named in English and French (``people``) and the speakers of the other
    languages' forms (``people_i18n``: ``por X``, ``Referent: X``, ``X さん``…), a name
    both find kept once."""
    persons, warnings = find_people(document)
    for warning in warnings:
        context.warn(warning.message, warning.line)
    known = {p.name.casefold() for p in persons}
    extra = [p for p in find_speakers(document) if p.name.casefold() not in known]
    return tuple(p for p in (*persons, *dict.fromkeys(extra)) if "@" not in p.name)
