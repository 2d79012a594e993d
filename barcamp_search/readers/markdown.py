"""Markdown reader (stage "read"): Markdown post text -> :class:`posts.Document`.

Input: the decoded text of one Markdown post (BOM removed, LF line ends).
Output: a :class:`~barcamp_search.posts.Document` with the metadata header
(Pelican ``Key: value``, YAML ``---`` or TOML ``+++`` front matter, see
:mod:`.frontmatter`), the sections made from headings, the prose blocks for
the people finder, every link in document order, and read warnings.

The body is parsed with markdown-it-py (CommonMark + tables + strikethrough).
Raw HTML is turned into text with the stdlib :mod:`html.parser` (nothing is
run; ``<script>``/``<style>`` content is dropped), so posts that are mostly
HTML stay searchable. Code is searchable text but never a block. HTML
comments and Hugo shortcodes are dropped. Nothing touches the file system or
the network.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from barcamp_search.posts import Block, Document, Link, ParsedSection, ReadWarning
from barcamp_search.readers.frontmatter import split_header
from barcamp_search.slugs import AnchorMaker, make_anchor

MAX_NESTING = 50

_MD = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
try:  # optional: bare URLs as links
    import linkify_it  # type: ignore[import-not-found]  # noqa: F401

    _MD.enable("linkify").set({"linkify": True})
    _FIND_URLS = False
except ImportError:
    _FIND_URLS = True
_MD.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep URLs as written

_SHORTCODE = re.compile(r"\{\{([<%])[^{}]*?[>%]\}\}")
_SHORTCODE_NAME = re.compile(r"\{\{[<%]\s*/?\s*([\w./-]+)")
_QTRANSLATE = re.compile(r"(?:<!--:[A-Za-z_-]{0,10}-->)+")
_URL = re.compile(r"\bhttps?://[^\s<>\"'`{}|\\^\[\]]+")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_STRIP_TAGS = re.compile(r"<[^>]*>")
_COMPLETE_TAG = re.compile(r"""</?[A-Za-z][A-Za-z0-9:-]*(?:[^<>"']|"[^"]*"|'[^']*')*>""")

_SKIP_TAGS = frozenset({"script", "style"})
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_BLOCK_TAGS = frozenset(
    "address article aside audio blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend "
    "li main menu nav noscript object ol option p pre section select summary table tbody td "
    "textarea tfoot th thead tr ul video".split()
)
_HTML_KINDS = {"li": "item", "td": "cell", "th": "cell", "blockquote": "quote", "dt": "term", "dd": "definition"}
_NOT_PROSE = frozenset({"pre", "video", "audio", "object", "iframe", "noscript", "select", "textarea"})
_CONTAINERS = {"list_item_open": "item", "blockquote_open": "quote", "th_open": "cell", "td_open": "cell"}
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "td", "th", "tr", "option"})

Pairs = list[tuple[str, str]]


def _bare_urls(text: str) -> Pairs:
    """``http(s)://`` URLs written as plain text, without trailing punctuation."""
    found: Pairs = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?'\"")
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(".,;:!?")
        if len(url) > len("https://"):
            found.append((url, url))
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean_lines(text: str) -> str:
    """Strip every line and drop empty ones (HTML text after white-space folding)."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


class _HTMLText(HTMLParser):
    """Plain text, prose chunks and ``<a href>`` links of a raw HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []  # open block-level elements
        self.skip = 0  # inside <script>/<style>
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.chunks: list[tuple[str, str | None, int]] = []  # text, block kind (None: no block), line
        self.links: Pairs = []
        self.link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self.buf.append("\n")
        elif tag == "a":
            self._end_link()
            href = dict(attrs).get("href")
            if href is not None:
                self.link = (href.strip(), [])
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag in _SELF_CLOSING and self.open and self.open[-1] == tag:
                self.open.pop()  # <li>one<li>two
            if tag not in _VOID_TAGS:
                self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self._end_link()
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        if self.buf_line is None and data.strip():
            lead = len(data) - len(data.lstrip())
            self.buf_line = self.getpos()[0] + data.count("\n", 0, lead)
        if "pre" not in self.open:
            data = _HTML_SPACE.sub(" ", data)
            if self.link is None and _FIND_URLS and "://" in data:
                self.links.extend(_bare_urls(data))
        self.buf.append(data)
        if self.link is not None:
            self.link[1].append(data)

    def _end_link(self) -> None:
        if self.link is not None:
            self.links.append((self.link[0], _one_line("".join(self.link[1]))))
            self.link = None

    def flush(self) -> None:
        text = _clean_lines("".join(self.buf))
        if text:
            kind: str | None
            if any(t in _NOT_PROSE for t in self.open):
                kind = None
            else:
                kind = next((_HTML_KINDS[t] for t in reversed(self.open) if t in _HTML_KINDS), "paragraph")
            self.chunks.append((text, kind, self.buf_line or self.getpos()[0]))
        self.buf = []
        self.buf_line = None

    def finish(self) -> None:
        self.close()
        self._end_link()
        self.flush()


