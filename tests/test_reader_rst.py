"""Tests for the reST reader (``barcamp_search.read.formats.rst.read_rst``).

Real posts are read from the shared corpora (never copied here); those tests
skip when the corpora folder is absent. Small synthetic inputs are inline.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path
from textwrap import dedent

import pytest
from docutils import ApplicationError
from docutils.transforms import Transform

from barcamp_search.model import Document, ReadWarning, split_list
from barcamp_search.read.formats import rst as rst_reader
from barcamp_search.read.formats.rst import MAX_LINE, MAX_WARNINGS, read_rst

CORPORA = Path(__file__).parents[2] / "shared" / "corpora"
HOSTILE = CORPORA / "hostile"
NANTES = CORPORA / "python-nantes" / "sources" / "articles"
RST_ARCHIVES = ("python-nantes", "mtlpy-rst-2012", "baypiggies", "afpyro", "pelican-tests")
DOCUTILS_MESSAGES = (
    "Unknown directive type",
    "Unknown interpreted text role",
    "Undefined substitution",
    "Unknown target name",
    "directive disabled",
    "roles disabled",
    "System Message",
    "Title underline too short",
    "File and URL access deactivated",
    "autonumbered footnote",
    "Inconsistent title style",
    "Missing matching underline",
)


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    return path


def decode(path: Path) -> str:
    """What the caller hands the reader: BOM removed, LF line ends, no NUL."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\0", "")


def read(path: Path) -> Document:
    return read_rst(decode(path), str(path))


def everything(doc: Document) -> str:
    """Every string of a Document, for "never appears anywhere" checks."""
    return json.dumps(dataclasses.asdict(doc), ensure_ascii=False)


def prose(doc: Document) -> list[str]:
    """Title, all texts and all blocks: what gets indexed as words."""
    out = [doc.title or "", doc.text, *(b.text for b in doc.blocks)]
    for section in doc.sections:
        out += [section.title, section.text, *(b.text for b in section.blocks)]
    return out


def all_blocks(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks] + [b.text for s in doc.sections for b in s.blocks]


def all_rst_files() -> list[Path]:
    files = [p for name in RST_ARCHIVES for p in sorted(corpus(name).rglob("*.rst"))]
    hostile = sorted(corpus("hostile").glob("*.rst"))
    return files + hostile + [corpus("hostile", "conf-override", "post.rst")]


# --- real posts: titles, fields, sections -------------------------------------


def test_nantes_title_and_fields() -> None:
    doc = read(
        corpus(
            "python-nantes",
            "sources",
            "articles",
            "011-cr-meetup-2015-01-27-pyramid-generateurs-coroutines.rst",
        )
    )
    assert doc.title == "Compte-rendu des conférences : Pyramid, Générateurs et co-routines"
    assert doc.fields == {
        "date": "2015-01-27",
        "tags": "pyramid, générateur, co-routine",
        "category": "comptes-rendus",
        "author": "Florent Lebreton",
        "summary": "Compte-rendu de la présentation de Pyramid par Gaël et de "
        "l'intervention sur les générateurs et les co-routines de Hugo.",
    }
    assert doc.text.startswith("Pour ce premier meetup de janvier")
    assert [s.anchor for s in doc.sections] == [
        "pyramid",
        "generateurs-et-coroutines",
        "les-iterateurs-iterables",
        "les-generateurs",
        "les-co-routines",
    ]
    assert [(s.level, s.parent) for s in doc.sections] == [
        (1, None),
        (1, None),
        (2, "generateurs-et-coroutines"),
        (2, "generateurs-et-coroutines"),
        (2, "generateurs-et-coroutines"),
    ]
    pyramid, generators = doc.sections[0], doc.sections[1]
    assert pyramid.title == "Pyramid"
    assert pyramid.blocks[0].text == "Intervenant\xa0: Gaël"
    assert pyramid.blocks[0].kind == "paragraph"
    assert generators.text == "Intervenant\xa0: Hugo"  # its own content, not its subsections'


def test_email_field_is_dropped_everywhere() -> None:
    for path in sorted(corpus("python-nantes", "sources", "articles").glob("*.rst")):
        doc = read(path)
        assert "email" not in doc.fields, path.name
        source = decode(path)
        email_line = next((x for x in source.splitlines() if x.startswith(":email:")), None)
        if email_line:
            address = email_line.split(":", 2)[2].split(",")[0].strip()
            assert address not in everything(doc), path.name
        assert not any(link.url.startswith("mailto:") for link in doc.links), path.name


