"""Every language's analysis, CJK bigrams, and queries over an index of several languages
(issue 15): inflected and unaccented queries find the posts of their language, a word
of another language still matches as written, a Japanese query with no spaces finds the
post that contains it."""

from __future__ import annotations

from pathlib import Path

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.analysis import (
    LANGUAGES,
    index_language,
    language_analyzer,
    stop_words,
)
from barcamp_search.indexer.build import index_archives
from barcamp_search.search import SearchIndex, SearchQuery
from barcamp_search.search.query import present_languages

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def indexed(lang: str, text: str) -> set[str]:
    return set(language_analyzer(lang).index_positions(text))


def queried(lang: str, text: str) -> list[str]:
    return [token.text for token in language_analyzer(lang)(text, mode="query")]


# (language, a word as a query, an inflected form in a text that it must find)
INFLECTIONS = [
    ("de", "vortrag", "Vorträge"),
    ("de", "treffen", "Treffens"),
    ("es", "charla", "charlas"),
    ("es", "reunion", "Reunión"),
    ("it", "incontro", "incontri"),
    ("it", "presentazione", "presentazioni"),
    ("pt", "encontro", "encontros"),
    ("nl", "bijeenkomst", "bijeenkomsten"),
    ("da", "møde", "møderne"),
    ("sv", "föreläsning", "föreläsningar"),
    ("no", "foredrag", "foredragene"),
    ("fi", "tapahtuma", "tapahtumassa"),
    ("hu", "előadás", "előadások"),
    ("ro", "prezentare", "prezentarea"),
    ("ru", "доклад", "доклады"),
    ("tr", "konuşma", "konuşmalar"),
    ("fr", "générateur", "générateurs"),
    ("en", "talk", "talks"),
]


@pytest.mark.parametrize(("lang", "query", "text"), INFLECTIONS)
def test_each_language_finds_inflected_and_unaccented_forms(lang, query, text):
    (word,) = queried(lang, query)
    assert word in indexed(lang, f"Les {text} !")
    unaccented = query.translate(str.maketrans("éèöøőáüçşã", "eeooo aucsa".replace(" ", "")))
    assert queried(lang, unaccented) == [word]


def test_every_snowball_language_has_stop_words_and_a_stemmer():
    for lang in LANGUAGES:
        if lang == "cjk":
            continue
        assert len(stop_words(lang)) >= 30, lang
    assert "der" in stop_words("de") and "los" in stop_words("es") and "il" in stop_words("it")
    assert indexed("de", "der Vortrag") == {"vortrag"}  # the stop word dropped


def test_italian_elisions():
    assert indexed("it", "dell'intelligenza artificiale") == indexed(
        "it", "intelligenza artificiale"
    )
    assert indexed("it", "l'incontro") == {"incontr"}
    assert indexed("fr", "l'atelier") == indexed("fr", "atelier")


def test_post_languages_map_to_an_analysis():
    assert index_language("de-AT") == "de"
    assert index_language("ja") == index_language("zh") == index_language("ko") == "cjk"
    assert index_language("nb") == "no"
    assert index_language("pl") == "en"  # no analysis of its own: English's
    assert index_language("") == "en"


def test_cjk_text_is_bigrams_and_a_query_is_their_phrase():
    assert indexed("cjk", "勉強会") == {"勉強", "強会"}
    assert indexed("cjk", "東京のPython勉強会") == {"東京", "京の", "python", "勉強", "強会"}
    assert queried("cjk", "東京") == ["東京"]
    assert queried("cjk", "Python勉強会") == ["python", "勉強", "強会"]
    # the chain and the one-loop path agree, positions included
    analyzer = language_analyzer("cjk")
    chain = {}
    for token in analyzer("東京のPython勉強会 と 大阪", positions=True):
        chain.setdefault(token.text, []).append(token.pos)
    assert chain == analyzer.index_positions("東京のPython勉強会 と 大阪")


# --- an index of several languages --------------------------------------------------------


