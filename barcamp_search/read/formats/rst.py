"""reST reader stage: Pelican-style reStructuredText -> :class:`barcamp_search.model.Document`.

Input: the decoded text of one ``.rst`` post (BOM removed, LF line ends, no NUL)
and a source name used in messages. Output: a ``Document`` with the promoted
title, the docinfo fields (keys lower-cased), the text and prose blocks before
the first section, one ``ParsedSection`` per docutils section, the external
links of the body and the warnings docutils raised.

Structure comes only from the doctree. docutils runs with hardened settings
computed once at import (no file or URL insertion, no raw passthrough, no
config files, nothing printed or written, long lines allowed) and only the
transforms a reader needs: substitutions, title and docinfo promotion,
footnotes and hyperlink resolution.

Choices:

* docutils' subtitle promotion is not applied: a lone subsection (an afpyro
  post about one city) stays a section, so its heading remains searchable.
* literal blocks count as text (code is searchable) but never become blocks;
  comments, raw passthrough, the ``contents`` table and docutils' messages
  are neither text nor blocks.
* a ``problematic`` node (unknown role, dangling reference, missing
  substitution) yields the text a reader would see: ``:ref:`Title <x>``` ->
  ``Title``, ``:doc:`x``` -> ``x``, ``name_`` -> ``name``, ``|sub|`` -> ``sub``.
  A disabled ``raw`` role yields nothing.
* the ``email`` field is dropped and docinfo never yields links.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docutils import nodes, utils
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser, roles
from docutils.readers.standalone import Reader
from docutils.transforms import Transform, frontmatter, references

from barcamp_search.model import Block, Document, Link, ParsedSection, ReadWarning

if TYPE_CHECKING:
    from docutils.frontend import Values

__all__ = ["read_rst", "MAX_LINE", "MAX_WARNINGS"]

MAX_WARNINGS = 50
MAX_LINE = 1_000_000  # longer lines are cut (with a warning) rather than losing the post
_MAX_MESSAGE = 200
_DROPPED_FIELDS = frozenset({"email"})

_SAFE_OVERRIDES: dict[str, Any] = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "report_level": 5,
    "halt_level": 5,  # above SEVERE: never printed, never raised
    "warning_stream": False,  # replaced per call by an io.StringIO
    "syntax_highlight": "none",
    "input_encoding": "unicode",
    "embed_stylesheet": False,
    "line_length_limit": 8 * MAX_LINE + 8,  # tabs expand to 8 spaces; MAX_LINE applies first
    "traceback": True,
    "record_dependencies": None,
    "smart_quotes": False,
    "debug": False,
    "language_code": "en",
    "doctitle_xform": True,
    "docinfo_xform": True,
    "sectsubtitle_xform": False,
}


def _make_settings() -> Values:
    settings = get_default_settings(Parser, Reader)
    for name, value in _SAFE_OVERRIDES.items():
        setattr(settings, name, value)
    return settings


class _PromoteTitleOnly(frontmatter.DocTitle):
    """Pelican's document-title promotion, without turning a lone subsection into a subtitle.

    A Nikola post (``.. title:`` comment metadata) has its title in the metadata: its
    headings all stay sections, as Nikola shows them."""

    def promote_title(self, node: nodes.Element) -> bool:
        if isinstance(node, nodes.document) and "title" in nikola_fields(node):
            return False
        return bool(super().promote_title(node))

    def promote_subtitle(self, node: nodes.Element) -> bool:
        return False


# One line of Nikola's comment metadata: ".. title: Reunión del Grupo", ".. link:".
_NIKOLA_FIELD = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+([^\n]*))?")


def nikola_fields(document: nodes.document) -> dict[str, str]:
    """Nikola's comment metadata: the ``.. key: value`` comments that open the document,
    keys lower-cased, empty values left out. Empty unless a ``title`` or ``slug`` is among
    them (a comment that merely looks like ``key: value`` is no metadata)."""
    fields: dict[str, str] = {}
    for child in document.children:
        if not isinstance(child, nodes.comment):
            break
        match = _NIKOLA_FIELD.fullmatch(child.astext().strip())
        if match is None:
            break
        value = (match.group(2) or "").strip()
        if value:
            fields.setdefault(match.group(1).lower(), value)
    return fields if {"title", "slug"} & fields.keys() else {}


class _SubstitutionBudget(Transform):
    """Refuses substitutions that would expand into too many nodes (``|a|`` defined
    as four ``|b|``, each four ``|c|``... is 4**12 nodes): their references are
    left as plain text, with a warning."""

    default_priority = references.Substitutions.default_priority - 1
    budget = 10_000

    def apply(self) -> None:
        definitions: dict[str, list[str]] = {}
        for definition in self.document.findall(nodes.substitution_definition):
            refs = [r["refname"] for r in definition.findall(nodes.substitution_reference)]
            for name in definition["names"]:
                definitions[nodes.fully_normalize_name(name)] = refs
        if not definitions:
            return
        sizes: dict[str, int] = {}

        def size(name: str) -> int:
            if name not in sizes:
                sizes[name] = self.budget  # a cycle counts as too much
                children = definitions.get(name, [])
                total = 1 + sum(size(child) for child in children[: self.budget])
                sizes[name] = min(total, self.budget * 10)
            return sizes[name]

        references_ = list(self.document.findall(nodes.substitution_reference))
        total = sum(size(nodes.fully_normalize_name(r["refname"])) for r in references_)
        if total <= self.budget:
            return
        for reference in references_:
            reference.replace_self(nodes.Text(reference.astext()))
        self.document.reporter.warning(
            f"substitutions would expand to more than {self.budget:,} nodes; left as text"
        )


_SETTINGS = _make_settings()
_TRANSFORMS = [
    _SubstitutionBudget,
    references.Substitutions,
    references.SectionIDs,
    references.PropagateTargets,
    _PromoteTitleOnly,
    frontmatter.DocInfo,
    references.AnonymousHyperlinks,
    references.IndirectHyperlinks,
    references.Footnotes,
    references.ExternalTargets,
    references.InternalTargets,
    references.DanglingReferences,
]

# Nodes that are neither text nor blocks.
_SKIPPED = (
    nodes.system_message,
    nodes.comment,
    nodes.raw,
    nodes.substitution_definition,
    nodes.target,
    nodes.pending,
    nodes.docinfo,
    nodes.decoration,
    nodes.label,
    nodes.image,
    nodes.colspec,
    nodes.transition,
    nodes.meta,
    nodes.classifier,  # read with its term
)
_HIDDEN_INLINE = (nodes.system_message, nodes.comment, nodes.raw, nodes.image, nodes.pending)
_CODE = (nodes.literal_block, nodes.doctest_block, nodes.math_block)
_CONTEXT_KIND = (
    (nodes.list_item, "item"),
    (nodes.definition, "definition"),
    (nodes.field_body, "definition"),
    (nodes.block_quote, "quote"),
    (nodes.entry, "cell"),
)
_ROLE = re.compile(r"\A(?::[^:`\s]+:)?`(?P<body>.*)`(?::[^:`\s]+:)?\Z", re.DOTALL)
_EMBEDDED = re.compile(r"\A(?P<title>.*?)\s*<(?P<target>[^<>]*)>\Z", re.DOTALL)


def read_rst(text: str, source: str = "<string>") -> Document:
    """Read one Pelican reST post.

    Never reads a file or opens a URL and never prints. docutils errors become
    ``ReadWarning`` entries (at most ``MAX_WARNINGS`` plus one "N more
    warnings" line). If docutils itself fails part-way, what was parsed is
    returned with a warning; ``ValueError`` is raised only when not even a
    partial document can be read. ``RecursionError`` and ``MemoryError``
    (deeply nested input) are left to the caller.
    """
    document, collector = _parse(text, source)
    try:
        return collector.build(document)
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # a half-built tree after a docutils failure
        raise ValueError(f"cannot read reST {source}: {_describe(exc)}") from exc


def _parse(text: str, source: str) -> tuple[nodes.document, _Collector]:
    settings = copy.copy(_SETTINGS)
    settings.warning_stream = io.StringIO()
    document = utils.new_document(source, settings)
    collector = _Collector()
    document.reporter.attach_observer(collector.note_message)
    saved_roles = dict(roles._roles)  # `.. role::` registers roles globally
    try:
        Parser().parse(_cut_long_lines(text, collector), document)
        document.transformer.add_transforms(_TRANSFORMS)
        document.transformer.apply_transforms()
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # docutils' SystemMessage, directive or transform bugs
        collector.warn(None, f"docutils stopped early: {_describe(exc)}")
    finally:
        roles._roles.clear()
        roles._roles.update(saved_roles)
    return document, collector


def _cut_long_lines(text: str, collector: _Collector) -> str:
    """Cut lines over ``MAX_LINE`` characters, so docutils parses the post instead of
    replacing all of it by one "line-length-limit" error."""
    if len(text) <= MAX_LINE:
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            lines[number - 1] = line[:MAX_LINE]
            collector.warn(number, f"line {number} cut to {MAX_LINE} characters")
    return "\n".join(lines)


def _describe(exc: BaseException) -> str:
    return _shorten(f"{type(exc).__name__}: {exc}")


def _shorten(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


@dataclass
class _Part:
    """The document intro or one section, while it is being collected."""

    anchor: str | None
    title: str = ""
    level: int = 0
    parent: str | None = None
    line: int | None = None
    chunks: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def add(self, text: str, kind: str | None, line: int | None) -> None:
        if not text.strip():
            return
        self.chunks.append(text.strip("\n"))
        if kind:
            self.blocks.append(Block(kind, text.strip(), line))

    def section(self) -> ParsedSection:
        return ParsedSection(
            anchor=self.anchor or "",
            title=self.title,
            level=self.level,
            parent=self.parent,
            text="\n\n".join(self.chunks),
            blocks=tuple(self.blocks),
            line=self.line,
        )


class _Collector:
    """Walks a doctree once, gathering parts, links and warnings."""

    def __init__(self) -> None:
        self.parts: list[_Part] = [_Part(anchor=None)]
        self.links: list[Link] = []
        self.warnings: list[ReadWarning] = []
        self.dropped = 0

    # --- warnings -------------------------------------------------------------

    def note_message(self, message: nodes.system_message) -> None:
        if message.get("level", 0) >= 2:
            self.warn(message.get("line"), _message_text(message))

    def warn(self, line: int | None, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(ReadWarning(line, _shorten(message)))
        else:
            self.dropped += 1

    # --- document -------------------------------------------------------------

    def build(self, document: nodes.document) -> Document:
        title_node = document[0] if len(document) and isinstance(document[0], nodes.title) else None
        title = _clean(self.inline(title_node, None)) if title_node is not None else None
        docinfo = next((c for c in document.children if isinstance(c, nodes.docinfo)), None)
        fields = _fields(docinfo, self) if docinfo is not None else {}
        for key, value in nikola_fields(document).items():
            fields.setdefault(key, value)
        if isinstance(fields.get("title"), str) and fields["title"].strip():
            title = fields["title"].strip()
        self.walk(document, self.parts[0], "paragraph")
        intro, sections = self.parts[0], tuple(p.section() for p in self.parts[1:])
        warnings = list(self.warnings)
        if self.dropped:
            warnings.append(ReadWarning(None, f"{self.dropped} more warnings"))
        return Document(
            title=title or None,
            fields=fields,
            text="\n\n".join(intro.chunks),
            blocks=tuple(intro.blocks),
            sections=sections,
            links=tuple(self.links),
            warnings=tuple(warnings),
        )

    # --- body -----------------------------------------------------------------

    def walk(self, node: nodes.Element, part: _Part, kind: str) -> None:
        for child in node.children:
            if isinstance(child, nodes.title) and isinstance(node, (nodes.document, nodes.section)):
                continue  # read by build() and open_section()
            self.visit(child, part, kind)

    def visit(self, node: nodes.Node, part: _Part, kind: str) -> None:
        if isinstance(node, _SKIPPED) or _is_contents(node):
            return
        line = _line(node)
        if isinstance(node, nodes.section):
            self.walk(node, self.open_section(node, part), "paragraph")
        elif isinstance(node, _CODE):
            part.add(self.inline(node, part.anchor), None, line)
        elif isinstance(node, nodes.term):
            part.add(self.term_text(node, part.anchor), "term", line)
        elif isinstance(node, nodes.field_name):
            part.add(self.inline(node, part.anchor), "term", line)
        elif isinstance(node, nodes.line_block):
            part.add(self.line_block_text(node, part.anchor), kind, line)
        elif isinstance(node, (nodes.paragraph, nodes.caption)):
            part.add(self.inline(node, part.anchor), kind, line)
        elif isinstance(node, nodes.attribution):
            part.add(self.inline(node, part.anchor), "quote", line)
        elif isinstance(node, nodes.reference):  # a block-level image with :target:
            self.child_text(node, part.anchor, True)
        elif isinstance(node, (nodes.TextElement, nodes.Text)):
            part.add(self.child_text(node, part.anchor, True), None, line)
        elif isinstance(node, nodes.Element):
            self.walk(node, part, _context_kind(node, kind))

    def open_section(self, node: nodes.section, parent: _Part) -> _Part:
        ids = node.get("ids") or [f"section-{len(self.parts)}"]
        title_node = node[0] if len(node) and isinstance(node[0], nodes.title) else None
        part = _Part(anchor=ids[0], level=parent.level + 1, parent=parent.anchor)
        if title_node is not None:
            part.title = _clean(self.inline(title_node, part.anchor))
            part.line = _line(title_node)
        self.parts.append(part)
        return part

    def term_text(self, term: nodes.term, section: str | None) -> str:
        text = self.inline(term, section)
        for sibling in term.parent.children[term.parent.index(term) + 1 :]:
            if not isinstance(sibling, nodes.classifier):
                break
            text += " : " + self.inline(sibling, section)
        return text

    def line_block_text(self, node: nodes.line_block, section: str | None) -> str:
        lines = []
        for child in node.children:
            if isinstance(child, nodes.line_block):
                lines.append(self.line_block_text(child, section))
            elif isinstance(child, nodes.line):
                lines.append(self.inline(child, section))
        return "\n".join(lines)

    # --- inline ---------------------------------------------------------------

    def inline(self, node: nodes.Element, section: str | None, links: bool = True) -> str:
        """Visible text of an element's children; records external links when ``links``."""
        return "".join(self.child_text(child, section, links) for child in node.children)

    def child_text(self, node: nodes.Node, section: str | None, links: bool) -> str:
        if isinstance(node, nodes.Text):
            return node.astext()
        if isinstance(node, _HIDDEN_INLINE):
            return ""
        if isinstance(node, nodes.problematic):
            return _problematic_text(node)
        text = self.inline(node, section, links)
        if links and isinstance(node, nodes.reference) and node.get("refuri"):
            self.links.append(Link(node["refuri"], _link_text(node, text), section))
        return text


def _fields(docinfo: nodes.docinfo, collector: _Collector) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in docinfo.children:
        if isinstance(child, nodes.field) and len(child) == 2:
            key = _clean(child[0].astext()).lower()
            value: Any = _field_value(child[1], collector)
        elif isinstance(child, nodes.authors):
            key = "authors"
            value = tuple(_clean(collector.inline(a, None, links=False)) for a in child.children)
        elif isinstance(child, nodes.Element):
            key, value = child.tagname, _clean(collector.inline(child, None, links=False))
        else:
            continue
        if key and key not in _DROPPED_FIELDS:
            fields[key] = value
    return fields


def _field_value(body: nodes.Element, collector: _Collector) -> str | tuple[str, ...]:
    if len(body) == 1 and isinstance(body[0], (nodes.bullet_list, nodes.enumerated_list)):
        return tuple(_clean(_block_text(item, collector)) for item in body[0].children)
    return _clean(_block_text(body, collector))


def _block_text(node: nodes.Element, collector: _Collector) -> str:
    if isinstance(node, nodes.TextElement):
        return collector.inline(node, None, links=False)
    return " ".join(
        _block_text(child, collector)
        for child in node.children
        if isinstance(child, nodes.Element) and not isinstance(child, nodes.system_message)
    )


def _problematic_text(node: nodes.problematic) -> str:
    """What a reader sees for markup docutils could not resolve."""
    raw = node.astext()
    message = node.document.ids.get(node.get("refid", "")) if node.document else None
    if message is not None and _message_text(message).startswith("raw (and derived) roles"):
        return ""  # a disabled raw role: its content is passthrough markup
    core = raw.rstrip("_") or raw  # `name`_ and name__ references
    match = _ROLE.match(core)
    if match is not None:
        body = match.group("body")
        embedded = _EMBEDDED.match(body)
        if embedded is not None:
            body = embedded.group("title") or embedded.group("target")
        return body.lstrip("~!")
    if len(core) > 2 and core[0] == core[-1] == "|":  # |substitution|
        return core[1:-1]
    return core


def _message_text(message: nodes.Element) -> str:
    """A system message's own sentence, without the source excerpt docutils appends."""
    return message[0].astext() if len(message) else ""


def _link_text(reference: nodes.reference, text: str) -> str:
    if text.strip():
        return _clean(text)
    image = reference.next_node(nodes.image)
    return _clean(image.get("alt", "")) if image is not None else ""


def _is_contents(node: nodes.Node) -> bool:
    return isinstance(node, nodes.topic) and "contents" in node["classes"]


def _context_kind(node: nodes.Element, kind: str) -> str:
    for node_type, node_kind in _CONTEXT_KIND:
        if isinstance(node, node_type):
            return node_kind
    return kind


def _line(node: nodes.Node) -> int | None:
    return getattr(node, "line", None) or utils.get_source_line(node)[1]


def _clean(text: str) -> str:
    return " ".join(text.split())
