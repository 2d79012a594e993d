"""Tests for the Markdown reader (``barcamp_search.read.formats.markdown.read_markdown``).

Real posts are read from the shared corpora (never copied here); those tests
skip when the corpora folder is absent. Small synthetic inputs are inline, and
one TOML sample lives in ``tests/content/markdown/``.
"""

from __future__ import annotations

import time
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barcamp_search.model import Block, Document, Link
from barcamp_search.read.formats.markdown import read_markdown
from barcamp_search.read.slugs import AnchorMaker

CORPORA = Path(__file__).parents[2] / "shared" / "corpora"
CONTENT = Path(__file__).parent / "content" / "markdown"
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")


def corpus_text(relative: str) -> str:
    """A corpus file decoded the way the caller does (BOM, CRLF and NUL removed)."""
    path = CORPORA / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in ../shared/corpora")
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\x00", "")


def read(relative: str) -> Document:
    return read_markdown(corpus_text(relative), relative)


def md(text: str) -> Document:
    return read_markdown(dedent(text).lstrip("\n"))


def section(doc: Document, anchor: str):
    return next(s for s in doc.sections if s.anchor == anchor)


def all_blocks(doc: Document) -> list[Block]:
    return list(doc.blocks) + [b for s in doc.sections for b in s.blocks]


def all_text(doc: Document) -> str:
    return "\n\n".join([doc.text] + [s.text for s in doc.sections])


# --- metadata: real files of each syntax -------------------------------------


def test_mtlpy_pelican_header_and_body():
    doc = read("mtlpy/2010/3/flash-presentations-for-montreal-python-12.md")
    assert doc.fields == {
        "title": "Flash presentations for Montréal-Python 12",
        "date": "2010-03-18 10:11",
        "author": "Yannick Gingras (ygingras@ygingras.net)",
        "category": "Presentations",
        "slug": "flash-presentations-for-montreal-python-12",
        "lang": "en",
    }
    assert doc.title == "Flash presentations for Montréal-Python 12"
    assert doc.sections == ()
    assert "<!--" not in doc.text  # qTranslate marker dropped
    assert Block("item", "Antoine Reversat -- Python for Sysadmins", 13) in doc.blocks
    assert doc.blocks[0] == Block(
        "paragraph",
        "We are happy to annouce the list of flash presentations for\n"
        "Montréal-Python 12 next Monday:",
        10,
    )
    # reference-style link [text][] with its definition at the end
    assert doc.links == (
        Link(
            "http://www.montrealpython.org/2010/03/montreal-python-12-on-2010-03-22/",
            "Montréal-Python 12",
            None,
        ),
    )
    assert doc.warnings == ()


def test_mtlpy_qtranslate_marker_before_paragraph_keeps_reference_links():
    doc = read("mtlpy/2009/11/democamp-at-mont-royal-center-on-2009-12-02.md")
    assert doc.blocks[0].line == 8
    assert doc.blocks[0].text.startswith("There is a DemoCamp at Mont-Royal Center")
    assert Link("http://careerdemocamp.eventbrite.com/", "DemoCamp", None) in doc.links
    assert "<!--" not in doc.text and "[DemoCamp]" not in doc.text


def test_mtlpy_headings_are_sections_not_title():
    doc = read("mtlpy/2010/5/mp-8.md")
    assert doc.title == "MP-8"
    main, talk = doc.sections
    assert (main.anchor, main.level, main.parent) == ("main-presentation", 1, None)
    assert talk.anchor == "alexandre-vassalotti-cpython-module-extension"
    assert (talk.title, talk.level, talk.parent, talk.line) == (
        "Alexandre Vassalotti: CPython module extension",
        2,
        "main-presentation",
        12,
    )
    # raw <video> fallback text is searchable but not prose
    assert "Your browser doesn't support HTML5" in talk.text
    assert all("browser" not in b.text for b in talk.blocks)
    assert Link("http://www.xiph.org/quicktime", "http://www.xiph.org/quicktime", talk.anchor) in (
        doc.links
    )