@pytest.mark.parametrize(
    ("name", "anchors"),
    [
        (
            "003-cr-meetup-2014-07-09.rst",
            [
                "outils-python-pour-les-adminsys-devops",
                "django",
                "bonnes-pratiques-et-outils-python",
                "regards-croises-sur-des-projets-python",
            ],
        ),
        (
            "007-cr-mettup-2014-09-30_micro-python.rst",
            [
                "presentation",
                "let-s-roll",
                "que-la-lumiere-soit",
                "moteur-ca-tourne",
                "digression",
            ],
        ),
    ],
)
def test_nantes_section_anchors(name: str, anchors: list[str]) -> None:
    doc = read(corpus("python-nantes", "sources", "articles", name))
    assert [s.anchor for s in doc.sections] == anchors


def test_nantes_code_is_text_but_never_a_block() -> None:
    name = "007-cr-mettup-2014-09-30_micro-python.rst"
    doc = read(corpus("python-nantes", "sources", "articles", name))
    section = next(s for s in doc.sections if s.anchor == "moteur-ca-tourne")
    assert "brain = pyb.Servo(1)" in section.text
    assert not any("pyb.Servo" in b for b in all_blocks(doc))
    assert any("youtube" in w.message for w in doc.warnings)
    assert "LCrE0T3FtEU" not in everything(doc)  # the unknown directive's argument


def test_mtlpy_docinfo_directly_under_title() -> None:
    doc = read(corpus("mtlpy-rst-2012", "2009", "3", "montreal-python-6-2009-04-14.rst"))
    assert doc.title == "Montreal Python 6: 2009-04-14"
    assert doc.fields == {"date": "2009-03-04 13:08", "category": "Presentations"}
    assert doc.text.startswith("We are pleased to announce")
    assert not any("raw" in t and "disabled" in t for t in prose(doc))
    assert any(w.message == '"raw" directive disabled.' for w in doc.warnings)


def test_baypiggies_title_field_and_overlined_title() -> None:
    doc = read(corpus("baypiggies", "pages", "community", "code_of_conduct.rst"))
    assert doc.title == "Code of Conduct"
    assert doc.fields["title"] == "Code of Conduct"
    assert doc.fields["authors"] == ("Glen Jarvis",)
    assert doc.sections[0].anchor == "a-member-of-the-python-community-is"


def test_baypiggies_authors_node_is_a_tuple() -> None:
    doc = read(corpus("baypiggies", "meetings", "Meeting-2017-04-27.rst"))
    assert doc.fields["authors"] == (
        "Moshe Zadka",
        "Al Sweigart",
        "Asheesh Laroia and Philip James",
    )
    assert doc.fields["slug"] == "meeting-2017-04-27"
    speakers = doc.sections[0].blocks[:2]
    assert [(b.kind, b.text) for b in speakers] == [
        ("term", "Speakers:"),
        ("definition", "Moshe Zadka, Al Sweigart, Asheesh Laroia, and Philip James"),
    ]


def test_afpyro_two_top_level_sections_have_no_title() -> None:
    doc = read(corpus("afpyro", "dates", "2013", "2013_01_23.rst"))
    assert doc.title is None
    assert doc.fields == {}
    assert [(s.anchor, s.level) for s in doc.sections] == [
        ("afpyro-a-lyon-le-23-janvier-2013", 1),
        ("afpyro-a-pau-le-23-janvier", 1),
    ]


def test_afpyro_lone_subsection_stays_a_section() -> None:
    doc = read(corpus("afpyro", "dates", "2012", "2012_03_20.rst"))
    assert doc.title
    assert [s.title for s in doc.sections] == ["Pau"]


def test_afpyro_sphinx_ref_role_yields_its_text() -> None:
    for path in sorted(corpus("afpyro").rglob("*.rst")):
        doc = read(path)
        for text in prose(doc):
            assert ":ref:`" not in text and ":doc:`" not in text, path


# --- Pelican's reader tests ----------------------------------------------------

ISO_KEYS = ("date", "modified")


