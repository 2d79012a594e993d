"""Markdown reader (stage "read"): Markdown post text -> :class:`model.Document`.

Input: the decoded text of one Markdown post (BOM removed, LF line ends).
Output: a :class:`~barcamp_search.model.Document`: metadata (Pelican header,
YAML or TOML front matter, see :mod:`.frontmatter`), sections from headings,
prose blocks for the people finder, links in document order, read warnings.

The body is parsed with markdown-it-py (CommonMark + tables + strikethrough).
Raw HTML becomes text through the stdlib :mod:`html.parser` (nothing is run,
``<script>``/``<style>`` content is dropped). Code is searchable text but never
a block (Pelican's ``:::lang`` marker line dropped). HTML comments and Hugo shortcodes
are dropped. What Markdown leaves as text in prose is read as the page shows it:
reference links (``[label][]``, inside raw HTML too) resolved against the document's
definitions, WordPress shortcodes (``[gallery]``, ``[caption]``, ``[embed]``), stray
``**`` and ``</p>`` removed.
"""

from __future__ import annotations

import html
import importlib.util
import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.token import Token

from barcamp_search.model import Block, Document, Link, ParsedSection, ReadWarning
from barcamp_search.read.formats.frontmatter import split_header
from barcamp_search.read.slugs import AnchorMaker

MAX_NESTING = 50  # markdown-it drops what is nested deeper (no recursion error)

_MD = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
_MD.normalizeLink = lambda url: url  # type: ignore[method-assign]  # keep URLs as written
_FIND_URLS = importlib.util.find_spec("linkify_it") is None  # else markdown-it finds bare URLs
if not _FIND_URLS:
    _MD.enable("linkify").options["linkify"] = True