def test_chennaipy_yaml_with_capitalised_keys():
    doc = read("chennaipy/meetups/mom/2026/2026-07-25_mom.md")
    assert doc.fields == {
        "title": "July 2026 Meetup Minutes",
        "date": "2026-07-25",
        "summary": "July 2026 - Minutes of the ChennaiPy meetup",
    }
    assert doc.title == "July 2026 Meetup Minutes"
    first = doc.sections[0]
    assert (first.anchor, first.title, first.line) == ("date-time", "Date & Time", 7)


def test_chennaipy_yaml_dates_flow_lists_and_aliases():
    doc = read("chennaipy/meetups/mom/2014/2014-10-mom-2.md")
    assert doc.fields["title"] == "October Meet Minutes"
    assert doc.fields["date"] == "2014-10-27T10:45:00+05:30"  # datetime.isoformat()
    assert doc.fields["tags"] == ("Meeting Minutes",)
    assert doc.fields["aliases"] == ("/2014-10-mom-2.html",)


def test_chennaipy_horizontal_rules_in_body_are_not_front_matter():
    doc = read("chennaipy/meetups/mom/2018/2018-10-mom.md")
    assert set(doc.fields) == {"title", "date", "tags", "summary", "aliases"}
    assert doc.warnings == ()
    assert [s.anchor for s in doc.sections] == [
        "mom-october-2018-chennaipy-meetup",
        "talk-1-computer-vision-in-test-automation-using-robot-framework",
        "talk-2-scientific-computing-using-python",
    ]
    assert [s.level for s in doc.sections] == [1, 3, 3]  # h1, h3, h3
    assert [s.parent for s in doc.sections[1:]] == ["mom-october-2018-chennaipy-meetup"] * 2
    talk2 = doc.sections[2]
    assert "The meetup ended with engaging discussions" in talk2.text
    assert Block("paragraph", "Speaker: Ashok Govindarajan", 29) in talk2.blocks


def test_chennaipy_unfenced_pelican_header_in_hugo_tree():
    doc = read("chennaipy/sfd-2014.md")
    assert doc.fields == {
        "title": "Software Freedom Day 2014",
        "date": "2014-09-23 05:40",
        "tags": "Events",
    }
    assert doc.title == "Software Freedom Day 2014"
    assert doc.links == (Link("http://fsftn.org", "FSFTN's Website", None),)  # image: no link
    assert doc.blocks[0].line == 7


def test_chennaipy_hugo_shortcodes_removed_with_one_warning():
    doc = read("chennaipy/_index.md")
    assert doc.fields == {"title": "Chennaipy", "layout": "hextra-home"}
    assert "{{" not in all_text(doc) and "feature-card" not in all_text(doc)
    (warning,) = doc.warnings
    assert warning.line == 15
    assert warning.message.startswith("Hugo shortcodes removed: upcoming-event, recent-meetings")
    assert Block("paragraph", "Chennai Python User Group", 9) in doc.blocks
    assert Link("https://forms.gle/Z7M6p3Y2khJ8VhDB8", "Become a Volunteer", None) in doc.links


def test_pythonpune_yaml_block_lists_and_relative_links():
    doc = read("pythonpune/2019/April/README.md")
    assert doc.fields == {
        "title": "April Python Pune meetup 2019",
        "date": "2019-04-17T23:32:13+05:30",
        "event_date": "2019-04-14T10:00:00+05:30",
        "url": "event/april-python-pune-meetup-2019",
        "author": "Nikhil Dhandre",
        "categories": ("Event",),
        "tags": ("Collaboration", "PyData Pune", "Meteorology", "GRIB", "Project"),
    }  # featured_image is null: no key
    assert Link("./community_news.md", "Community Newsletter", None) in doc.links
    talk = section(doc, "gribreader")
    assert talk.line == 21
    assert Block("item", "Speaker: Nikhil Dhandre", 22) in talk.blocks
    assert Link("https://github.com/digitronik/GribReader", "Source", "gribreader") in doc.links