def _pelican_cases():
    expected_path = CORPORA / "pelican-tests" / "EXPECTED.json"
    if not expected_path.exists():
        return []
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    cases = []
    for name, entry in expected["files"].items():
        if entry.get("format") != "rst":
            continue
        for case in entry["cases"]:
            if case.get("settings") == {} and "metadata" in case:
                cases.append(pytest.param(name, case, id=f"{name}:{case['test']}"))
    return cases


@pytest.mark.parametrize(("name", "case"), _pelican_cases())
def test_pelican_reader_metadata(name: str, case: dict) -> None:
    doc = read(corpus("pelican-tests", name))
    for key, want in case["metadata"].items():
        if key == "title":
            assert doc.title == want
        elif key in ISO_KEYS:
            assert doc.fields[key].replace(" ", "T") + ":00" == want
        elif key == "tags":
            assert split_list(doc.fields["tags"]) == want
        elif key == "authors":
            assert list(doc.fields["authors"]) == want
        elif key == "summary":
            plain = html.unescape(re.sub(r"<[^>]+>", "", want))  # Pelican asserts rendered HTML
            assert doc.fields["summary"] == " ".join(plain.split())
        else:
            assert doc.fields[key] == want
    for key in case.get("absent", []):
        assert key not in doc.fields


def test_pelican_titles_of_unasserted_files() -> None:
    expected = json.loads(corpus("pelican-tests", "EXPECTED.json").read_text(encoding="utf-8"))
    checked = 0
    for name, facts in expected["source_only_not_asserted_files"].items():
        if name.endswith(".rst"):
            doc = read(corpus("pelican-tests", name))
            assert doc.title == facts["title"]
            for key in ("category", "template"):
                if key in facts:
                    assert doc.fields[key] == facts[key]
            checked += 1
    assert checked >= 3


def test_pelican_abbr_role_and_uppercase_keys() -> None:
    doc = read(corpus("pelican-tests", "content", "article.rst"))
    assert "Now with added support for TLA (three letter acronym)." in doc.text
    assert any('"abbr"' in w.message for w in doc.warnings)
    upper = read(corpus("pelican-tests", "content", "article_with_capitalized_metadata.rst"))
    assert set(upper.fields) >= {"tags", "date", "modified", "category", "author", "summary"}


def test_pelican_parse_error_is_a_warning() -> None:
    # Pelican refuses this file; docutils (and this reader) only warn.
    doc = read(corpus("pelican-tests", "parse_error", "parse_error.rst"))
    assert doc.title == "Page with a parse error"
    assert [w.message for w in doc.warnings] == ["Title underline too short."]


# --- links ---------------------------------------------------------------------


def test_wrapped_url_is_rejoined() -> None:
    doc = read(corpus("python-nantes", "sources", "articles", "006-annonce-barcamp-2014-09-30.rst"))
    assert doc.links[0].url == "http://nantes.afpy.org/40-pythons-1-conference-et-des-trolls.html"
    assert doc.links[0].text == "dernier meetup"
    assert doc.links[0].section is None


def test_links_named_anonymous_indirect_standalone_image() -> None:
    doc = read_rst(
        dedent("""\
        Links
        #####

        :email: someone@example.org
        :contact: other@example.org

        See `anon`__, named_, indirect_, `inline <http://inline.example/a
        b>`_ and http://bare.example/x.

        __ http://anon.example/
        .. _named: http://named.example/
        .. _indirect: named_

        Part
        ====

        .. image:: /img/photo.png
           :target: /presentations/talk.pdf
           :alt: Photo

        Mail me at me@example.com. `Same <http://named.example/>`_.
        """)
    )
    assert [(x.url, x.text, x.section) for x in doc.links] == [
        ("http://anon.example/", "anon", None),
        ("http://named.example/", "named", None),
        ("http://named.example/", "indirect", None),
        ("http://inline.example/ab", "inline", None),
        ("http://bare.example/x", "http://bare.example/x", None),
        ("/presentations/talk.pdf", "Photo", "part"),
        ("mailto:me@example.com", "me@example.com", "part"),
        ("http://named.example/", "Same", "part"),
    ]
    assert "email" not in doc.fields
    assert "someone@example.org" not in everything(doc)


# --- hostile files -------------------------------------------------------------