def _sanitize(fragment: str) -> str:
    """Prepare raw HTML for :mod:`html.parser` in linear time (it is quadratic on
    unclosed comments and tags): drop comments, declarations and processing
    instructions (keeping their line breaks) and escape every ``<`` that does not
    start a complete tag."""
    out: list[str] = []
    pos, size = 0, len(fragment)
    while (lt := fragment.find("<", pos)) != -1:
        out.append(fragment[pos:lt])
        if fragment.startswith(("<!", "<?"), lt):
            closing = "-->" if fragment.startswith("<!--", lt) else ">"
            end = fragment.find(closing, lt + 2)
            pos = size if end == -1 else end + len(closing)
            out.append("\n" * fragment.count("\n", lt, pos))
        elif tag := _COMPLETE_TAG.match(fragment, lt):
            out.append(tag.group())
            pos = tag.end()
        else:
            out.append("&lt;")
            pos = lt + 1
    out.append(fragment[pos:])
    return "".join(out)


def _html_text(fragment: str) -> tuple[_HTMLText | None, str]:
    """Parse raw HTML; on a parser failure return ``None`` and the tag-stripped text."""
    parser = _HTMLText()
    try:
        parser.feed(_sanitize(fragment))
        parser.finish()
    except (RecursionError, MemoryError):
        raise
    except Exception:  # noqa: BLE001 - html.parser raises AssertionError on some malformed declarations
        return None, _clean_lines(html.unescape(_STRIP_TAGS.sub(" ", fragment)))
    return parser, ""


def _inline(children: list[Token] | None) -> tuple[str, Pairs]:
    """Plain text of an inline token's children, and its links as (url, text)."""
    out: list[str] = []
    links: Pairs = []
    md_links: list[tuple[str, list[str]]] = []
    html_links: list[tuple[str | None, list[str]]] = []
    skip = 0
    for tok in children or ():
        kind = tok.type
        piece = ""
        if kind == "text" or kind == "code_inline":
            piece = tok.content
            if kind == "text" and _FIND_URLS and not skip and not md_links and not html_links and "://" in piece:
                links.extend(_bare_urls(piece))
        elif kind == "softbreak" or kind == "hardbreak":
            piece = "\n"
        elif kind == "link_open":
            md_links.append((str(tok.attrs.get("href", "")), []))
        elif kind == "link_close" and md_links:
            url, parts = md_links.pop()
            links.append((url, _one_line("".join(parts))))
        elif kind == "html_inline":
            tag = _TAG.match(tok.content)
            if tag is None:
                continue  # comment, processing instruction, declaration, CDATA
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if name in _SKIP_TAGS:
                skip = max(0, skip - 1) if closing else skip + 1
            elif name == "a" and closing:
                if html_links:
                    href, parts = html_links.pop()
                    if href is not None:
                        links.append((href, _one_line("".join(parts))))
            elif name == "a":
                href = _HREF.search(tok.content)
                url = next((g for g in href.groups() if g is not None), "") if href else None
                html_links.append((html.unescape(url).strip() if url is not None else None, []))
            elif name == "br" or name in _BLOCK_TAGS:
                piece = "\n"
        if piece and not skip:
            out.append(piece)
            for _, parts in md_links:
                parts.append(piece)
            for _, parts in html_links:
                parts.append(piece)
    for href, parts in html_links:  # <a> never closed in this paragraph
        if href is not None:
            links.append((href, _one_line("".join(parts))))
    return "\n".join(line.strip() for line in "".join(out).strip().split("\n")), links


class _Anchors(AnchorMaker):
    """:class:`slugs.AnchorMaker` with the same results, but a per-title counter so
    that thousands of equal headings do not cost quadratic time."""

    def __init__(self) -> None:
        super().__init__()
        self.next: dict[str, int] = {}

    def __call__(self, title: str) -> str:
        base = make_anchor(title)
        if not base:
            self.count += 1
            base = f"section-{self.count}"
        n = self.next.get(base, 0)
        anchor = f"{base}-{n}" if n else base
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.next[base] = n + 1
        self.used.add(anchor)
        return anchor