def test_pythonpune_null_tags_and_bare_urls():
    doc = read("pythonpune/2019/March/community_news.md")
    assert "tags" not in doc.fields and "featured_image" not in doc.fields
    assert doc.fields["categories"] == ("Newsletter",)
    urls = [link.url for link in doc.links]
    assert "https://pythonclock.org/" in urls  # written as a bare URL in the text


def test_baypiggies_book_review_mostly_raw_html():
    name = "BioinformaticsProgrammingUsingPythonbyMitchellLModel__Dr_SukantaGanguly.md"
    doc = read(f"baypiggies/book_reviews/{name}")
    assert doc.fields["date"] == "2010/02/21 14:00:00"
    assert doc.fields["authors"] == "Dr. Sukanta Ganguly"
    assert doc.fields["summary"].startswith("This book is a good Python Programming tutorial.")
    assert "<p>" not in doc.text and "<img" not in doc.text
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 3
    assert doc.blocks[0].text.startswith("It starts with the chapter titled ‘Primitives’")
    assert doc.blocks[0].line == 12
    assert doc.links == ()  # <img src> is not a link


def test_quebecpython_raw_html_list_yields_items_and_links():
    doc = read("quebecpython/2013-11-17.md")
    assert doc.fields["summary"] == "Un combat de frameworks web, ZeroMQ et Lettuce"
    talks = section(doc, "les-presentations")
    assert [b for b in talks.blocks if b.kind == "item"] == [
        Block("item", "Pyramid VS Django - Bernard Chhun", 16),
        Block("item", "ZeroMQ - Yannick Hold-Geoffroy", 19),
        Block("item", "Lettuce - Gregory Eric Sanderson", 22),
    ]
    assert Link("https://twitter.com/bechhun", "Bernard Chhun", "les-presentations") in doc.links
    assert section(doc, "ou").title == "Où ?"


# --- Pelican's own Markdown reader tests (pelican-tests/EXPECTED.json) -------

PELICAN = "pelican-tests/content/"


def test_pelican_metadata_and_title():
    doc = read(PELICAN + "article_with_md_extension.md")
    assert doc.fields == {
        "title": "Test md File",
        "category": "test",
        "tags": "foo, bar, foobar",
        "date": "2010-12-02 10:14",
        "modified": "2010-12-02 10:20",
        "summary": "I have a lot to test",
    }
    assert doc.title == "Test md File"  # the Setext h1 in the body is a section, not the title
    assert [s.title for s in doc.sections] == ["Test Markdown File Header", "Used for pelican test"]
    assert [s.level for s in doc.sections] == [1, 2]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("article_with_markdown_extension.markdown", "Test markdown File"),
        ("article_with_mkd_extension.mkd", "Test mkd File"),
        ("article_with_mdown_extension.mdown", "Test mdown File"),
        ("article_with_markdown_markup_extensions.md", "Test Markdown extensions"),
        ("article_with_typogrify_dashes.md", "One -, two --, three --- dashes!"),
    ],
)
def test_pelican_titles_any_key_case(name, title):
    assert read(PELICAN + name).title == title


def test_pelican_multiline_values():
    doc = read(PELICAN + "article_with_markdown_and_footnote.md")
    assert doc.fields["summary"] == "Summary with **inline** markup *should* be supported."
    assert doc.fields["multiline"] == (
        "Line Metadata should be handle properly.",
        "See syntax of Meta-Data extension of Python Markdown package:",
        "If a line is indented by 4 or more spaces,",
        "that line is assumed to be an additional line of the value",
        "for the previous keyword.",
        "A keyword may have as many lines as desired.",
    )
    multi = read(PELICAN + "article_with_markdown_and_summary_metadata_multi.md")
    assert multi.fields["summary"] == (
        "A multi-line summary should be supported\nas well as **inline markup**."
    )
    assert multi.fields["custom_formatted_field"] == (
        "Multi-line metadata should also be supported",
        'as well as *inline markup* and stuff to "typogrify"...',
    )
    assert multi.text == "This is some content."


