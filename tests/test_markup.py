"""No markup left (issue 13): raw HTML in Markdown read as a browser would, reference
links inside it resolved, WordPress shortcodes, stray ``**``, Pelican ``:::lang`` code
markers and HTML entities kept out of titles, summaries, texts and sections; e-mail
addresses leave ``[e-mail]``. Inputs are written inline; the corpus scan only reads
../shared/corpora."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import Link, Post, plain_text, strip_emails
from barcamp_search.read.extract import extract_archive, find_sources, read_post
from barcamp_search.read.formats.markdown import _MD, read_markdown

from .conftest import FR_EN_ARCHIVES

OPTIONS = ArchiveOptions("t", lang="en")


def post(text: str, source: str = "p.md") -> Post:
    return read_post(dedent(text).lstrip().encode(), source, OPTIONS)


def urls(links) -> list[str]:
    return [link.url for link in links]


# --- reference links inside raw HTML -----------------------------------------------


def test_reference_links_inside_raw_html_resolved():
    doc = read_markdown(
        dedent("""\
        Title: t

        <ul>
        <li>[Video HD (webm)][] [Video
        Mobile (mp4)][]</li>
        <li>See [the wiki][w] &amp; more</li>
        </ul>

          [Video HD (webm)]: http://v.example/a.webm
          [Video Mobile (mp4)]: http://v.example/a.mobile.mp4
          [w]: http://wiki.example/
        """)
    )
    assert doc.links == (
        Link("http://v.example/a.webm", "Video HD (webm)"),
        Link("http://v.example/a.mobile.mp4", "Video Mobile (mp4)"),
        Link("http://wiki.example/", "the wiki"),
    )
    assert doc.text == "Video HD (webm) Video Mobile (mp4)\n\nSee the wiki & more"
    assert [b.kind for b in doc.blocks] == ["item", "item"]


def test_reference_images_and_linked_images_inside_raw_html():
    doc = read_markdown(
        dedent("""\
        <p>[![Needium][]][] ![sprint][]</p>

        []: http://broken.example/
        [![Needium][]]: http://www.needium.example/
        [Needium]: http://img.example/needium.png
        [sprint]: http://img.example/sprint.jpg
        """)
    )
    # the linked image leads to its link; an image alone is no link (as in Markdown)
    assert doc.links == (Link("http://www.needium.example/", "Needium"),)
    assert doc.text == "Needium sprint"  # the rejected definitions are no text


def test_undefined_reference_keeps_its_label_and_indexes_stay():
    doc = read_markdown("<p>[nowhere][] then x[0][1] and [a][b]</p>\n")
    assert doc.text == "nowhere then x[0][1] and [a][b]"
    assert doc.links == ()


def test_reference_left_as_text_in_markdown_paragraph():
    # markdown-it resolves [Theora][]; [MP4][] has no definition: its label stays
    doc = read_markdown(
        "Title: t\n\nDownload: [Theora][] [MP4][]\n\n[Theora]: http://x.example/t.ogg\n"
    )
    assert doc.text == "Download: Theora MP4"
    assert urls(doc.links) == ["http://x.example/t.ogg"]


# --- WordPress shortcodes, emphasis, stray tags, code markers ---------------------


def test_wordpress_shortcodes_removed():
    doc = read_markdown(
        dedent("""\
        Thanks to all. [gallery columns="3"]

        [caption id="attachment_978" align="alignnone" width="300"
        caption="Yannick explains the coverage"]![][img][/caption]

        <p>[gallery link="file"] Watch: [embed]http://video.example/v1[/embed]</p>

        [img]: http://img.example/i.jpg
        """)
    )
    assert doc.text == (
        "Thanks to all.\n\nYannick explains the coverage\n\nWatch: http://video.example/v1"
    )
    assert "http://video.example/v1" in urls(doc.links)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**update:**the event moved", "update:the event moved"),
        ("**Presentations\xa0**: Hugo", "Presentations\xa0: Hugo"),
        ("le**#MTLStartupTalent** et", "le#MTLStartupTalent et"),
        ("<p>**bold in HTML** here</p>", "bold in HTML here"),
        ("unbalanced ** marker", "unbalanced  marker"),
        ("keep `**kwargs` as code", "keep **kwargs as code"),
        ("gratuite.</p\\>\n\nNext", "gratuite.\n\nNext"),
    ],
)
def test_emphasis_markers_and_stray_end_tags_removed(markdown, text):
    assert read_markdown(markdown + "\n").text == text


def test_pelican_code_block_markers_dropped_code_kept():
    doc = read_markdown(
        dedent("""\
        Title: t

        Install:

            :::sh
            $ virtualenv venv

        ```
        #!python
        x = 2 ** 3
        ```

            :::python
            #!/usr/bin/python2.7
            print(1)
        """)
    )
    assert doc.text == (
        "Install:\n\n$ virtualenv venv\n\nx = 2 ** 3\n\n#!/usr/bin/python2.7\nprint(1)"
    )


def test_raw_html_read_as_a_browser_would():
    doc = read_markdown(
        "<div>Caf&eacute; <a href='http://a.example/'>site</a><br>next"
        "<script>alert(1)</script><style>p{}</style></div>\n"
    )
    assert doc.text == "Café site\nnext"
    assert doc.links == (Link("http://a.example/", "site"),)


# --- metadata as plain text --------------------------------------------------------


def test_markdown_metadata_is_plain_text():
    p = post("""\
        Title: Montreal&#8217;s Python Community &amp; <em>friends</em>
        Author: Jos&eacute; Dupont &amp; Ann <b>Lee</b>
        Tags: caf&eacute;, <i>django</i>
        Summary: Talks on **System Architecture**, **Air Pollution** &amp; more.

        Body.
        """)
    assert p.title == "Montreal’s Python Community & friends"
    assert p.authors == ("José Dupont", "Ann Lee")
    assert p.tags == ("café", "django")
    assert p.summary == "Talks on System Architecture, Air Pollution & more."


def test_yaml_front_matter_title_decoded():
    p = post("""\
        ---
        title: "So you think you&#039;ve got talent?"
        ---
        Body.
        """)
    assert p.title == "So you think you've got talent?"


def test_rst_title_is_not_html():
    # docutils escapes what the author wrote: Pelican shows "&amp;" as written
    p = post("Fish &amp; chips\n################\n\nBody.\n", "p.rst")
    assert p.title == "Fish &amp; chips"


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("It&#8217;s a good time", "It’s a good time"),
        ("a < b and c > d", "a < b and c > d"),
        ("<p>one</p><p>two</p>", "one two"),
        ("x<script>bad()</script>y", "xy"),
        ("__init__ and **bold**", "__init__ and bold"),
        ("snake_case_name", "snake_case_name"),
    ],
)
def test_plain_text(value, plain):
    assert plain_text(value) == plain


# --- e-mail addresses ----------------------------------------------------------------


def test_email_leaves_a_placeholder_in_text_not_in_authors():
    p = post("""\
        Title: t
        Author: Jean Dupont (jean@example.org)

        Write to contact@montrealpython.example if you want to talk.
        """)
    assert p.text == "Write to [e-mail] if you want to talk."
    assert p.authors == ("Jean Dupont",)
    assert strip_emails("a@b.example") == "[e-mail]"


# --- the seven archives --------------------------------------------------------------

ARCHIVES = FR_EN_ARCHIVES

LEFTOVERS = {
    "entity": re.compile(r"&#?\w+;"),
    "shortcode": re.compile(r"\[/?(?:gallery|caption|embed)\b"),
    "reference": re.compile(r"\[[^\]]+\]\[[^\]]*\]"),
    "strong": re.compile(r"\*\*"),
    "code marker": re.compile(r"^:::\w+", re.MULTILINE),
    # HTML elements by name: python-nantes' reST prose has "(</joke>)" and a broken
    # "<https://...>`_" link that Pelican shows as written (and its EXPECTED.json keeps).
    "tag": re.compile(
        r"</?(?:a|abbr|audio|b|big|blockquote|body|br|center|code|dd|div|dl|dt|em|embed|"
        r"font|h[1-6]|head|hr|html|i|iframe|img|li|object|ol|p|param|pre|script|small|"
        r"source|span|strong|style|sub|sup|table|tbody|td|th|title|tr|u|ul|video)\b[^<>]*>",
        re.IGNORECASE,
    ),
}


def _code_lines(path) -> set[str]:
    """Lines of a Markdown file's code blocks: code is searchable text kept as written
    (``x ** 2``, an HTML sample), so a pattern there is no leftover."""
    if path.suffix.lower() not in (".md", ".markdown", ".mkd", ".mdown"):
        return set()
    tokens = _MD.parse(path.read_text(encoding="utf-8", errors="replace"))
    return {
        line.strip()
        for tok in tokens
        if tok.type in ("fence", "code_block")
        for line in tok.content.splitlines()
        if line.strip()
    }


def test_no_markup_left_in_the_archives(corpora):
    found: list[str] = []
    posts = 0
    for name in ARCHIVES:
        root = corpora / name
        if not root.is_dir():
            continue
        for result in extract_archive(root, ArchiveOptions(name), workers=2):
            if not isinstance(result, Post):
                continue
            posts += 1
            code = _code_lines(root / result.source)
            values = [("title", result.title), ("summary", result.summary)]
            values += [("text", result.text)] + [("section", s.title) for s in result.sections]
            values += [("section text", s.text) for s in result.sections]
            for where, value in values:
                prose = "\n".join(ln for ln in value.splitlines() if ln.strip() not in code)
                for kind, pattern in LEFTOVERS.items():
                    if match := pattern.search(prose):
                        found.append(f"{name}/{result.source} {where} {kind}: {match.group()!r}")
    assert posts > 700
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "2011/4/mp-20.md",
            [
                "http://montrealpython.org/videos/Montreal-Python-20-Olivier-Belanger-Pyo.webm",
                "http://montrealpython.org/videos/Montreal-Python-20-Olivier-Belanger-Pyo.mp4",
                "http://montrealpython.org/videos/Montreal-Python-20-Olivier-Belanger-Pyo.ogg",
                "http://montrealpython.org/videos/Montreal-Python-20-Olivier-Belanger-Pyo.mobile.mp4",
                "http://videos2.montrealpython.org/mp-20/Run_19_Nov_2010_00h38.ogg",
            ],
        ),
        (
            "2010/7/mp-11.md",
            [
                "http://montrealpython.org/videos/Montreal-Python-11-Alexandre-Bourget-Pylons.ogg",
                "http://montrealpython.org/videos/Montreal-Python-11-Alexandre-Bourget-Pylons.mp4",
            ],
        ),
    ],
)
def test_mtlpy_links_inside_raw_html(corpora, source, expected):
    root = corpora / "mtlpy"
    if not (root / source).is_file():
        pytest.skip(f"mtlpy/{source} is not in the corpora")
    sources = [s for s in find_sources(root) if s.source == source]
    (result,) = extract_archive(root, ArchiveOptions("mtlpy"), sources=sources)
    assert isinstance(result, Post)
    # before: only the wiki link and the bare xiph.org URL (2 links each)
    assert len(result.links) == 2 + len(expected)
    assert set(expected) <= set(urls(result.links))