_SHORTCODE = re.compile(r"\{\{[<%]\s*+(/?)([\w./-]*+)[^{}]*?[>%]\}\}")
_QTRANSLATE = re.compile(r"(?:<!--:[A-Za-z_-]{0,10}-->)+")
_URL = re.compile(r"\bhttps?://[^\s<>\"'`{}|\\^\[\]]+")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_HREF = re.compile(r"""\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_COMPLETE_TAG = re.compile(r"""</?[A-Za-z][A-Za-z0-9:-]*(?:[^<>"']|"[^"]*"|'[^']*')*>""")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# Reference links and images Markdown left as text (inside raw HTML, or undefined):
# "[label][]", "[label][ref]", "![alt][]"; innermost first ("[![alt][]][]"). Not after
# a word or ")": "x[0][1]" is an index, not a link.
_REF_LINK = re.compile(r"(?<![\w)])(!?)\[([^\[\]]*)\]\[([^\[\]]*)\]")
# A linked image "[![alt][img]][ref]": the link's label is the image's markup.
_LINKED_IMAGE = re.compile(r"(?<![\w)])\[(!\[([^\[\]]*)\]\[[^\[\]]*\])\]\[([^\[\]]*)\]")
# A reference definition CommonMark rejects (empty label, brackets in the label:
# "[]: url", "[![][]]: url" of a WordPress import); as a paragraph it would swallow the
# valid definitions after it. Python-Markdown (Pelican) drops it: so do we.
_BAD_DEFINITION = re.compile(r"^( {0,3})\[(.*)\]:(?=[ \t]+\S)", re.MULTILINE)
# WordPress shortcodes of imported posts: [gallery ...], [caption ...]...[/caption],
# [embed]url[/embed]. A caption's text (its caption="..." attribute) is kept.
_WP_EMBED = re.compile(r"\[embed\b[^\[\]]*\]\s*([^\[\]\s]*)\s*\[/embed\]", re.IGNORECASE)
_WP_SHORTCODE = re.compile(r"\[/?(?:gallery|caption|embed)\b([^\[\]]*)\]", re.IGNORECASE)
_WP_CAPTION = re.compile(r"""\bcaption\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Strong emphasis Markdown left as text (a closing "**" after a space or before a
# letter): balanced pairs lose their markers, then any stray "**".
_STRONG = re.compile(r"\*\*(?=\S)([^*]+?)\*\*")
# An end tag of a block element written as text by a converter ("</p\\>" in a
# WordPress import): the page shows it, the post's text should not.
_STRAY_END_TAG = re.compile(r"</(?:p|li|ul|ol|div|span|blockquote)\s*>", re.IGNORECASE)
# Pelican's code block language marker on a code block's first line: ":::python",
# "#!python" (not a "#!/usr/bin/env" shebang).
_CODE_MARKER = re.compile(r"\A[ \t]*(?::::|#!)[\w+#.-]+[ \t]*(?:\n|\Z)")

_SKIP_TAGS = frozenset({"script", "style"})
_BLOCK_TAGS = frozenset(
    "address article aside audio blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html iframe legend "
    "li main menu nav noscript object ol option p pre section select summary table tbody td "
    "textarea tfoot th thead tr ul video".split()
)
_IMPLIED_END = frozenset({"p", "li", "dt", "dd", "td", "th", "tr", "option"})  # <li>a<li>b
_NOT_PROSE = frozenset("pre video audio object iframe noscript select textarea".split())
_HTML_KINDS = dict(li="item", td="cell", th="cell", blockquote="quote", dt="term", dd="definition")
_CONTAINERS = dict(list_item_open="item", blockquote_open="quote", th_open="cell", td_open="cell")
_CONTAINER_ENDS = frozenset({"list_item_close", "blockquote_close", "th_close", "td_close"})

Pairs = list[tuple[str, str]]  # (url, link text)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clean_lines(text: str) -> str:
    """Strip every line and drop the empty ones."""
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


References = dict[str, dict[str, Any]]  # markdown-it's env["references"]


def _caption(match: re.Match[str]) -> str:
    if match.group().startswith("[/"):
        return " "
    caption = _WP_CAPTION.search(match.group(1))
    text = next((g for g in caption.groups() if g is not None), "") if caption else ""
    return f" {text} " if text.strip() else " "


def _clean_markup(text: str, refs: References) -> tuple[str, Pairs]:
    """Text Markdown left as written, read as the published page shows it: reference
    links resolved (their label kept, their URL a link), WordPress shortcodes and
    stray ``**`` and stray block end tags (``</p>``) removed. Only for prose, never for code."""
    pairs: Pairs = []
    if "[" in text:
        if "[embed" in text.lower():

            def embed(match: re.Match[str]) -> str:
                if match.group(1):
                    pairs.append((match.group(1), match.group(1)))
                return f" {match.group(1)} "

            text = _WP_EMBED.sub(embed, text)
        if "[" in text:
            text, removed = _WP_SHORTCODE.subn(_caption, text)
            if removed or pairs:  # the spaces around a removed shortcode
                text = re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", text)

        def target(key: str) -> str | None:
            found = refs.get(normalizeReference(key)) if key.strip() else None
            return str(found["href"]) if found and found.get("href") else None

        def linked_image(match: re.Match[str]) -> str:
            markup, alt, ref = match.groups()
            if url := target(ref or markup):
                pairs.append((url, _one_line(alt)))
            return alt

        def resolve(match: re.Match[str]) -> str:
            image, label, ref = match.groups()
            if image:  # images are no links (as for Markdown's own images)
                return label
            if url := target(ref or label):
                pairs.append((url, _one_line(label)))
            elif ref.strip():  # "[a][b]" with no "b" defined: not a link
                return match.group()
            return label

        if "![" in text:
            text = _LINKED_IMAGE.sub(linked_image, text)

        for _ in range(3):  # "[![alt][]][]": the image, then the link around it
            text, found = _REF_LINK.subn(resolve, text)
            if not found:
                break
    if "</" in text:
        text = _STRAY_END_TAG.sub(" ", text)
    if "**" in text:
        text = _STRONG.sub(r"\1", text).replace("**", "")
    return text, pairs


def _drop_code_marker(code: str) -> str:
    """A code block without Pelican's ``:::lang`` / ``#!lang`` first line."""
    return _CODE_MARKER.sub("", code, count=1)


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


class _HTMLText(HTMLParser):
    """Text chunks (text, block kind or None, 1-based line) and links of raw HTML."""

    def __init__(self, refs: References | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: References = refs or {}
        self.open: list[str] = []  # open block-level elements, outermost first
        self.skip = 0  # inside <script>/<style>
        self.buf: list[str] = []
        self.buf_line: int | None = None
        self.chunks: list[tuple[str, str | None, int]] = []
        self.links: Pairs = []
        self.link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag == "br":
            self.buf.append("\n")
        elif tag == "a":
            self.end_link()  # <a> cannot nest: a new one closes the last
            href = dict(attrs).get("href")
            if href is not None:
                self.link = (href.strip(), [])
        elif tag in _BLOCK_TAGS:
            self.flush()
            if tag in _IMPLIED_END and self.open and self.open[-1] == tag:
                self.open.pop()
            if tag != "hr":  # the one void block element
                self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag == "a":
            self.end_link()
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
            data, pairs = _clean_markup(data, self.refs)
            self.links.extend(pairs)
            if self.link is None and _FIND_URLS and "://" in data:
                self.links.extend(_bare_urls(data))
        self.buf.append(data)
        if self.link is not None:
            self.link[1].append(data)

    def end_link(self) -> None:
        if self.link is not None:
            self.links.append((self.link[0], _one_line("".join(self.link[1]))))
            self.link = None

    def flush(self) -> None:
        text = _clean_lines("".join(self.buf))
        if text:
            kinds = (_HTML_KINDS[t] for t in reversed(self.open) if t in _HTML_KINDS)
            prose = not any(t in _NOT_PROSE for t in self.open)
            kind = next(kinds, "paragraph") if prose else None
            self.chunks.append((text, kind, self.buf_line or self.getpos()[0]))
        self.buf, self.buf_line = [], None


def _sanitize(fragment: str) -> str:
    """Prepare raw HTML for :mod:`html.parser`, which is quadratic on unclosed
    comments and tags: drop comments, declarations and processing instructions
    (keeping their line breaks) and escape each ``<`` not starting a complete tag."""
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


def _inline(children: list[Token] | None, refs: References | None = None) -> tuple[str, Pairs]:
    """Plain text of an inline token's children, and its links as (url, text)."""
    out: list[str] = []
    code: list[str] = []  # inline code, kept out of _clean_markup behind a NUL mark
    links: Pairs = []
    # At most one Markdown link (they cannot nest) and one raw <a> (a new one closes it).
    open_links: dict[bool, tuple[str | None, list[str]]] = {}  # is raw <a> -> href, text

    def close(raw: bool) -> None:
        href, parts = open_links.pop(raw, (None, []))
        if href is not None:
            links.append((href, _one_line("".join(parts))))

    skip = 0  # inside inline <script>/<style>
    for tok in children or ():
        kind, piece = tok.type, ""
        if kind == "code_inline":
            piece = tok.content
            code.append(piece)
        elif kind == "text":
            piece = tok.content
            if _FIND_URLS and kind == "text" and not (skip or open_links) and "://" in piece:
                links.extend(_bare_urls(piece))
        elif kind == "softbreak" or kind == "hardbreak":
            piece = "\n"
        elif kind == "link_open":
            close(False)
            open_links[False] = (str(tok.attrs.get("href", "")), [])
        elif kind == "link_close":
            close(False)
        elif kind == "html_inline" and (tag := _TAG.match(tok.content)):  # not a comment
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if name in _SKIP_TAGS:
                skip = max(0, skip - 1) if closing else skip + 1
            elif name == "a":
                close(True)
                href = None if closing else _HREF.search(tok.content)
                if href:
                    url = next(g for g in href.groups() if g is not None)
                    open_links[True] = (html.unescape(url).strip(), [])
            elif name == "br" or name in _BLOCK_TAGS:
                piece = "\n"
        if piece and not skip:
            out.append(f"\0{len(code) - 1}\0" if kind == "code_inline" else piece)
            for _, parts in open_links.values():
                parts.append(piece)
    close(False)
    close(True)
    text, pairs = _clean_markup("".join(out), refs or {})
    if code:
        text = re.sub("\0(\\d+)\0", lambda m: code[int(m.group(1))], text)
    return "\n".join(line.strip() for line in text.strip().split("\n")), links + pairs


class _Builder:
    """Collects text, blocks and links into the intro or the current section."""

    def __init__(self, offset: int, refs: References | None = None) -> None:
        self.offset = offset  # header lines removed before parsing
        self.refs: References = refs or {}  # the document's reference definitions
        self.anchors = AnchorMaker()
        self.intro: dict[str, Any] = {"text": [], "blocks": []}
        self.sections: list[dict[str, Any]] = []
        self.parents: list[tuple[int, str]] = []  # (heading level, anchor) of open sections
        self.links: list[Link] = []

    def line(self, token: Token, inner: int = 1) -> int | None:
        return token.map[0] + inner + self.offset if token.map else None

    @property
    def current(self) -> dict[str, Any]:
        return self.sections[-1] if self.sections else self.intro

    def heading(self, level: int, title: str, line: int | None) -> None:
        title = _one_line(title)
        anchor = self.anchors(title)
        while self.parents and self.parents[-1][0] >= level:
            self.parents.pop()
        parent = self.parents[-1][1] if self.parents else None
        self.parents.append((level, anchor))
        self.sections.append(
            {"anchor": anchor, "title": title, "level": level, "parent": parent, "line": line}
            | {"text": [], "blocks": []}
        )

    def text(self, text: str) -> None:
        if text.strip():
            self.current["text"].append(text.strip())

    def block(self, kind: str, text: str, line: int | None) -> None:
        if text.strip():
            self.current["blocks"].append(Block(kind, text.strip(), line))

    def add_links(self, pairs: Pairs) -> None:
        anchor = self.current.get("anchor")
        self.links.extend(Link(url, text, anchor) for url, text in pairs)

    def html(self, token: Token, warnings: list[ReadWarning], container: str | None) -> None:
        parser = _HTMLText(self.refs)
        try:
            parser.feed(_sanitize(token.content))
            parser.close()
        except (RecursionError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - html.parser has a few AssertionErrors
            warnings.append(ReadWarning(self.line(token), "malformed raw HTML read as plain text"))
            self.text(_clean_lines(html.unescape(re.sub(r"<[^>]*>", " ", token.content))))
            return
        parser.end_link()
        parser.flush()
        for text, kind, inner in parser.chunks:
            if kind is not None:  # a list item's HTML paragraph is an item, as in Markdown
                self.block(
                    container if kind == "paragraph" and container else kind,
                    text,
                    self.line(token, inner),
                )
        self.text("\n\n".join(text for text, _, _ in parser.chunks))
        self.add_links(parser.links)

    def document(
        self, title: str | None, fields: dict[str, Any], warnings: list[ReadWarning]
    ) -> Document:
        top = min((s["level"] for s in self.sections), default=1)
        sections = tuple(
            ParsedSection(
                **s
                | {"level": s["level"] - top + 1, "text": "\n\n".join(s["text"])}
                | {"blocks": tuple(s["blocks"])}
            )
            for s in self.sections
        )
        return Document(
            title=title,
            fields=fields,
            text="\n\n".join(self.intro["text"]),
            blocks=tuple(self.intro["blocks"]),
            sections=sections,
            links=tuple(self.links),
            warnings=tuple(warnings),
        )


def _walk(tokens: list[Token], builder: _Builder, warnings: list[ReadWarning]) -> None:
    containers: list[str] = []  # "item", "quote", "cell", outermost first
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
            text, pairs = _inline(tok.children, builder.refs)
            if heading is not None:
                builder.heading(int(heading.tag[1:] or 1), text, builder.line(heading))
            elif containers and containers[-1] == "cell":
                row.append(_one_line(text))
                builder.block("cell", text, builder.line(tok))
            else:
                builder.text(text)
                builder.block(
                    containers[-1] if containers else "paragraph", text, builder.line(tok)
                )
            builder.add_links(pairs)
        elif kind in _CONTAINERS:
            containers.append(_CONTAINERS[kind])
        elif kind in _CONTAINER_ENDS and containers:
            containers.pop()
        elif kind == "tr_close":
            table.append(" | ".join(cell for cell in row if cell))
            row = []
        elif kind == "table_close":
            builder.text("\n".join(line for line in table if line))
            table = []
        elif kind == "fence" or kind == "code_block":
            builder.text(_drop_code_marker(tok.content))
        elif kind == "html_block":
            builder.html(tok, warnings, containers[-1] if containers else None)


def _strip_shortcodes(body: str, offset: int, warnings: list[ReadWarning]) -> str:
    """Blank out ``{{< name ... >}}`` / ``{{% ... %}}`` (line breaks kept); one warning."""
    found = list(_SHORTCODE.finditer(body)) if "{{" in body else []
    if found:
        names = dict.fromkeys(m.group(2) or "?" for m in found if not m.group(1))
        line = body.count("\n", 0, found[0].start()) + 1 + offset
        warnings.append(ReadWarning(line, "Hugo shortcodes removed: " + ", ".join(names)))
        body = _SHORTCODE.sub(lambda m: " " + "\n" * m.group().count("\n"), body)
    return body


def _strip_qtranslate(body: str) -> str:
    """Drop ``<!--:en-->`` markers so the text after one is still a Markdown paragraph
    (as an HTML block its reference links would not resolve)."""

    def replace(match: re.Match[str]) -> str:
        at_line_start = match.start() == 0 or body[match.start() - 1] == "\n"
        return "" if at_line_start or body.startswith("\n", match.end()) else " "

    return _QTRANSLATE.sub(replace, body) if "<!--:" in body else body


def _fix_definitions(body: str) -> tuple[str, References]:
    """Give a rejected reference definition a label CommonMark accepts (never used by
    any link), so it and the definitions after it stay definitions, not text. Returns
    the body and the rejected definitions Python-Markdown accepts (``[![alt][]]: url``,
    the target of a linked image), for :func:`_clean_markup`."""
    extra: References = {}

    def relabel(match: re.Match[str]) -> str:
        label = match.group(2)
        if label.strip() and "[" not in label and "]" not in label:
            return match.group()
        if label.strip():
            url = body[match.end() :].split(None, 1)[0].strip("<>")
            extra.setdefault(normalizeReference(label), {"href": url})
        return f"{match.group(1)}[_unused-{match.start()}]:"

    return (_BAD_DEFINITION.sub(relabel, body) if "]:" in body else body), extra


def read_markdown(text: str, source: str = "<string>") -> Document:
    """Read one Markdown post. ``source`` (its path) is accepted for the readers'
    common signature; warnings carry line numbers and the caller adds the path.

    Never raises for any input text, except ``RecursionError``/``MemoryError``.
    """
    text = text.removeprefix("\ufeff")
    fields, body, offset, warnings = split_header(text)
    title = fields.get("title")
    title = " ".join(title) if isinstance(title, tuple) else title
    builder = _Builder(offset)
    try:
        env: dict[str, Any] = {}
        body, extra = _fix_definitions(_strip_shortcodes(body, offset, warnings))
        tokens = _MD.parse(_strip_qtranslate(body), env)
        builder.refs = extra | (env.get("references") or {})
        _walk(tokens, builder, warnings)
        if any(tok.level >= MAX_NESTING - 1 for tok in tokens):
            message = f"Markdown nested deeper than {MAX_NESTING} levels: deeper content dropped"
            warnings.append(ReadWarning(None, message))
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - keep the post as plain text rather than lose it
        message = f"Markdown body not parsed ({type(exc).__name__}); kept as plain text"
        warnings.append(ReadWarning(None, message))
        builder = _Builder(offset)
        builder.text(body)
    return builder.document(title or None, fields, warnings)