def test_pelican_value_that_looks_like_metadata():
    doc = read(PELICAN + "article_with_markdown_and_nested_metadata.md")
    assert doc.fields["summary"] == "Test: This metadata value looks like metadata"
    assert "test" not in doc.fields


def test_pelican_empty_tags_give_no_key():
    doc = read(PELICAN + "article_with_markdown_and_empty_tags.md")
    assert doc.fields == {"title": "Article with markdown and empty tags"}


def test_pelican_non_ascii_metadata():
    doc = read(PELICAN + "article_with_markdown_and_nonascii_summary.md")
    assert doc.title == "マックOS X 10.8でパイソンとVirtualenvをインストールと設定"
    assert doc.fields["category"] == "指導書"
    assert doc.fields["tags"] == "パイソン, マック"
    assert doc.fields["slug"] == "python-virtualenv-on-mac-osx-mountain-lion-10.8"
    assert "İlk yazı çok özel değil." in doc.text


@pytest.mark.parametrize(
    ("name", "status"),
    [("article_draft.md", "draft"), ("article_hidden.md", "hidden"), ("article_skip.md", "skip")],
)
def test_pelican_status(name, status):
    assert read(PELICAN + name).fields["status"] == status


def test_pelican_lower_case_keys_without_title_and_duplicates_kept_raw():
    doc = read(PELICAN + "2012-11-30_md_w_filename_meta#foo-bar.md")
    assert doc.fields == {"category": "yeah", "author": "Alexis Métaireau"}
    assert doc.title is None
    assert doc.sections[0].title == "Markdown with filename metadata"
    dup = read(PELICAN + "article_with_duplicate_tags_authors.md")
    assert dup.fields["tags"] == "foo, bar, foobar, foo, bar"  # the normaliser dedupes
    assert dup.fields["authors"] == "Author, First; Author, Second; Author, First"


@pytest.mark.parametrize("name", ["empty.md", "empty_with_bom.md"])
def test_pelican_empty_files(name):
    doc = read(PELICAN + name)
    assert (doc.title, doc.fields, doc.text, doc.sections, doc.links) == (None, {}, "", (), ())


# --- metadata: synthetic ------------------------------------------------------


def test_toml_front_matter_sample():
    doc = read_markdown((CONTENT / "toml-front-matter.md").read_text(encoding="utf-8"))
    assert doc.fields == {
        "title": "TOML meetup: March",
        "date": "2021-03-04T18:30:00+01:00",
        "lastmod": "2021-03-05",
        "draft": "false",
        "weight": "3",
        "tags": ("python", "toml", "42"),
    }  # empty summary and the [params] table are left out
    assert doc.title == "TOML meetup: March"
    assert doc.blocks == (Block("paragraph", "Intro with a link.", 14),)
    assert doc.links == (Link("https://example.org/toml", "link", None),)
    assert section(doc, "talk").blocks == (Block("paragraph", "Speaker: Ada Lovelace", 18),)


def test_yaml_values_never_crash():
    doc = md(
        """
        ---
        Title: Nested
        sidebar: {open: true, items: [1, 2]}
        _build: {list: never}
        when: 2020-01-02 03:04:05
        flag: yes
        ratio: 0.5
        mixed: [a, {b: 1}, null, 2019-01-01, [c]]
        empty:
        blob: !!binary aGVsbG8=
        ---
        Body.
        """
    )
    assert doc.fields == {
        "title": "Nested",
        "when": "2020-01-02T03:04:05",
        "flag": "true",
        "ratio": "0.5",
        "mixed": ("a", "2019-01-01"),
    }
    assert doc.text == "Body."


