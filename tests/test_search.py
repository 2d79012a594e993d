"""Search on the sample archive: analysis, query language, filters, facets, paging."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.errors import QueryError
from barcamp_search.indexer.build import index_archives
from barcamp_search.search import SearchIndex, SearchQuery

from .conftest import SAMPLE

SITE = "https://python-ouest.example.org"
MARS = "articles/2024-03-14-compte-rendu-meetup-mars.rst"
BARCAMP = "articles/2024-04-23-barcamp-avril.rst"
MAI = "articles/2024-05-21-annonce-meetup-mai.rst"
JUIN = "articles/2024-06-18-compte-rendu-juin.rst"
MICRO = "articles/2025-02-11-micropython.rst"
WORKSHOP = "articles/2023-11-16-pyladies-workshop.md"
SPRINT_EN = "articles/2024-09-28-sprint-report.md"
SPRINT_FR = "articles/2024-09-28-sprint-report-fr.md"
HUGO = "hugo/2024-10-19-meetup.md"
REVIEW = "hugo/2025-01-11-year-in-review.md"
PAGE = "pages/a-propos.rst"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    archive = root / "archive"
    shutil.copytree(SAMPLE, archive)
    (archive / "articles" / "2024-12-xss.rst").write_text(
        "Sécurité <script>alert(1)</script>\n"
        "##################################\n\n"
        ":date: 2024-12-01\n:tags: sécurité\n:author: Zoé <b>Gras</b>\n\n"
        "Le mot zorglub entouré de <script>alert('x')</script> et &lt;b&gt; déjà "
        "échappé, puis <b>gras</b>.\n"
    )
    index_archives(root / "index", [Archive(archive, ArchiveOptions("demo", site_url=SITE))])
    with SearchIndex(root / "index") as handle:
        yield handle


def sources(engine, **query):
    return [hit.source for hit in engine.search(SearchQuery(**query)).hits]


def found(engine, text, **query):
    return set(sources(engine, text=text, per_page=100, **query))


# --- analysis -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("événements", {BARCAMP, MAI, MARS}),  # évènement(s), the other spelling
        ("champignon", {MARS}),  # champignons
        ("pyramide", {MARS, REVIEW}),  # Pyramid
        ("micropython", {MARS, MICRO, REVIEW}),  # micro-python, MicroPython
        ("micro-python", {MARS, MICRO, REVIEW}),
        ("co-routines", {MARS}),
        ("coroutines", {MARS}),
        ("asyncio.gather", {MARS, MAI}),
        ("__init__", {JUIN}),
        ("C++", {JUIN}),
        ("PEP8", {JUIN, BARCAMP}),  # "PEP 8" in BARCAMP
        ('"PEP 8"', {JUIN, BARCAMP}),
        ("workshops", {WORKSHOP}),  # English stemming
        ("deployed", {WORKSHOP}),
    ],
)
def test_analysis(engine, text, expected):
    assert found(engine, text, synonyms=False) == expected  # the analysis alone


def test_accents_are_folded(engine):
    # "evenement" also reaches the English stem of "evening" (WORKSHOP): French first
    results = sources(engine, text="evenement", lang="fr", per_page=100)
    assert set(results) == {BARCAMP, MAI, MARS}
    assert found(engine, "evenement") >= {BARCAMP, MAI, MARS}


def test_french_stop_words_and_elisions(engine):
    assert found(engine, "les") == set()
    assert found(engine, "l'évènement") == {BARCAMP, MAI, MARS}
    assert found(engine, "d'expérience") == {MARS}


# --- query language -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pyramid django", {MARS, REVIEW}),
        ("pyramid AND django", {MARS, REVIEW}),
        ("flask OR pyramid", {WORKSHOP, MARS, REVIEW}),
        ("pyramid NOT eleven", {MARS}),
        ('"boucles d\'évènements"', {MAI}),
        ('"liste de diffusion"', {MARS}),  # a phrase with a stop word in it
        ('"tableau de bord"', {MARS}),
        ("capt*", {MARS, MICRO}),
        ("gunicorm~", {WORKSHOP}),
        ("gunicrn~2", {WORKSHOP}),
        ("title:pyramid", {MARS}),
        ("tag:pyladies", {WORKSHOP}),
        ("tag:PyLadies", {WORKSHOP}),
        ("author:garnier", {MARS, MAI}),
        ('author:"Hélène Garnier"', {MARS, MAI}),
        ("speaker:morel", {MARS, JUIN, MICRO}),
        ("category:sprints", {SPRINT_EN, SPRINT_FR}),
        ("archive:demo pyramid", {MARS, REVIEW}),
        ("lang:en sprint", {SPRINT_EN, REVIEW}),
        ("site:pycon.fr", {BARCAMP}),
        ("site:python.org", {MARS, REVIEW}),
        ("Re: pyramid", set()),  # an unknown "field" is plain text: "re" is not in the archive
    ],
)
def test_query_language(engine, text, expected):
    assert found(engine, text) == expected


# --- filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tags": ("asyncio",)}, {MARS, MAI}),
        ({"tags": ("asyncio", "django")}, {MAI}),  # several values of one facet: all hold
        ({"tags": ("Meeting Minutes",)}, {HUGO}),
        ({"authors": ("Thomas Rivière",)}, {MARS, BARCAMP, SPRINT_EN, SPRINT_FR}),
        ({"speakers": ("Kévin Morel",)}, {MARS, JUIN, MICRO}),
        ({"categories": ("Comptes-Rendus",)}, {MARS, BARCAMP, JUIN, MICRO}),
        ({"years": ("2025",)}, {MICRO, REVIEW}),
        ({"years": ("2024", "2025")}, set()),
        ({"archives": ("nope",)}, set()),
        ({"lang": "en"}, {WORKSHOP, SPRINT_EN, HUGO, REVIEW}),
        ({"date_from": "2024-09-28", "date_to": "2024-10-19"}, {SPRINT_EN, SPRINT_FR, HUGO}),
        ({"date_from": "2025-01-01"}, {MICRO, REVIEW}),
        ({"date_to": "2023-12-31"}, {WORKSHOP}),
        (
            {"tags": ("packaging",), "lang": "fr", "authors": ("Thomas Rivière",)},
            {BARCAMP, SPRINT_FR},
        ),
    ],
)
def test_filters_alone_and_combined(engine, filters, expected):
    results = engine.search(SearchQuery(per_page=100, **filters))
    assert {h.source for h in results.hits} == expected
    assert results.total == len(expected)


def test_filters_with_text(engine):
    assert found(engine, "packaging", lang="en") == {SPRINT_EN}
    assert found(engine, "python", tags=("asyncio",), years=("2024",)) == {MARS, MAI}


# --- results, grouping, facets ----------------------------------------------------


def test_results_group_sections_by_post(engine):
    results = engine.search(SearchQuery(text="pyramid"))
    assert results.total == 2
    top = results.hits[0]
    assert top.source == MARS
    assert (
        top.url == f"{SITE}/compte-rendu-du-meetup-de-mars-pyramid-generateurs-et-coroutines.html"
    )
    anchors = [s.anchor for s in top.sections]
    assert anchors[0] == "pyramid-le-framework-qui-monte"
    assert len(anchors) == len(set(anchors)) <= 3
    assert top.sections[0].url == top.url + "#pyramid-le-framework-qui-monte"
    assert "<mark>Pyramid</mark>" in top.sections[0].snippet


def test_facets_count_posts_not_sections(engine):
    results = engine.search(SearchQuery(text="python"))
    tags = {f.value: f.count for f in results.facets["tag"]}
    # MARS has several sections mentioning python: it counts once
    assert tags["python"] == 1
    assert sum(f.count for f in results.facets["archive"]) == results.total
    speakers = {f.value: f.count for f in results.facets["speaker"]}
    assert speakers["Kévin Morel"] == len(found(engine, "python", speakers=("Kévin Morel",)))


def test_facets_flag_selected_values(engine):
    results = engine.search(SearchQuery(tags=("asyncio",), years=("2024",)))
    selected = {
        (name, f.value) for name, counts in results.facets.items() for f in counts if f.selected
    }
    assert selected == {("tag", "asyncio"), ("year", "2024")}
    assert [f.value for f in results.facets["year"]] == ["2024"]


def test_browse_everything_newest_first(engine):
    results = engine.search(SearchQuery(per_page=100))
    assert results.total == 12
    dates = [h.date for h in results.hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[-1] is None  # the undated page comes last
    assert {f.value for f in results.facets["archive"]} == {"demo"}


def test_sort_and_paging(engine):
    newest = sources(engine, text="python", sort="newest", per_page=100)
    oldest = sources(engine, text="python", sort="oldest", per_page=100)
    dated = [s for s in newest if s != PAGE]
    assert dated == [s for s in oldest if s != PAGE][::-1]
    page1 = sources(engine, per_page=5)
    page2 = sources(engine, per_page=5, page=2)
    page3 = sources(engine, per_page=5, page=3)
    assert len(page1) == len(page2) == 5 and len(page3) == 2
    assert not set(page1) & set(page2)
    assert sources(engine, per_page=5, page=4) == []
    relevance = [sources(engine, text="python", per_page=2, page=n) for n in (1, 2, 3)]
    flat = [s for page in relevance for s in page]
    assert len(flat) == len(set(flat))


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(page=0),
        SearchQuery(per_page=0),
        SearchQuery(per_page=101),
        SearchQuery(sort="random"),
        SearchQuery(years=("24",)),
        SearchQuery(date_from="2024-13-01"),
        SearchQuery(date_to="yesterday"),
    ],
)
def test_bad_parameters_raise_query_error(engine, query):
    with pytest.raises(QueryError):
        engine.search(query)


# --- suggestions, snippets ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        # (the light stemmer already takes "atelir" to "atelier": no suggestion needed)
        ("atleier", "atelier"),
        ("captuers", "capteurs"),
        ("gunicron", "gunicorn"),
        ("pipelnes", "pipelines"),
        ("atleier capteurs", "atelier capteurs"),
    ],
)
def test_did_you_mean(engine, text, suggestion):
    # with typo tolerance off; on, the corrected results come at once (test_forgiving.py)
    results = engine.search(SearchQuery(text=text, typos=False))
    assert results.suggestion == suggestion


def test_no_suggestion_when_the_query_finds_enough(engine):
    assert engine.search(SearchQuery(text="python")).suggestion is None
    # folded spelling finds the posts already: never suggest a folded or stemmed form
    results = engine.search(SearchQuery(text="evenements"))
    assert results.suggestion in (None, "évènements", "événements")


def test_snippets_escape_everything_but_mark(engine):
    for text in ("zorglub", "script", "alert", "gras"):
        results = engine.search(SearchQuery(text=text))
        assert results.total == 1, text
        for hit in results.hits:
            for section in hit.sections:
                assert "<mark>" in section.snippet
                assert re.sub(r"</?mark>", "", section.snippet).count("<") == 0
                assert "&amp;lt;b&amp;gt;" in section.snippet or text != "zorglub"
    hit = engine.search(SearchQuery(text="zorglub")).hits[0]
    assert hit.title == "Sécurité <script>alert(1)</script>"  # data stays verbatim


# --- hostile queries ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "*thon",
        "?ython",
        "a*",
        "x" * 10_000,
        " OR ".join(f"mot{i}" for i in range(1000)),
        "(" * 3000 + "python" + ")" * 3000,
    ],
)
def test_hostile_queries_raise_query_error(engine, text):
    with pytest.raises(QueryError) as error:
        engine.search(SearchQuery(text=text))
    assert len(str(error.value)) < 200


@pytest.mark.parametrize(
    "text",
    [
        "[a TO z]",
        "{a TO z}",
        ":",
        "^2",
        'tag:""',
        "title: pyramid",
        "python~9",
        "\x00",
        "’",
        "-python",
        "+python",
        "a AND NOT b",
    ],
)
def test_odd_queries_answer(engine, text):
    results = engine.search(SearchQuery(text=text))
    assert results.total >= 0


@pytest.mark.parametrize(
    ("text", "what", "where"),
    [
        ("(((", "never closed", 3),
        ("((python", "never closed", 2),
        ("python)", "no opening one", 7),
        ('"unbalanced quote', "quote opened here is never closed", 1),
        ("python () flask", "hold nothing", 8),
        ("title:", "“title:” has no word after it", 1),
        ("NOT", "“NOT” has nothing after it", 1),
        ("AND OR", "“AND” has nothing before it", 1),
        ("python OR", "“OR” has nothing after it", 8),
    ],
)
def test_syntax_errors_say_what_and_where(engine, text, what, where):
    with pytest.raises(QueryError) as error:
        engine.search(SearchQuery(text=text))
    message = str(error.value)
    assert what in message and f"character {where} of" in message, message
    assert message.startswith("The query cannot be read")


@pytest.mark.parametrize(
    ("text", "like"),
    [
        ("(pyramid", "pyramid"),
        ('"pyramid', "pyramid"),
        ("pyramid OR", "pyramid"),
        ("pyramid)", "pyramid"),
    ],
)
def test_as_you_type_a_half_typed_syntax_is_read_as_meant(engine, text, like):
    # while typing, an unclosed parenthesis or quote is no error: it is closed
    typed = engine.search(SearchQuery(text=text, instant=True))
    meant = engine.search(SearchQuery(text=like, instant=True))
    assert typed.total == meant.total
    assert [h.source for h in typed.hits] == [h.source for h in meant.hits]


def test_as_you_type_a_field_with_no_word_yet_finds_nothing_rather_than_everything(engine):
    assert engine.search(SearchQuery(text="title:", instant=True)).total == 0
    assert engine.search(SearchQuery(text="", instant=True)).total == 12


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_query_gives_results_or_query_error(engine, text):
    try:
        results = engine.search(SearchQuery(text=text))
    except QueryError as error:
        assert str(error)
    else:
        assert results.total == len({h.source for h in results.hits}) or results.total > 10
