"""The one-loop indexing path of the language analyzer gives exactly what its chain gives."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from barcamp_search.indexer.analysis import IndexPositions, language_analyzer
from barcamp_search.indexer.schema import build_schema

from .conftest import CORPORA

TRICKY = [
    "L'atelier d'aujourd'hui : micro-python, PEP 8 et pep8 sur asyncio.gather() !",
    "Les évènements — voyages-sncf.com, Python 3.12, C++ et C# ; qu’il fasse beau.",
    "base de données, la base des données ; Django 5 et Django5 ; jusqu'à l'an 2038.",
    "the the THE of PEP 20 and py2 to py3, __init__.py and l'élan dé-jà vu 3.4.5",
    "",
    "   ",
    "de la du",
    "a",
    "x-y-z 1-2 ... 'quoted' ’single’ d' l’",
]


def chain_positions(analyzer, text: str) -> dict[str, list[int]]:
    return {
        word: Positions().decode_positions(value)
        for word, _freq, _weight, value in Positions().word_values(text, analyzer, mode="index")
    }


def fast_positions(analyzer, text: str) -> dict[str, list[int]]:
    return {
        word: IndexPositions().decode_positions(value)
        for word, _freq, _weight, value in IndexPositions().word_values(
            text, analyzer, mode="index"
        )
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("text", TRICKY)
def test_fast_path_equals_chain(lang, text):
    analyzer = language_analyzer(lang)
    assert fast_positions(analyzer, text) == chain_positions(analyzer, text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("abcdeéèàçPEY -.'’_0123456789#+\n")) | st.characters(),
        max_size=80,
    ),
    st.sampled_from(["fr", "en"]),
)
def test_fast_path_equals_chain_on_any_text(text, lang):
    analyzer = language_analyzer(lang)
    assert fast_positions(analyzer, text) == chain_positions(analyzer, text)


def test_weights_and_frequencies_equal_the_chain():
    analyzer = language_analyzer("fr")
    text = TRICKY[0] + " " + TRICKY[2] + " atelier ateliers"
    slow = sorted(Positions().word_values(text, analyzer, mode="index"))
    fast = sorted(IndexPositions().word_values(text, analyzer, mode="index"))
    assert fast == slow


def test_real_archive_texts():
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    files = sorted(CORPORA.rglob("*.rst"))[:150] + sorted(CORPORA.rglob("*.md"))[:150]
    assert files
    for lang in ("fr", "en"):
        analyzer = language_analyzer(lang)
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert fast_positions(analyzer, text) == chain_positions(analyzer, text), path


def test_schema_pickles_with_the_fast_format():
    schema = pickle.loads(pickle.dumps(build_schema()))
    field = schema["body_fr"]
    assert isinstance(field.format, IndexPositions)
    # the first kept word keeps its position (after "les"), as Whoosh's StopFilter does
    assert field.analyzer.index_positions("Les ateliers Python") == {"ateli": [1], "python": [2]}