@pytest.mark.parametrize(
    "front",
    [
        "---\ntitle: a: b\n---\n",  # mapping values not allowed here
        "---\ntitle: [unclosed\n---\n",
        "---\ndate: 2019-02-30\n---\n",  # a timestamp that is no date
        "---\n- just\n- a list\n---\n",
        "+++\ntitle = \n+++\n",
        "+++\ntitle = 'x'\ntitle = 'y'\n+++\n",
    ],
)
def test_invalid_front_matter_is_a_warning_and_the_body_is_kept(front):
    doc = read_markdown(front + "\nBody text.\n")
    assert doc.fields == {} and doc.title is None
    assert doc.text == "Body text."
    assert doc.blocks == (Block("paragraph", "Body text.", front.count("\n") + 2),)
    assert len(doc.warnings) == 1 and "front matter" in doc.warnings[0].message


def test_only_the_first_fenced_block_is_front_matter():
    doc = md(
        """
        ---
        title: First
        ---
        Intro

        ---
        title: not metadata
        ---
        """
    )
    assert doc.fields == {"title": "First"}
    # The second block is a rule, then a Setext heading "title: not metadata".
    assert doc.text == "Intro"
    assert [s.title for s in doc.sections] == ["title: not metadata"]


def test_unclosed_front_matter_is_body_with_a_warning():
    doc = read_markdown("---\ntitle: x\n\nSome text\n")
    assert doc.fields == {}
    assert "Some text" in doc.text
    assert "not closed" in doc.warnings[0].message


def test_rule_first_in_body_without_header():
    doc = read_markdown("Intro\n\n---\n\nMore\n")
    assert doc.fields == {} and doc.text == "Intro\n\nMore"


def test_pelican_header_rules():
    doc = md(
        """
        Title: Header
        TAGS: a, b
        Summary: first line
            second line
        Note: value: with colon
        Title: again

        Body: not metadata
        """
    )
    assert doc.fields == {
        "title": "Header",
        "tags": "a, b",
        "summary": "first line\nsecond line",
        "note": "value: with colon",
    }
    assert doc.warnings[0].line == 6 and "given twice" in doc.warnings[0].message
    assert doc.blocks == (Block("paragraph", "Body: not metadata", 8),)


@pytest.mark.parametrize(
    "text",
    ["Not a header line\nTitle: x\n", "http://example.org: x\n", "Title:value\n", "# Title\n"],
)
def test_no_pelican_header_unless_the_first_line_is_one(text):
    doc = read_markdown(text)
    assert doc.fields == {} and doc.title is None


def test_header_ends_at_first_non_header_line():
    doc = read_markdown("Title: x\nthis line is body\n")
    assert doc.fields == {"title": "x"}
    assert doc.blocks == (Block("paragraph", "this line is body", 2),)


# --- body ---------------------------------------------------------------------


def test_sections_levels_parents_and_own_text():
    doc = md(
        """
        Intro paragraph.

        ## Part A

        Text A.

        ### Sub A1

        Text A1.

        #### Deep

        ## Part B

        Text B.
        """
    )
    assert doc.text == "Intro paragraph."
    assert [(s.anchor, s.level, s.parent, s.line) for s in doc.sections] == [
        ("part-a", 1, None, 3),
        ("sub-a1", 2, "part-a", 7),
        ("deep", 3, "sub-a1", 11),
        ("part-b", 1, None, 13),
    ]
    assert section(doc, "part-a").text == "Text A."  # not its subsections' text
    assert section(doc, "deep").text == ""


def test_duplicate_and_empty_heading_anchors_follow_anchor_maker():
    titles = ["Talk", "Talk", "Talk-1", "Talk", "", "Été 2014", "***"]
    doc = read_markdown("".join(f"# {t}\n\ntext\n\n" for t in titles))
    maker = AnchorMaker()
    assert [s.anchor for s in doc.sections] == [maker(t) for t in titles]
    assert [s.anchor for s in doc.sections][:4] == ["talk", "talk-1", "talk-1-1", "talk-2"]


