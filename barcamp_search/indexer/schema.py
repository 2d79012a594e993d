"""The Whoosh schema and the mapping Post -> index documents.

One document per section plus one for each post's own text (``kind`` =
``post``), all carrying the post's fields, so a hit lands on the section that
matched and results group by post (``post`` key). A ``stub`` document records
the file stamp of a source that yields nothing searchable (draft, unreadable).
Text fields are analysed per document (or section) language (``*_fr``, ``*_de``,
``*_cjk``..., see
``analysis``); the facet fields come from the registry (``barcamp_search.facets``).

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
from typing import Any
from urllib.parse import urlsplit

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from barcamp_search.facets import all_facets, counted_facets
from barcamp_search.indexer.analysis import (
    LANGUAGES,
    IndexPositions,
    index_language,
    language_analyzer,
    name_analyzer,
    spell_analyzer,
)
from barcamp_search.model import Post

SCHEMA_VERSION = 7

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
            # CJK: a word typed with no spaces is its bigrams in a row (a phrase)
            field = TEXT(
                analyzer=analyzer, multitoken_query="phrase" if lang == "cjk" else "default"
            )
            assert field.format is not None  # a TEXT field always has one
            field.format = IndexPositions(field_boost=field.format.field_boost)
            fields[f"{name}_{lang}"] = field
    return Schema(**fields)


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
        "archive": post.archive,
        "source": post.source,
        "slug": post.slug,
        "url": post.url,
        "title": post.title,
        "date": post.date,
        "lang": post.lang,
        "tags": list(post.tags),
        "authors": list(post.authors),
        "speakers": list(post.speakers),
        "categories": list(post.categories),
        "summary": post.summary,
        "format": post.format,
        "translations": list(post.translations),
        "modified": post.modified,
        "links": [{"url": x.url, "text": x.text, "section": x.section} for x in post.links],
        "sections": [
            {"anchor": x.anchor, "title": x.title, "level": x.level, "speakers": list(x.speakers)}
            for x in post.sections
        ],
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
    return [tuple(r.split(UNIT)) if r else () for r in records] or [()] * len(counted_facets())


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
        # a section in another language than its post ("English text below")
        section_lang = index_language(getattr(section, "lang", None) or post.lang)
        yield {
            **common,
            "kind": "section",
            "heading": section.title,
            "anchor": section.anchor,
            "text": section.text,
            f"heading_{section_lang}": section.title,
            f"body_{section_lang}": section.text,
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
    return {
        "post": key,
        "kind": "stub",
        "archive": archive,
        "source": source,
        "data": {"reason": reason},
        "ledger": ledger_value("stub", source, stamp),
    }