class _Builder:
    """Collects text, blocks and links into the intro or the current section."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.anchors = _Anchors()
        self.intro_text: list[str] = []
        self.intro_blocks: list[Block] = []
        self.sections: list[dict[str, Any]] = []
        self.parents: list[tuple[int, str]] = []  # (heading level, anchor) of open sections
        self.links: list[Link] = []

    def line(self, token: Token, inner: int = 0) -> int | None:
        return token.map[0] + 1 + inner + self.offset if token.map else None

    @property
    def anchor(self) -> str | None:
        return self.sections[-1]["anchor"] if self.sections else None

    def heading(self, level: int, title: str, line: int | None) -> None:
        anchor = self.anchors(_one_line(title))
        while self.parents and self.parents[-1][0] >= level:
            self.parents.pop()
        parent = self.parents[-1][1] if self.parents else None
        self.parents.append((level, anchor))
        self.sections.append(
            {"anchor": anchor, "title": _one_line(title), "level": level, "parent": parent,
             "text": [], "blocks": [], "line": line}
        )

    def text(self, text: str) -> None:
        if text.strip():
            (self.sections[-1]["text"] if self.sections else self.intro_text).append(text.strip())

    def block(self, kind: str, text: str, line: int | None) -> None:
        if text.strip():
            target = self.sections[-1]["blocks"] if self.sections else self.intro_blocks
            target.append(Block(kind, text.strip(), line))

    def add_links(self, pairs: Pairs) -> None:
        anchor = self.anchor
        self.links.extend(Link(url, text, anchor) for url, text in pairs)

    def html(self, token: Token, warnings: list[ReadWarning]) -> None:
        parser, fallback = _html_text(token.content)
        if parser is None:
            warnings.append(ReadWarning(self.line(token), "malformed raw HTML read as plain text"))
            self.text(fallback)
            return
        for text, kind, inner in parser.chunks:
            if kind is not None:
                self.block(kind, text, self.line(token, inner - 1))
        self.text("\n\n".join(text for text, _, _ in parser.chunks))
        self.add_links(parser.links)

    def sections_out(self) -> tuple[ParsedSection, ...]:
        top = min((s["level"] for s in self.sections), default=1)
        return tuple(
            ParsedSection(
                anchor=s["anchor"], title=s["title"], level=s["level"] - top + 1, parent=s["parent"],
                text="\n\n".join(s["text"]), blocks=tuple(s["blocks"]), line=s["line"],
            )
            for s in self.sections
        )


def _walk(tokens: list[Token], builder: _Builder, warnings: list[ReadWarning]) -> None:
    containers: list[str] = []  # "item", "quote", "cell" from outer to inner
    row: list[str] = []
    table: list[str] = []
    heading: Token | None = None
    for tok in tokens:
        kind = tok.type
        if kind == "heading_open":
            heading = tok
        elif kind == "heading_close":
            heading = None
        elif kind == "inline":
            text, pairs = _inline(tok.children)
            if heading is not None:
                builder.heading(int(heading.tag[1:] or 1), text, builder.line(heading))
            elif containers and containers[-1] == "cell":
                row.append(_one_line(text))
                builder.block("cell", text, builder.line(tok))
            else:
                builder.text(text)
                builder.block(containers[-1] if containers else "paragraph", text, builder.line(tok))
            builder.add_links(pairs)
        elif kind in _CONTAINERS:
            containers.append(_CONTAINERS[kind])
        elif kind in ("list_item_close", "blockquote_close", "th_close", "td_close"):
            if containers:
                containers.pop()
        elif kind == "tr_close":
            table.append(" | ".join(c for c in row if c))
            row = []
        elif kind == "table_close":
            builder.text("\n".join(r for r in table if r))
            table = []
        elif kind == "fence" or kind == "code_block":
            builder.text(tok.content)
        elif kind == "html_block":
            builder.html(tok, warnings)


def _strip_shortcodes(body: str, offset: int, warnings: list[ReadWarning]) -> str:
    first = _SHORTCODE.search(body)
    if first is None:
        return body
    names = dict.fromkeys(m.group(1) for m in _SHORTCODE_NAME.finditer(body) if not m.group(1).startswith("/"))
    line = body.count("\n", 0, first.start()) + 1 + offset
    warnings.append(ReadWarning(line, "Hugo shortcodes removed: " + ", ".join(names)))
    return _SHORTCODE.sub(lambda m: " " + "\n" * m.group().count("\n"), body)


def _strip_qtranslate(body: str) -> str:
    """Drop ``<!--:en-->`` markers, keeping what follows them a Markdown paragraph."""

    def replace(match: re.Match[str]) -> str:
        at_line_start = match.start() == 0 or body[match.start() - 1] == "\n"
        return "" if at_line_start or body.startswith("\n", match.end()) else " "

    return _QTRANSLATE.sub(replace, body) if "<!--:" in body else body


def read_markdown(text: str, source: str = "<string>") -> Document:
    """Read one Markdown post (``source`` is its path, kept for the readers'
    common signature: warnings carry line numbers and the caller adds the path).

    Never raises for any input text, except ``RecursionError``/``MemoryError``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    fields, body, offset, warnings = split_header(text)
    title = fields.get("title")
    if isinstance(title, tuple):
        title = " ".join(title)
    builder = _Builder(offset)
    try:
        body = _strip_shortcodes(body, offset, warnings)
        tokens = _MD.parse(_strip_qtranslate(body))
        _walk(tokens, builder, warnings)
        if any(tok.level >= MAX_NESTING - 1 for tok in tokens):
            warnings.append(ReadWarning(None, f"Markdown nested deeper than {MAX_NESTING} levels; deeper content dropped"))
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - degrade to the raw body rather than lose the post
        warnings.append(ReadWarning(None, f"Markdown body could not be parsed ({type(exc).__name__}); kept as plain text"))
        builder = _Builder(offset)
        builder.text(body)
    return Document(
        title=title or None,
        fields=fields,
        text="\n\n".join(builder.intro_text),
        blocks=tuple(builder.intro_blocks),
        sections=builder.sections_out(),
        links=tuple(builder.links),
        warnings=tuple(warnings),
    )