def test_many_equal_headings():
    doc = read_markdown("## Same\n\n" * 3000)
    anchors = [s.anchor for s in doc.sections]
    assert anchors[:3] == ["same", "same-1", "same-2"] and len(set(anchors)) == 3000


def test_heading_inline_markup_and_links():
    doc = md("# The *[PyCon](https://pycon.org)* `talk`\n\nBody\n")
    (sec,) = doc.sections
    assert (sec.title, sec.anchor) == ("The PyCon talk", "the-pycon-talk")
    assert doc.links == (Link("https://pycon.org", "PyCon", "the-pycon-talk"),)


def test_links_in_document_order_with_sections():
    doc = md(
        """
        See [one][] and <https://auto.example/x> and ![img](pic.png).

        ## Next

        [two](./relative.md "title"), [three][ref], <mailto:a@b.c>,
        [javascript](javascript:alert(1))

        [one]: http://one.example/
        [REF]: /2014-10-mom-2.html
        """
    )
    assert doc.links == (
        Link("http://one.example/", "one", None),
        Link("https://auto.example/x", "https://auto.example/x", None),
        Link("./relative.md", "two", "next"),
        Link("/2014-10-mom-2.html", "three", "next"),
        Link("mailto:a@b.c", "mailto:a@b.c", "next"),
    )  # images are no links; markdown-it refuses javascript: links (the caller filters too)


def test_blocks_kinds_and_lines():
    doc = md(
        """
        Paragraph
        two lines.

        - item one
        - item **two**

        > quoted *text*

        | Name | Talk |
        |------|------|
        | Ada  | Engines |
        """
    )
    assert doc.blocks == (
        Block("paragraph", "Paragraph\ntwo lines.", 1),
        Block("item", "item one", 4),
        Block("item", "item two", 5),
        Block("quote", "quoted text", 7),
        Block("cell", "Name", 9),
        Block("cell", "Talk", 9),
        Block("cell", "Ada", 11),
        Block("cell", "Engines", 11),
    )
    assert "Name | Talk\nAda | Engines" in doc.text


def test_code_is_text_but_never_a_block():
    doc = md(
        """
        Intro `inline` code.

        ```python
        speaker = "Guido"
        ```

            Speaker: Indented Code
        """
    )
    assert 'speaker = "Guido"' in doc.text and "Speaker: Indented Code" in doc.text
    assert doc.blocks == (Block("paragraph", "Intro inline code.", 1),)


def test_raw_html_block_text_blocks_and_links():
    doc = md(
        """
        ## Talks

        <div class="x"><p>First&nbsp;para &amp; more<br>second line</p>
        <ul><li><a href="/t/1?a=1&amp;b=2">Pyramid VS Django</a> - Bernard Chhun
        <li>Unclosed item
        </ul><script>alert("no")</script><style>p {color: red}</style>
        <!-- a comment --><pre>code  kept</pre></div>
        """
    )
    sec = section(doc, "talks")
    assert sec.blocks == (
        Block("paragraph", "First\xa0para & more\nsecond line", 3),
        Block("item", "Pyramid VS Django - Bernard Chhun", 4),
        Block("item", "Unclosed item", 5),
    )
    assert "alert" not in sec.text and "color" not in sec.text and "comment" not in sec.text
    assert "code  kept" in sec.text
    assert doc.links == (Link("/t/1?a=1&b=2", "Pyramid VS Django", "talks"),)


def test_inline_html_in_paragraphs():
    doc = md(
        'Hello <b>there</b> <a href="https://x.example">X <i>site</i></a> <script>bad()</script>'
        " end<br>next <!-- hidden --> <a name=anchor>no href</a>\n"
    )
    assert doc.blocks == (Block("paragraph", "Hello there X site  end\nnext  no href", 1),)
    assert doc.links == (Link("https://x.example", "X site", None),)