def _secrets() -> list[str]:
    """Lines of local files a hostile post tries to pull in."""
    secrets: list[str] = []
    for name in ("/etc/passwd",):
        try:
            lines = Path(name).read_text(errors="replace").splitlines()
            secrets += [line for line in lines if len(line) > 8]
        except OSError:
            pass
    try:
        hostname = Path("/etc/hostname").read_text().strip()
        if len(hostname) >= 4:
            secrets.append(hostname)
    except OSError:
        pass
    secrets += [f"{k}={v}" for k, v in os.environ.items() if len(v) > 8][:20]
    return secrets


@pytest.mark.parametrize("name", ["include-local-file.rst", "raw-file.rst", "csv-table-file.rst"])
def test_no_local_file_content(name: str) -> None:
    path = corpus("hostile", name)
    source = decode(path)
    doc = read(path)
    dumped = everything(doc)
    for secret in _secrets():
        if secret not in source:
            assert secret not in dumped
    assert "root:x:0:0" not in dumped
    assert doc.title and doc.fields["slug"] == name[:-4]
    assert any("motcanari" in t for t in prose(doc))
    for text in prose(doc):
        assert not any(m in text for m in DOCUTILS_MESSAGES), text
        assert ".. include::" not in text and ":file:" not in text


class _Listener:
    """Loopback TCP listeners that count incoming connections."""

    def __init__(self, ports: tuple[int, ...]) -> None:
        self.count = 0
        self.sockets: list[socket.socket] = []
        for port in ports:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                sock.close()
                self.close()
                pytest.skip(f"port {port} busy")
            sock.listen(5)
            sock.settimeout(0.1)
            self.sockets.append(sock)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            for sock in self.sockets:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                self.count += 1
                conn.close()

    def close(self) -> None:
        if hasattr(self, "stop"):
            self.stop.set()
            self.thread.join()
        for sock in self.sockets:
            sock.close()


def test_raw_url_opens_no_connection() -> None:
    path = corpus("hostile", "raw-url.rst")
    listener = _Listener((8765, 8766))
    try:
        doc = read(path)
        time.sleep(0.3)  # let a late connection arrive
    finally:
        listener.close()
    assert listener.count == 0
    assert "motcanari-rawurl" in doc.text
    assert "127.0.0.1" not in " ".join(prose(doc))
    assert not doc.links


def test_conf_override_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = corpus("hostile", "conf-override")
    for item in folder.iterdir():
        shutil.copy(item, tmp_path / item.name)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    doc = read(tmp_path / "post.rst")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no file created
    dumped = everything(doc)
    for secret in _secrets():
        assert secret not in dumped
    assert "alert(" not in " ".join(prose(doc))
    assert "motcanari-conf" in doc.text
    assert doc.fields["slug"] == "conf-override"


def test_nothing_is_printed(capfd: pytest.CaptureFixture[str]) -> None:
    for name in ("unknown-directive-role.rst", "section-errors.rst", "raw-inline-script.rst"):
        read(corpus("hostile", name))
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_raw_inline_script_is_not_text() -> None:
    doc = read(corpus("hostile", "raw-inline-script.rst"))
    for text in prose(doc):
        assert "<script" not in text and "pwned" not in text and "onerror" not in text
        assert "disabled" not in text
    assert doc.text == "Texte ordinaire : motcanari-rawinline."


def test_unknown_directives_and_roles() -> None:
    doc = read(corpus("hostile", "unknown-directive-role.rst"))
    messages = [w.message for w in doc.warnings]
    assert 'Unknown directive type "youtube".' in messages
    assert 'Unknown directive type "gist".' in messages
    assert 'Unknown interpreted text role "ref".' in messages
    assert any("substitution-absente" in m for m in messages)
    assert any("lien cassé" in m for m in messages)
    assert all(w.line for w in doc.warnings)
    for text in prose(doc):
        assert not any(m in text for m in DOCUTILS_MESSAGES), text
        assert "dQw4w9WgXcQ" not in text and ":ref:" not in text and "`" not in text
    paragraph = doc.blocks[0].text
    for visible in (
        "PEP (Python Enhancement Proposal)",
        "PEP 8",
        "ailleurs",
        "cible",
        "lien cassé",
        "substitution-absente",
    ):
        assert visible in paragraph
    assert doc.blocks[1].text == "Intervenant : Bruno Petit"


