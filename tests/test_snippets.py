"""Snippets and marked titles (search/snippets.py): the best windows of a text around
the query's words, cut at sentences or words with "…" where text was left out, escaped
except for our own <mark>."""

from __future__ import annotations

import html
import re

from barcamp_search.indexer.analysis import language_analyzer
from barcamp_search.search.snippets import SNIPPET_CHARS, mark, matches, shorten, snippet_for

FILLER = (
    "Le groupe se retrouve chaque mois dans une salle prêtée par une entreprise locale. "
    "Les discussions continuent souvent autour d'un verre après les présentations. "
)


def plain(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def test_a_match_deep_in_a_long_text_is_shown_with_its_sentence_and_ellipses():
    text = (
        FILLER * 6 + "Alice a présenté les générateurs de sites statiques en Python. " + FILLER * 6
    )
    snippet = snippet_for(text, frozenset({"gener"}), "fr")
    assert "<mark>générateurs</mark>" in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")
    shown = plain(snippet)[2:-2]
    # the window starts at a sentence (the one holding the match) and ends after a word
    assert shown.startswith("Alice a présenté") or shown[0].isupper()
    assert shown in text
    words = set(text.split())
    assert shown.split()[-1] in words or shown.split()[-1].rstrip(".") + "." in words
    assert len(shown) <= SNIPPET_CHARS + 80


def test_two_distant_matches_give_two_fragments():
    text = (
        "Django ouvre la soirée. "
        + FILLER * 8
        + "Pour finir, un retour sur asyncio et ses boucles. "
        + FILLER * 8
    )
    snippet = snippet_for(text, frozenset({"django", "asyncio"}), "fr")
    assert "<mark>Django</mark>" in snippet and "<mark>asyncio</mark>" in snippet
    assert " … " in snippet  # the text between them left out


def test_everything_but_mark_is_escaped():
    text = "Le mot zorglub entouré de <script>alert('x')</script> et &lt;b&gt;."
    snippet = snippet_for(text, frozenset({"zorglub"}), "fr")
    assert "<mark>zorglub</mark>" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0
    assert "&lt;script&gt;" in snippet and "&amp;lt;b&amp;gt;" in snippet


def test_no_match_shows_the_beginning_cut_at_a_sentence():
    text = FILLER * 5
    snippet = snippet_for(text, frozenset({"absent"}), "fr")
    assert "<mark>" not in snippet
    assert snippet.endswith(" …") and snippet[:-2].rstrip().endswith(".")
    assert shorten("court") == "court"
    cut = shorten("mot " * 200)
    assert cut.endswith(" …") and cut[:-2].split()[-1] == "mot"


def test_words_match_through_their_indexed_forms():
    # stems, folded accents, compounds and "PEP 8" as "pep8"
    (event,) = language_analyzer("fr").index_positions("événement")
    found = matches("Les Évènements, micro-python et la PEP 8.", frozenset({event, "python"}), "fr")
    assert [m[2] for m in found] == [event, "python"]
    joined = matches("Relisez la PEP 8 avant.", frozenset({"pep8"}), "fr")
    assert [m[2] for m in joined] == ["pep8"]


def test_titles_are_marked_whole():
    assert mark("Python & Django <3 Python", frozenset({"python"}), "en") == (
        "<mark>Python</mark> &amp; Django &lt;3 <mark>Python</mark>"
    )
    assert mark("Rien ici", frozenset({"python"}), "fr") == "Rien ici"