def test_html_list_inside_markdown_list_item_is_item():
    doc = md("- first\n\n  <p>Speaker - Jane Doe</p>\n")
    assert Block("item", "Speaker - Jane Doe", 3) in doc.blocks


def test_shortcodes_removed_with_one_warning():
    doc = md(
        """
        {{< youtube id="abc" >}}

        Text {{% note %}}inside{{% /note %}} after.

        {{< figure
          src="x.png" >}}
        Last line.
        """
    )
    assert "{{" not in doc.text and "youtube" not in doc.text
    assert doc.blocks[0] == Block("paragraph", "Text  inside  after.", 3)
    assert doc.blocks[-1].line == 7  # line numbers survive a multi-line shortcode
    assert [w.message for w in doc.warnings] == ["Hugo shortcodes removed: youtube, note, figure"]
    assert doc.warnings[0].line == 1


def test_qtranslate_markers_inline():
    doc = read_markdown("<!--:en-->English text<!--:--><!--:fr-->Texte français<!--:-->\n")
    assert doc.text == "English text Texte français"


def test_deep_nesting_degrades_with_a_warning():
    doc = read_markdown("> " * 200 + "deep\n\nAfter.\n")
    assert any("nested deeper" in w.message for w in doc.warnings)


# --- robustness ---------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "---\n",
        "+++\n",
        "Title: x\n",
        "    y\n",
        "\n",
        "# h\n",
        "## ",
        "<a href='u'>",
        "</a>",
        "<p>",
        "<li>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<!--:en-->",
        "{{< x >}}",
        "{{%",
        "[a][]",
        "[a]: http://x\n",
        "![i](j)",
        "`",
        "```\n",
        "> ",
        "- ",
        "|a|b|\n|-|-|\n",
        "*",
        "&nbsp;",
        "http://x.y/(a)",
        "<br>",
        "<![CDATA[",
        "<!X",
        "<?",
        "title: [",
        "a: {b: 1}\n",
        "\t",
        "\u202e",
        "é",
        "<",
        ">",
        '"',
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map("".join))
def test_any_text_reads_without_exception(text):
    doc = read_markdown(text)
    assert all(s.level >= 1 for s in doc.sections)
    assert not any("not parsed" in w.message for w in doc.warnings)


@pytest.mark.parametrize(
    "text",
    [
        "<div>\n" + "<!--" * 20000,  # unclosed comments: quadratic in html.parser
        "<p>" + "<a" * 40000,  # unclosed tags: same
        "{{< " + "x" * 100000,  # unclosed shortcode
        "<a href='x'>" * 5000 + "text " * 5000,  # many unclosed links
        "Title: x\n" + "    more\n" * 50000,
        "[" * 20000 + "*a" * 20000,
        "| a |\n|---|\n" + "| b |\n" * 20000,
    ],
    ids=["comments", "tags", "shortcode", "links", "header", "brackets", "table"],
)
def test_large_hostile_inputs(text):
    started = time.perf_counter()
    read_markdown(text)
    print(f"{len(text)} chars in {time.perf_counter() - started:.2f}s")


def test_every_markdown_file_of_the_corpora_reads():
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    paths = sorted(p for p in CORPORA.rglob("*") if p.suffix in MARKDOWN_SUFFIXES and p.is_file())
    texts = [corpus_text(str(p.relative_to(CORPORA))) for p in paths]
    started = time.perf_counter()
    docs = [read_markdown(text, str(path)) for path, text in zip(paths, texts, strict=True)]
    elapsed = time.perf_counter() - started
    print(f"\n{len(docs)} Markdown files, {sum(map(len, texts))} chars, read in {elapsed:.2f}s")
    assert len(docs) > 600
    for path, doc in zip(paths, docs, strict=True):
        assert not any("not parsed" in w.message for w in doc.warnings), path
        if path.parent.name != "hostile" and path.name != "MANIFEST.md":
            assert all(s.anchor for s in doc.sections), path
