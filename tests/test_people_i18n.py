"""Speakers named in Spanish, Italian, German and Japanese posts (issue 15):
``read/people_i18n.py``, whose speakers ``assemble`` adds to those of ``read/people.py``.

Real posts of pyvigo-es, pybiella-it and goepy-de, each checked by hand against its
source; the whole of each archive may name no one the hand-checked lists call wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import Block, Document, Link
from barcamp_search.read.decode import decode_source
from barcamp_search.read.extract import extract_archive
from barcamp_search.read.formats.markdown import read_markdown
from barcamp_search.read.formats.rst import read_rst
from barcamp_search.read.people_i18n import find_speakers


def speakers_of(path: Path) -> list[str]:
    text, _ = decode_source(path.read_bytes(), path.name)
    document = (
        read_rst(text, path.name) if path.suffix == ".rst" else read_markdown(text, path.name)
    )
    return [p.name for p in find_speakers(document)]


CHECKED = {
    "pyvigo-es/posts/reunion_del_grupo_2015-06-18.rst": ["Miguel González", "César Pérez"],
    "pyvigo-es/posts/reunion_del_grupo_2017-12-21.rst": [
        "Román Pena Pérez",
        "Pablo Vázquez Rodríguez",
    ],
    "pyvigo-es/posts/reunion_del_grupo_2018-01-18.rst": ["Luis Rovirosa"],
    "pyvigo-es/posts/reunion_del_grupo_2018-04-19.rst": [
        "David de la Iglesia",
        "Álex Hermida",
        "Ignacio González",
    ],
    "pybiella-it/docs/meetup/archive/xgboost.md": ["Marco Zamboni"],
    "pybiella-it/docs/meetup/archive/agile.md": ["Nicola Moretto"],
    "pybiella-it/docs/meetup/archive/testing_python/testing_2.md": ["Peter Bittner"],
    "pybiella-it/docs/meetup/archive/intro_micropython/micropython_1.md": ["Juna Salviati"],
    "goepy-de/blog-src/2013-05-20_treffen_mai.rst": ["Oliver", "Marcel"],
    "goepy-de/blog-src/2016-02-27_Spieleprogrammierung_In_Python.md": ["Marcel", "Oliver"],
    # posts that name no speaker in these forms: nothing found
    "pyvigo-es/posts/cuenta-de-twitter.rst": [],
    "pybiella-it/docs/meetup/archive/flask/flask_6.md": [],
    "goepy-de/blog-src/2012-12-23-Frohe_Weihnachten.rst": [],
}


@pytest.mark.parametrize("source", sorted(CHECKED))
def test_hand_checked_posts(corpora, source):
    assert speakers_of(corpora / source) == CHECKED[source]


def test_no_wrong_names_in_the_archives(corpora):
    """Precision first: every name found in the three archives looks like a person's
    (capitalised words, no digits) and none is a word of the forms themselves."""
    found: list[str] = []
    for name in ("pyvigo-es", "pybiella-it", "goepy-de"):
        for path in sorted((corpora / name).rglob("*")):
            if path.suffix in (".rst", ".md") and not path.name.endswith(".en.md"):
                found.extend(speakers_of(path))
    assert len(found) >= 50
    forms = {"por", "con", "von", "persona", "minutos", "er", "sie", "das", "stellt"}
    for name in found:
        words = name.split()
        assert 1 <= len(words) <= 4 and not any(ch.isdigit() for ch in name), name
        assert not {w.casefold() for w in words} & forms, name
        assert words[0][0].isupper() and words[-1][0].isupper(), name


def document(text: str, links: tuple[Link, ...] = ()) -> Document:
    block = Block("paragraph", text, 1)
    return Document(None, {}, text, (block,), (), links)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("'Entornos virtuales' por Miguel González (@migonzalvar).", ["Miguel González"]),
        ('"Pandas para todos" de Ana Souza', ["Ana Souza"]),
        ("Ponente: Laura Martín", ["Laura Martín"]),
        ("Palestrante: João Silva e Maria Souza", ["João Silva", "Maria Souza"]),
        ("Relatore: Giulia Bianchi", ["Giulia Bianchi"]),
        ("Referent: Jan Müller", ["Jan Müller"]),
        ("Danach gibt es einen Vortrag von Anna Schmidt über asyncio.", ["Anna Schmidt"]),
        ("Marcel stellt Google App Engine vor.", ["Marcel"]),
        ("Er stellt das Projekt vor.", []),  # a pronoun, not a name
        ("「Python で並行処理」 山田さん", ["山田"]),
        ("**10 y 15 minutos** por persona", []),  # not a name
        ('"Charla" por python', []),  # not capitalised
        ("Una serata con Python e Django", []),  # "con" without a profile link
    ],
)
def test_forms(text, names):
    assert [p.name for p in find_speakers(document(text))] == names


def test_con_needs_a_profile_link():
    text = "Alla scoperta di XGBoost con Marco Zamboni e con Google Cloud."
    links = (
        Link("https://www.linkedin.com/in/marco-zamboni/", "Marco Zamboni"),
        Link("https://cloud.google.com/", "Google Cloud"),
    )
    assert [p.name for p in find_speakers(document(text, links))] == ["Marco Zamboni"]


def test_the_extracted_posts_carry_these_speakers(corpora):
    # through the whole read stage: the post's speakers and its speaker facet
    wanted = {
        "posts/reunion_del_grupo_2015-06-18.rst": {"Miguel González", "César Pérez"},
        "posts/reunion_del_grupo_2018-01-18.rst": {"Luis Rovirosa"},
    }
    posts = {
        result.source: result
        for result in extract_archive(
            corpora / "pyvigo-es", ArchiveOptions("pyvigo-es", lang="es"), workers=1
        )
        if result.source in wanted
    }
    for source, names in wanted.items():
        post = posts[source]
        assert names <= set(post.speakers), (source, post.speakers)
        assert len(post.speakers) == len({name.casefold() for name in post.speakers})