def test_problematic_role_text() -> None:
    doc = read_rst(
        dedent("""\
        .. role:: raw-html(raw)
           :format: html

        :ref:`Some title <label>`, :ref:`plain-label`, :doc:`~pkg/page`, *open
        and `missing`_ and |nosub| and :raw-html:`<b>secret</b>` done.
        """)
    )
    text = doc.blocks[0].text
    assert text == "Some title, plain-label, pkg/page, *open\nand missing and nosub and  done."
    assert "secret" not in everything(doc)
    assert any(w.message == "raw (and derived) roles disabled" for w in doc.warnings)


def test_role_definitions_do_not_leak_between_documents() -> None:
    read_rst(".. role:: custom\n\n:custom:`x`\n")
    doc = read_rst(":custom:`y`\n")
    assert any('"custom"' in w.message for w in doc.warnings)
    assert doc.text == "y"


def test_section_errors_degrade() -> None:
    doc = read(corpus("hostile", "section-errors.rst"))
    assert doc.title == "Sections incohérentes"
    assert [s.anchor for s in doc.sections][:3] == ["un", "deux", "trois"]
    assert any("motcanari-sections" in s.text for s in doc.sections)
    assert len(doc.warnings) >= 2
    for text in prose(doc):
        assert not any(m in text for m in DOCUTILS_MESSAGES)


def test_speaker_variants_literal_and_comment_are_not_blocks() -> None:
    doc = read(corpus("hostile", "speaker-variants.rst"))
    blocks = all_blocks(doc)
    assert "Intervenant : Alice Dupont" in blocks
    assert "Intervenants : Farid, Gaëlle et Hugo" in blocks
    assert not any("Karim" in b or "Luc Commentaire" in b for b in blocks)
    assert "Karim Littéral" in doc.text  # literal text stays searchable
    assert "Luc Commentaire" not in everything(doc)  # comments are dropped
    quote = [b for b in doc.blocks if b.kind == "quote"]
    assert [b.text for b in quote] == ["Intervenant : Jules Citation"]


def test_long_line_keeps_title_fields_and_text() -> None:
    doc = read(corpus("hostile", "long-line.rst"))
    assert doc.title == "Une ligne de douze mille caractères"
    assert doc.fields["slug"] == "long-line"
    assert "motcanari-longline" in doc.text
    assert max(len(b.text) for b in doc.blocks) >= 12_000
    assert not any("line-length-limit" in w.message for w in doc.warnings)