POSTS = {
    "ja/2024-05-tokyo.md": (
        "ja",
        "東京Python勉強会 第12回",
        "東京のPython勉強会で非同期処理について話しました。次回は大阪で開催します。",
    ),
    "ja/2024-06-kyoto.md": (
        "ja",
        "京都の集まり",
        "京都でデータ分析の発表がありました。",
    ),
    "de/2024-05-treffen.md": (
        "de",
        "Treffen im Mai",
        "Zwei Vorträge über asynchrone Programmierung und über Datenbanken.",
    ),
    "es/2024-05-reunion.md": (
        "es",
        "Reunión de mayo",
        "Tuvimos dos charlas sobre Django y una sobre análisis de datos.",
    ),
    "en/2024-05-meetup.md": (
        "en",
        "May meetup",
        "Two talks about Django and asyncio, and the Treffen of our German friends.",
    ),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages")
    archive = root / "archive"
    for path, (lang, title, text) in POSTS.items():
        target = archive / path
        target.parent.mkdir(parents=True, exist_ok=True)
        date = "2024-" + path.split("-")[1]
        target.write_text(
            f"---\ntitle: {title}\ndate: {date}-15\nlang: {lang}\n---\n\n{text}\n",
            encoding="utf-8",
        )
    report = index_archives(root / "index", [Archive(archive, ArchiveOptions("multi"))])
    assert not report.failed, report.failed
    with SearchIndex(root / "index") as handle:
        yield handle


def titles(engine, text: str) -> set[str]:
    return {hit.title for hit in engine.search(SearchQuery(text=text, per_page=50)).hits}


def test_the_index_knows_its_languages(engine):
    assert set(present_languages(engine.state().searcher.reader())) == {"cjk", "de", "es", "en"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("勉強会", {"東京Python勉強会 第12回"}),
        ("東京", {"東京Python勉強会 第12回"}),
        ("東京のPython勉強会", {"東京Python勉強会 第12回"}),  # no spaces: found as typed
        ("非同期処理", {"東京Python勉強会 第12回"}),
        ("京都", {"京都の集まり"}),
        ("データ分析", {"京都の集まり"}),
        ("vortrag", {"Treffen im Mai"}),
        ("datenbank", {"Treffen im Mai"}),
        ("charla", {"Reunión de mayo"}),
        # (and the synonyms: reunion is a meetup, in every language)
        ("reunion", {"Reunión de mayo", "May meetup"}),
        ("analisis datos", {"Reunión de mayo"}),
        # a word of another language still matches as written: the German word in English
        ("treffen", {"Treffen im Mai", "May meetup"}),
        ("django", {"Reunión de mayo", "May meetup"}),
    ],
)
def test_queries_find_posts_in_every_language(engine, query, expected):
    assert titles(engine, query) == expected


def test_a_cjk_word_not_in_the_index_finds_nothing(engine):
    assert titles(engine, "名古屋") == set()
    assert titles(engine, "東京の大阪") == set()  # both words, but not in a row


def test_cjk_results_are_highlighted(engine):
    (hit,) = engine.search(SearchQuery(text="京都")).hits
    assert "<mark>" in hit.title_html
    assert any("<mark>" in section.snippet for section in hit.sections)


def test_cjk_queries_are_never_corrected_or_completed(engine):
    results = engine.search(SearchQuery(text="東京の勉強", instant=True))
    assert results.corrected is None


# --- the shared archives --------------------------------------------------------------------


SHARED = [
    ("pyvigo-es", "es"),
    ("pybiella-it", "it"),
    ("goepy-de", "de"),
]


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory):
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    root = tmp_path_factory.mktemp("shared-languages")
    archives = [Archive(CORPORA / name, ArchiveOptions(name, lang=lang)) for name, lang in SHARED]
    report = index_archives(root / "index", archives)
    assert not report.failed, report.failed
    with SearchIndex(root / "index") as handle:
        yield handle


def archive_total(engine, text: str, archive: str) -> int:
    return engine.search(SearchQuery(text=text, archives=(archive,))).total


@pytest.mark.parametrize(
    ("archive", "query", "inflected"),
    [
        ("goepy-de", "vortrag", "Vorträge"),
        ("pyvigo-es", "charla", "charlas"),
        ("pyvigo-es", "reunion", "Reunión"),
        ("pybiella-it", "incontro", "incontri"),
    ],
)
def test_inflected_and_unaccented_queries_on_the_shared_archives(
    shared_engine, archive, query, inflected
):
    # the query finds every post the inflected form finds as written
    as_written = shared_engine.search(SearchQuery(text=f'"{inflected}"', archives=(archive,)))
    missed = shared_engine.search(
        SearchQuery(
            text=f'"{inflected}" NOT {query}', archives=(archive,), typos=False, synonyms=False
        )
    )
    assert as_written.total >= 1, inflected
    assert missed.total == 0, [hit.source for hit in missed.hits]