def test_line_over_the_limit_is_cut_not_fatal() -> None:
    text = "Title\n=====\n\n:tags: a\n\nbefore\n\n" + "word " * (MAX_LINE // 4) + "\n\nafter\n"
    doc = read_rst(text)
    assert doc.title == "Title" and doc.fields == {"tags": "a"}
    assert doc.text.startswith("before\n\nword word") and doc.text.endswith("after")
    assert doc.warnings == (ReadWarning(8, f"line 8 cut to {MAX_LINE} characters"),)


def test_huge_metadata_is_kept() -> None:
    doc = read(corpus("hostile", "huge-metadata.rst"))
    assert len(split_list(doc.fields["tags"])) == 3000
    assert len(doc.fields["author"]) > 8000
    assert "motcanari-hugemeta" in doc.text


@pytest.mark.parametrize("name", ["missing-title.rst", "bom-before-fields.rst"])
def test_field_list_at_top_without_title(name: str) -> None:
    doc = read(corpus("hostile", name))
    assert doc.title is None
    assert {"date", "tags", "author", "slug"} <= set(doc.fields)


@pytest.mark.parametrize("name", ["deep-quotes-250.rst", "deep-notes-200.rst"])
def test_deep_nesting_raises_recursion_error(name: str) -> None:
    path = corpus("hostile", name)
    with pytest.raises(RecursionError):
        read(path)


def test_every_rst_file_reads_without_exception() -> None:
    for path in all_rst_files():
        if path.name.startswith("deep-"):
            continue
        doc = read(path)
        assert isinstance(doc, Document)
        assert len(doc.warnings) <= MAX_WARNINGS + 1
        for text in prose(doc):
            assert "System Message" not in text and "directive disabled" not in text, path


# --- synthetic edge cases ------------------------------------------------------


def test_text_blocks_and_kinds() -> None:
    doc = read_rst(
        dedent("""\
        Title
        =====

        Intro *para*.

        Speaker : Jane Doe
           The talk.

        :Topic: Fields in the body

        * item one

        > not a quote

            quoted text

            -- Author Name

        | line one
        | line two

        Section
        -------

        Own text.

        .. code:: python

           result = asyncio.gather(a, b)

        .. a comment that must vanish

        =====  =====
        cell1  cell2
        =====  =====

        Sub
        ~~~

        Sub text.
        """)
    )
    assert doc.title == "Title"
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [
        ("paragraph", "Intro para."),
        ("term", "Speaker : Jane Doe"),
        ("definition", "The talk."),
        ("term", "Topic"),
        ("definition", "Fields in the body"),
        ("item", "item one"),
        ("paragraph", "> not a quote"),
        ("quote", "quoted text"),
        ("quote", "Author Name"),
        ("paragraph", "line one\nline two"),
    ]
    assert doc.blocks[0].line == 4
    assert doc.blocks[1].line == 6
    section, sub = doc.sections
    assert (section.anchor, section.level, section.parent) == ("section", 1, None)
    assert (sub.anchor, sub.level, sub.parent) == ("sub", 2, "section")
    assert section.text == "Own text.\n\nresult = asyncio.gather(a, b)\n\ncell1\n\ncell2"
    assert [b.kind for b in section.blocks] == ["paragraph", "cell", "cell"]
    assert "comment" not in everything(doc)
    assert sub.text == "Sub text."


def test_contents_directive_is_not_text() -> None:
    doc = read_rst("Title\n=====\n\n.. contents::\n\nIntro.\n\nA\n-\n\nx\n\nB\n-\n\ny\n")
    assert doc.text == "Intro."
    assert [s.title for s in doc.sections] == ["A", "B"]


def test_warnings_are_capped() -> None:
    text = "Title\n=====\n\n" + "\n\n".join(f":bogus{i}:`x` and `missing{i}`_" for i in range(300))
    doc = read_rst(text)
    assert len(doc.warnings) == MAX_WARNINGS + 1
    assert doc.warnings[-1].message == f"{600 - MAX_WARNINGS} more warnings"
    assert doc.text.count("x and missing") == 300


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "=====\n",
        "Title\n=\n",
        ":date:\n",
        ".. image::\n",
        ".. |x| replace:: |x|\n\n|x|\n",
        "`a <`_",
        "[#]_",
        "__ http://x\n",
        ".. csv-table::\n   :url: http://127.0.0.1:8765/x\n",
        ".. include:: /etc/passwd\n",
        ":authors:\n",
        ".. default-role:: raw\n\n`x`\n",
        "+--+\n|  |\n+--+\n",
        "* \n" * 3,
        ".. math::\n\n   \\frac{1}{0}\n",
        "x\n" + "=" * 5 + "\n\n" * 3,
    ],
)
def test_odd_inputs_do_not_raise(text: str) -> None:
    doc = read_rst(text)
    assert isinstance(doc, Document)
    assert "/etc/passwd" not in " ".join(prose(doc))
    assert "root:x:0:0" not in everything(doc)


class _Boom(Transform):
    default_priority = 700  # after the parse, among the reference transforms

    def apply(self) -> None:
        raise ApplicationError("boom")


def test_docutils_failure_becomes_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rst_reader, "_TRANSFORMS", [*rst_reader._TRANSFORMS, _Boom])
    doc = read_rst("Title\n=====\n\n:tags: a\n\nBody text.\n")
    assert doc.text == "Body text."
    assert doc.warnings[-1].message == "docutils stopped early: ApplicationError: boom"


def test_unreadable_tree_raises_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise TypeError("half-built tree")

    monkeypatch.setattr(rst_reader, "_fields", broken)
    with pytest.raises(ValueError, match="cannot read reST x.rst: TypeError: half-built tree"):
        read_rst("Title\n=====\n\n:tags: a\n", "x.rst")


def test_speed_of_all_rst_files() -> None:
    nantes = [(p, decode(p)) for p in sorted(corpus("python-nantes").rglob("*.rst"))]
    everything_rst = [(p, decode(p)) for p in all_rst_files() if not p.name.startswith("deep-")]
    for label, files in (("python-nantes", nantes), ("all corpora", everything_rst)):
        started = time.perf_counter()
        for path, text in files:
            read_rst(text, str(path))
        elapsed = time.perf_counter() - started
        print(
            f"\nread_rst {label}: {len(files)} files in {elapsed:.2f} s, "
            f"{1000 * elapsed / len(files):.2f} ms/file"
        )
