"""The web app through Flask's test client: every route, parameter and error path,
security headers, escaping of hostile posts, the interface languages, and index reopening."""

from __future__ import annotations

import html
import re
import shutil
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from markupsafe import escape

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import Settings
from barcamp_search.indexer.build import index_archives
from barcamp_search.search import SearchIndex, SearchQuery
from barcamp_search.web.app import CSP, create_app
from barcamp_search.web.context import IndexHolder
from barcamp_search.web.i18n import LANGUAGES, STRINGS, choose_language, format_date, plural
from barcamp_search.web.render import highlight, linkify, render_paragraphs, safe_url, snippet_html
from barcamp_search.web.render import highlight_words as query_words
from barcamp_search.web.views import facet_id

from .conftest import CORPORA, SAMPLE

MICRO = "compte-rendu-micro-python-et-capteurs"
MARS = "compte-rendu-du-meetup-de-mars-pyramid-generateurs-et-coroutines"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("app") / "index"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo"))])
    return root


@pytest.fixture(scope="module")
def settings(index_dir) -> Settings:
    return Settings(index=index_dir)


@pytest.fixture(scope="module")
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def engine(index_dir):
    with SearchIndex(index_dir) as handle:
        yield handle


def page(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def api(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.data[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def hrefs(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', body)]


def main_of(body: str) -> str:
    return body.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def result_titles(body: str) -> list[str]:
    return [
        html.unescape(re.sub(r"</?mark>", "", t))
        for t in re.findall(r'<a class="result-link" href="[^"]*">(.*?)</a>', body)
    ]


# --- the factory ----------------------------------------------------------------------------


def test_create_app_without_settings_resolves_them_like_the_cli(monkeypatch, index_dir):
    monkeypatch.setenv("BARCAMP_SEARCH_INDEX", str(index_dir))
    monkeypatch.setenv("BARCAMP_SEARCH_UI_LANG", "fr")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app()
    assert app.config["SETTINGS"].index == index_dir
    assert app.debug is False  # FLASK_DEBUG is ignored: debug only with serve --debug
    body = page(app.test_client(), "/")
    assert '<html lang="fr">' in body


def test_templates_and_static_come_from_the_package(app):
    import barcamp_search.web

    web = Path(barcamp_search.web.__file__).parent
    assert Path(app.template_folder) == web / "templates"
    assert Path(app.static_folder) == web / "static"


def test_one_index_handle_per_process(app):
    holder = app.extensions["barcamp_search"]
    assert isinstance(holder, IndexHolder)
    assert holder.get() is holder.get()
    holder._pid = -1  # as seen from a forked worker: a new handle of its own
    first = holder.get()
    assert holder._pid > 0 and holder.get() is first


# --- the search page ------------------------------------------------------------------------


def test_home_page_browses_everything_newest_first(client):
    body = page(client, "/")
    assert "11 posts, newest first" in body
    assert result_titles(body)[:2] == [
        "Compte-rendu : micro-python et capteurs",
        "Our year 2024 in review",
    ]
    assert '<option value="newest" selected>' in body  # what the order really is
    assert 'href="/search?page=2"' in body and 'rel="next"' in body


def test_page_structure_and_accessibility(client):
    body = page(client, "/search?q=python")
    for landmark in ("<header", "<nav", "<main", "<aside", "<footer", 'role="search"'):
        assert landmark in body
    assert body.index('class="skip-link" href="#main"') < body.index("<header")
    assert '<label for="q"' in body and 'id="q"' in body
    assert '<label for="sort">' in body and '<label for="from">' in body
    assert '<link rel="search" type="application/opensearchdescription+xml"' in body
    assert re.search(r'<link rel="stylesheet" href="/static/style\.[0-9a-f]{12}\.css">', body)
    assert re.search(r'<script src="/static/app\.[0-9a-f]{12}\.js" defer></script>', body)
    assert '<meta name="viewport"' in body and '<html lang="en">' in body
    assert "<title>python · barcamp-search</title>" in body


def test_no_inline_script_or_style_anywhere(client):
    for url in (
        "/",
        "/search?q=python&tag=python",
        f"/post/demo/{MICRO}?q=capteurs",
        "/tags",
        "/speakers/K%C3%A9vin%20Morel",
        "/timeline",
        "/nope",
        "/search?page=0",
    ):
        body = client.get(url).get_data(as_text=True)
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", body) == [], url
        assert " style=" not in body and "<style" not in body, url
        assert not re.search(r"<[^>]+\son[a-z]+=", body), url


def test_results_are_grouped_by_post_with_sections_and_highlights(client):
    body = page(client, "/search?q=micro-python")
    assert "3 posts for “micro-python”" in body
    assert result_titles(body) == [
        "Compte-rendu : micro-python et capteurs",
        "Compte-rendu du meetup de mars : Pyramid, générateurs et coroutines",
        "Our year 2024 in review",
    ]
    links = hrefs(body)
    # no site URL for this archive: titles lead to our post page, keeping the words
    assert f"/post/demo/{MICRO}?q=micro-python" in links
    assert f"/post/demo/{MICRO}?q=micro-python#atelier-capteurs" in links
    assert f"/post/demo/{MARS}?q=micro-python#micropython-sur-esp32" in links
    assert "<mark>MicroPython</mark>" in body and "<mark>micro-python</mark>" in body
    assert re.search(r'<span class="took">\d+ ms</span>', body)
    assert "15 February 2025" in body and '<time datetime="2025-02-15">' in body


def test_links_of_results_use_the_site_url_when_there_is_one(tmp_path):
    root = tmp_path / "index"
    index_archives(
        root, [Archive(SAMPLE, ArchiveOptions("demo", site_url="https://python-ouest.example.org"))]
    )
    body = page(create_app(Settings(index=root)).test_client(), "/search?q=capteurs")
    links = hrefs(body)
    assert f"https://python-ouest.example.org/{MICRO}.html" in links
    assert f"https://python-ouest.example.org/{MICRO}.html#atelier-capteurs" in links


def test_each_post_shows_at_most_three_sections(client):
    body = page(client, "/search?q=python&per_page=100")
    for result in body.split('<li class="result">')[1:]:
        assert result.count('class="snippet"') <= 3


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"tag": "asyncio"}, {"tags": ("asyncio",)}),
        ({"tag": ["asyncio", "django"]}, {"tags": ("asyncio", "django")}),
        ({"author": "Kévin Morel"}, {"authors": ("Kévin Morel",)}),
        ({"speaker": "Léa Fontaine"}, {"speakers": ("Léa Fontaine",)}),
        ({"year": "2024"}, {"years": ("2024",)}),
        ({"year": ["2024", "2025"]}, {"years": ("2024", "2025")}),
        ({"archive": "demo"}, {"archives": ("demo",)}),
        ({"category": "comptes-rendus"}, {"categories": ("comptes-rendus",)}),
        ({"lang": "en"}, {"lang": "en"}),
        ({"from": "2024-06-01"}, {"date_from": "2024-06-01"}),
        ({"to": "2024-06-01"}, {"date_to": "2024-06-01"}),
        (
            {"from": "2024-06-01", "to": "2024-12-31"},
            {"date_from": "2024-06-01", "date_to": "2024-12-31"},
        ),
        ({"sort": "oldest"}, {"sort": "oldest"}),
        ({"sort": "newest", "q": "python"}, {"sort": "newest", "text": "python"}),
        (
            {"q": "python", "page": "2", "per_page": "2"},
            {"text": "python", "page": 2, "per_page": 2},
        ),
        ({"q": "python", "tag": "", "author": "", "from": "", "sort": ""}, {"text": "python"}),
        ({"q": "packaging", "utm_source": "x"}, {"text": "packaging"}),  # unknown: ignored
    ],
)
def test_every_parameter_reaches_the_search(client, engine, args, expected):
    data = api(
        client,
        "/api/search?"
        + "&".join(
            f"{k}={v}" for k, vs in args.items() for v in ([vs] if isinstance(vs, str) else vs)
        ),
    )
    query = SearchQuery(**expected)
    core = engine.search(query).to_json()
    assert {**data, "took_ms": 0} == {**core, "took_ms": 0}
    body = page(client, "/search", query_string=args)
    assert result_titles(body) == [r["title"] for r in core["results"]]


def test_api_search_is_the_cli_json(client, engine):
    data = api(client, "/api/search?q=pyramid&tag=python")
    core = engine.search(SearchQuery(text="pyramid", tags=("python",))).to_json()
    assert list(data) == list(core)  # same keys, same order
    assert data["took_ms"] >= 0
    assert {**data, "took_ms": 0} == {**core, "took_ms": 0}


def test_per_page_defaults_to_the_setting(index_dir):
    client = create_app(Settings(index=index_dir, per_page=3)).test_client()
    assert api(client, "/api/search")["per_page"] == 3
    assert len(api(client, "/api/search")["results"]) == 3


def test_facet_sidebar_counts_chips_and_more(client, engine):
    body = page(client, "/")
    aside = body.split("<aside", 1)[1].split("</aside>", 1)[0]
    for heading in ("Tags", "Authors", "Speakers", "Years", "Archives"):
        assert f">{heading}</h3>" in aside
    assert re.search(
        r'<span class="facet-value">packaging</span>\s*'
        r'<span class="facet-count">3</span>',
        aside,
    )
    assert '<details class="facet-more" data-facet="tag"' in aside and "More tags" in aside
    assert f'href="/search?tag=packaging#{facet_id("tag", "packaging")}"' in aside

    body = page(client, "/search?q=python&tag=asyncio")
    assert '<ul class="chips" aria-label="Active filters">' in body
    chip = re.search(
        r'<a class="chip" href="([^"]*)" aria-label="Remove filter tag: asyncio">', body
    )
    asyncio = facet_id("tag", "asyncio")
    assert chip and html.unescape(chip.group(1)) == f"/search?q=python#{asyncio}"
    selected = re.search(
        r'<a class="facet-link selected" id="([^"]*)" href="([^"]*)" aria-current="true">', body
    )
    assert selected and selected.group(1) == asyncio
    assert html.unescape(selected.group(2)) == f"/search?q=python#{asyncio}"
    expected = engine.search(SearchQuery(text="python", tags=("asyncio",)))
    assert result_titles(body) == [hit.title for hit in expected.hits]
    assert len(expected.hits) == 2


def test_clear_all_filters_and_page_reset(client):
    body = page(client, "/search?q=python&tag=asyncio&year=2024&page=1")
    clear = re.search(r'<a class="chip chip-clear" href="([^"]*)">Clear all filters</a>', body)
    assert clear and html.unescape(clear.group(1)) == "/search?q=python"
    body = page(client, "/search?per_page=2&page=3")
    packaging = facet_id("tag", "packaging")
    assert f'href="/search?per_page=2&amp;tag=packaging#{packaging}"' in body  # page 1 again


def test_pagination(client):
    body = page(client, "/search?per_page=2&page=3")
    nav = body.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
    assert 'rel="prev" href="/search?per_page=2&amp;page=2"' in nav
    assert 'rel="next" href="/search?per_page=2&amp;page=4"' in nav
    assert '<span class="current" aria-current="page">3</span>' in nav
    assert '<ol class="results" start="5"' in body
    assert "page 3 of 6" in body
    body = page(client, "/search?per_page=2&page=6")
    assert 'rel="next"' not in body and len(result_titles(body)) == 1
    body = page(client, "/search?per_page=2&page=9")
    assert "There is no page 9: the last one is 6." in body


def test_did_you_mean(client):
    body = page(client, "/search?q=atleier&typos=0")
    assert "Did you mean" in body and 'href="/search?typos=0&amp;q=atelier">atelier</a>' in body
    assert "check the spelling" in body


def test_a_misspelt_word_shows_the_corrected_results(client):
    body = page(client, "/search?q=atleier")
    assert "Showing results for <strong>atelier</strong>" in body
    assert 'search instead for <a href="/search?q=atleier&amp;typos=0">atleier</a>' in body
    assert "Did you mean" not in body and result_titles(body)
    french = page(client, "/search?q=atleier&ui=fr")
    assert "Résultats pour <strong>atelier</strong>" in french


def test_empty_results_say_what_to_try(client):
    body = page(client, "/search?q=zorglub+quux&tag=python")
    assert "No posts match “zorglub quux”." in body
    for hint in (
        "remove a filter",
        "use fewer words",
        "pyth*",
        'href="/tags"',
        'href="/speakers"',
        'href="/timeline"',
    ):
        assert hint in body
    assert '<ol class="results"' not in body
    body = page(client, "/search?tag=python&tag=flask")
    assert "No posts match these filters." in body


def test_stop_words_only_is_an_empty_result_not_an_error(client):
    assert api(client, "/api/search?q=les")["total"] == 0


# --- validation -------------------------------------------------------------------------------

BAD_PARAMS = [
    ("page=0", "page must be between 1 and 1000"),
    ("page=1001", "page must be between 1 and 1000"),
    ("page=-1", '"page" must be a whole number'),
    ("page=two", '"page" must be a whole number'),
    ("page=1e3", '"page" must be a whole number'),
    ("per_page=0", "per_page must be between 1 and 100"),
    ("per_page=101", "per_page must be between 1 and 100"),
    ("per_page=99999999999999999999", '"per_page" must be a whole number'),
    ("sort=random", "Unknown sort"),
    ("from=2024-02-30", '"from" must be a date YYYY-MM-DD'),
    ("to=yesterday", '"to" must be a date YYYY-MM-DD'),
    ("year=24", "year must be four digits"),
    ("q=" + "a" * 1001, "too long"),
    ("tag=" + "&tag=".join(str(n) for n in range(21)), 'At most 20 values of "tag"'),
    ("author=" + "x" * 1001, "too long"),
]


@pytest.mark.parametrize(("query", "message"), BAD_PARAMS)
def test_bad_parameters_are_400_json_for_the_api(client, query, message):
    data = api(client, f"/api/search?{query}", status=400)
    assert data["ok"] is False and data["status"] == 400 and message in data["error"]


@pytest.mark.parametrize(("query", "message"), BAD_PARAMS)
def test_bad_parameters_are_a_friendly_page(client, query, message):
    body = page(client, f"/search?{query}", status=400)
    assert "This search cannot be run" in body
    assert str(escape(message)) in body
    assert "Change the search and try again." in body


ABUSIVE = [
    "*",
    "a*",
    "**",
    "?",
    "(" * 40 + "python" + ")" * 40,
    "(((((",
    ")))",
    '"',
    '"""',
    "title:",
    ":",
    "~",
    "python~9",
    "python~2",
    "NOT",
    "NOT NOT NOT",
    "OR OR OR",
    "AND",
    "a OR " * 60,
    "x" * 1000,
    "\x00",
    "\u202e\u200b",
    "<script>",
    "tag:<b>",
    "speaker:",
    "year:[2000 TO 2030]",
    "date:>2020",
    "a" * 200 + "*",
    "%s%s%n",
    "{{ 7*7 }}",
    "é" * 500,
    "site:",
    "site:*",
    "pyth*~",
    "\\",
    "'",
    "--",
    "🐍" * 100,
]


@pytest.mark.parametrize("text", ABUSIVE)
def test_abusive_queries_are_200_or_400(client, text):
    # An answer at all (no hang, no 500) is the test; how fast is `make bench`'s business.
    for path in ("/api/search", "/search", "/feed.atom"):
        response = client.get(path, query_string={"q": text})
        assert response.status_code in (200, 400), (path, text, response.data[:200])
    response = client.get("/api/suggest", query_string={"q": text})
    assert response.status_code == 200


def test_abusive_filters_are_200_or_400(client):
    for args in (
        {"tag": "\x00"},
        {"author": "'; DROP"},
        {"speaker": "*"},
        {"archive": "../"},
        {"category": "<b>"},
        {"lang": "xx" * 10},
        {"year": "0000"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"per_page": "100", "page": "1000"},
    ):
        response = client.get("/api/search", query_string=args)
        assert response.status_code in (200, 400), (args, response.data[:200])


# --- the post page ---------------------------------------------------------------------------


def test_post_page(client):
    body = page(client, f"/post/demo/{MARS}")
    assert "<title>Compte-rendu du meetup de mars : Pyramid, générateurs et coroutines" in body
    assert '<article class="post" lang="fr">' in body
    assert re.search(r'<h2 id="micropython-sur-esp32">MicroPython sur ESP32', body)
    assert 'href="#micropython-sur-esp32"' in body  # table of contents
    assert 'href="/speakers/Ga%C3%ABl%20Pasgrimaud"' in body
    assert (
        'href="/search?tag=pyramid"' in body and 'href="/search?author=Thomas+Rivi%C3%A8re"' in body
    )
    assert '<a href="/search?category=comptes-rendus">comptes-rendus</a>' in body
    assert "<mark>" not in main_of(body)  # no ?q=: nothing highlighted


def test_post_page_links_and_paragraphs(client):
    body = page(client, f"/post/demo/{MICRO}")
    assert "<p>Soirée matériel : chacun est venu avec sa carte.</p>" in body
    assert "<p>Présenté par Kévin Morel</p>" in body  # paragraphs split on blank lines
    assert (
        '<a href="https://git.example.org/kevin/capteurs" rel="nofollow noopener noreferrer">'
        "https://git.example.org/kevin/capteurs</a>."
    ) in body  # in the text, dot outside
    links = body.split('id="links-heading"', 1)[1]
    assert 'href="https://git.example.org/kevin/capteurs"' in links


def test_post_page_highlights_the_search_words(client):
    body = main_of(page(client, f"/post/demo/{MICRO}?q=temperature+capteur"))
    assert "<mark>température</mark>" in body  # accents ignored
    assert "Atelier <mark>capteurs</mark>" in body  # word starts
    assert "<mark>capteurs</mark> de <mark>température</mark>" in body
    body = main_of(page(client, f"/post/demo/{MICRO}?q=tag:matériel+OR+title:soirée"))
    assert "<mark>Soirée</mark> <mark>matériel</mark>" in body
    assert "<mark>OR</mark>" not in body and "<mark>tag</mark>" not in body


def test_unknown_post_is_a_404_page(client):
    body = page(client, "/post/demo/nope", status=404)
    assert "No post “nope” in archive “demo”." in body
    page(client, "/post/nope/" + MICRO, status=404)


# --- browsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "facet", "first", "count", "title"),
    [
        ("/tags", "tag", "packaging", 3, "Tags"),
        ("/authors", "author", "Thomas Rivière", 4, "Authors"),
        ("/speakers", "speaker", "Kévin Morel", 3, "Speakers"),
    ],
)
def test_browse_pages(client, engine, path, facet, first, count, title):
    body = page(client, path)
    assert f"<h1>{title}</h1>" in body and f'aria-current="page">{title}</a>' in body
    counts = engine.search(SearchQuery(per_page=1, facet_limit=10_000)).facets[facet]
    assert f'<p class="status" id="browse-count">{len(counts)} {path[1:]}</p>' in body
    rows = re.findall(r'<td><a href="([^"]*)">([^<]*)</a>.*?<td class="num">(\d+)</td>', body, re.S)
    assert [(html.unescape(v), int(n)) for _h, v, n in rows] == [(c.value, c.count) for c in counts]
    href, value, number = rows[0]
    assert (html.unescape(value), int(number)) == (first, count)
    assert dict(parse_qsl(urlsplit(html.unescape(href)).query)) == {facet: first}
    assert api(client, html.unescape(href).replace("/search", "/api/search"))["total"] == count


def test_speakers_link_to_their_talks(client):
    body = page(client, "/speakers")
    assert '<a class="talks-link" href="/speakers/K%C3%A9vin%20Morel">talks</a>' in body


def test_speaker_page_lists_talks_newest_first_with_sections(client):
    body = page(client, "/speakers/K%C3%A9vin%20Morel")
    assert "<h1>Talks of Kévin Morel</h1>" in body and "3 posts" in body
    assert result_titles(body) == [
        "Compte-rendu : micro-python et capteurs",
        "Compte-rendu : Python pour les adminsys et PEP8",
        "Compte-rendu du meetup de mars : Pyramid, générateurs et coroutines",
    ]
    assert f"/post/demo/{MICRO}#atelier-capteurs" in hrefs(body)
    assert f"/post/demo/{MARS}#micropython-sur-esp32" in hrefs(body)
    assert 'href="/search?speaker=K%C3%A9vin+Morel"' in body


def test_unknown_speaker_is_a_404(client):
    body = page(client, "/speakers/Nobody%20Here", status=404)
    assert "No talks by “Nobody Here” in the index." in body
    page(client, "/speakers/K%C3%A9vin%20Morel?page=0", status=400)


def test_timeline(client):
    body = page(client, "/timeline")
    assert "<h1>Posts per year</h1>" in body
    assert 'demo <span class="status">(11 posts, 1 undated)' in body
    svg = body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img" aria-label="Posts per year of archive demo, the tallest bar 7 posts"' in svg
    bars = re.findall(r'<rect class="bar" x="\d+" y="(\d+)" width="30" height="(\d+)">', svg)
    assert [int(h) for _y, h in bars] == [17, 120, 34]  # 2023: 1, 2024: 7, 2025: 2
    assert "<title>demo, 2024: 7 posts</title>" in svg
    assert '<a href="/search?archive=demo&amp;year=2024">7</a>' in body


def test_timeline_of_an_index_without_dated_posts(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "post.rst").write_text("Sans date\n#########\n\nUn billet.\n")
    index_archives(tmp_path / "index", [Archive(archive, ArchiveOptions("x"))])
    body = page(create_app(Settings(index=tmp_path / "index")).test_client(), "/timeline")
    assert "No dated posts yet." in body and "<svg" not in body


# --- machine endpoints -------------------------------------------------------------------------


def test_api_suggest(client, engine):
    data = api(client, "/api/suggest?q=py")
    assert data == {"query": "py", "suggestions": engine.complete("py", 8)}
    assert {"value": "pyramid", "kind": "tag"} in data["suggestions"]
    assert len(api(client, "/api/suggest?q=py&limit=2")["suggestions"]) == 2
    assert api(client, "/api/suggest?q=p") == {"query": "p", "suggestions": []}
    assert api(client, "/api/suggest") == {"query": "", "suggestions": []}
    assert api(client, "/api/suggest?q=py&limit=0", 400)["status"] == 400
    assert api(client, "/api/suggest?q=py&limit=x", 400)["status"] == 400


def test_api_facets(client, engine):
    data = api(client, "/api/facets?facet=tag&q=python")
    counts = engine.search(SearchQuery(text="python", facet_limit=50)).facets["tag"]
    assert data == {
        "facet": "tag",
        "query": "python",
        "total": 5,
        "values": [{"value": c.value, "count": c.count, "selected": c.selected} for c in counts],
    }
    data = api(client, "/api/facets?facet=year&year=2024&limit=1")
    assert data["values"] == [{"value": "2024", "count": 7, "selected": True}]
    data = api(client, "/api/facets?facet=color", 400)
    assert data["error"] == (
        'Unknown facet "color". Available facets: tag, author, speaker, year, archive, language'
    )
    assert api(client, "/api/facets", 400)["status"] == 400
    assert api(client, "/api/facets?facet=tag&limit=100000", 400)["status"] == 400


def test_atom_feed(client, engine):
    response = client.get("/feed.atom?q=django&tag=asyncio")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "barcamp-search: django"
    entries = feed.findall(f"{ATOM}entry")
    expected = engine.search(SearchQuery(text="django", tags=("asyncio",), sort="newest"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [h.title for h in expected.hits]
    entry = [e for e in entries if e.findtext(f"{ATOM}title").startswith("Annonce")][0]
    assert entry.find(f"{ATOM}link").get("href").startswith("http://localhost/post/demo/")
    assert entry.findtext(f"{ATOM}updated") == "2024-05-02T18:30:00+00:00" or entry.findtext(
        f"{ATOM}updated"
    ).startswith("2024-05-")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        "annonce",
        "django",
        "asyncio",
    ]
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Hélène Garnier"
    assert (
        feed.find(f"{ATOM}link[@rel='self']").get("href")
        == "http://localhost/feed.atom?q=django&tag=asyncio"
    )


def test_atom_feed_is_newest_first(client):
    feed = ET.fromstring(client.get("/feed.atom").data)
    dates = [e.findtext(f"{ATOM}updated") for e in feed.findall(f"{ATOM}entry")]
    assert len(dates) == 11 and dates[0].startswith("2025-02-15")
    assert feed.findtext(f"{ATOM}updated").startswith("2025-02-15")
    assert feed.findtext(f"{ATOM}title") == "barcamp-search: newest posts"


def test_search_pages_link_their_feed_and_api(client):
    body = page(client, "/search?q=python&tag=asyncio")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Atom feed of this search" '
        'href="/feed.atom?q=python&amp;tag=asyncio">'
    ) in body
    assert 'href="/api/search?q=python&amp;tag=asyncio"' in body


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    assert root.findtext(f"{ns}ShortName") == "barcamp-search"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert templates["text/html"] == "http://localhost/search?q={searchTerms}"


def test_healthz(client, engine):
    data = api(client, "/healthz")
    stats = engine.stats()
    assert data == {
        "ok": True,
        "generation": stats["generation"],
        "posts": 11,
        "sections": stats["sections"],
        "archives": {"demo": 11},
        "last_indexed": stats["status"]["finished"],
        "last_result": "ok",
    }


def test_static_files(client):
    for name, mimetype in (
        ("style.css", "text/css"),
        ("app.js", "text/javascript"),
        ("favicon.svg", "image/svg+xml"),
    ):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()
    assert client.get("/static/nope.css").status_code == 404


def test_javascript_writes_no_html():
    from barcamp_search.web.app import web_root

    script = (web_root() / "static" / "app.js").read_text()
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert sink not in script
    assert "textContent" in script
    css = (web_root() / "static" / "style.css").read_text()
    assert "prefers-color-scheme: dark" in css and "max-width: 760px" in css
    assert ":focus-visible" in css


# --- typing: the results region, completions --------------------------------------------------


def region_of(body: str) -> str:
    """The results region (what the page's script swaps while typing), the time it took out."""
    start = body.index('<div id="results-region"')
    end = body.index("</section>\n</div>", start) + len("</section>\n</div>")
    return re.sub(r'<span class="took">\d+ ms</span>', "", body[start:end])


def test_the_results_region_alone_for_typing(client):
    full = page(client, "/search?q=micro&tag=micropython")
    fragment = page(client, "/search?q=micro&tag=micropython&fragment=1")
    # the region as the page has it, and the footer's links; no page around them
    assert fragment.lstrip().startswith('<div id="results-region" class="layout"')
    assert region_of(fragment) == region_of(full)
    for page_part in ("<html", "<header", 'id="q"', "<footer", "<script", 'id="live-status"'):
        assert page_part not in fragment and page_part in full, page_part
    assert (
        '<p id="machine-links" class="machine-links"><a href="/api/search?q=micro&amp;'
        'tag=micropython">JSON API</a>'
    ) in fragment
    # what the script reads: the title, the total to announce, the feed of this search
    assert 'data-title="micro · barcamp-search"' in fragment
    assert 'data-count="1 post"' in fragment
    assert 'data-feed="/feed.atom?q=micro&amp;tag=micropython"' in fragment
    # the aria-live region stays on the page, outside the region it announces
    assert (
        '<p id="live-status" class="visually-hidden" role="status" aria-live="polite"'
    ) in full and full.index('id="live-status"') < full.index('id="results-region"')


def test_typing_asks_for_the_unfinished_word_as_a_prefix(client):
    typed = page(client, "/search?q=micro&instant=1&fragment=1")
    committed = page(client, "/search?q=micro&fragment=1")
    assert "4 posts for “micro”" in typed and 'data-count="4 posts"' in typed
    assert "2 posts for “micro”" in committed and 'data-count="2 posts"' in committed
    # the links are those of the search the address bar shows: no instant=1 in them
    assert "instant" not in typed
    assert 'href="/search?q=micro&amp;tag=' in typed
    # a full page asked with instant=1 keeps it, as before
    assert "instant=1" in page(client, "/search?q=micro&instant=1")
    french = page(client, "/search?q=micro&instant=1&fragment=1&ui=fr")
    assert 'data-count="4 billets"' in french


def test_a_bad_query_while_typing_is_the_error_page(client):
    body = page(client, "/search?q=a*&instant=1&fragment=1", status=400)
    assert re.search(r'<p class="error-message">[^<]+</p>', body)  # what the script shows


def test_search_box_is_a_combobox_without_datalist(client):
    body = page(client, "/search?q=python&ui=fr")
    assert "<datalist" not in body and 'list="suggestions"' not in body
    assert (
        '<ul id="suggestions" class="suggestions" role="listbox" aria-label="Suggestions" hidden>'
        "</ul>"
    ) in body
    assert 'data-kind-word="mot"' in body and 'data-kind-title="billet"' in body
    assert 'data-failed="Les résultats n&#39;ont pas pu être mis à jour' in body


def test_api_suggest_offers_words_and_posts(client, engine):
    data = api(client, "/api/suggest?q=pyth")
    suggestions = data["suggestions"]
    assert suggestions == engine.complete("pyth", 8)
    kinds = [s["kind"] for s in suggestions]
    assert kinds == sorted(kinds, key=["word", "tag", "speaker", "title"].index)
    assert {"value": "pythonistes", "kind": "word"} in suggestions
    assert {"value": "python", "kind": "tag"} in suggestions
    values = [s["value"].casefold() for s in suggestions]
    assert len(values) == len(set(values))  # the word "python" is the tag "python": once
    # a word completes the last word, the ones before it kept
    unfinished = api(client, "/api/suggest?q=django+as")["suggestions"]
    assert {"value": "django asyncio", "kind": "word"} in unfinished
    assert api(client, "/api/suggest?q=django+as+")["suggestions"] == []  # no unfinished word
    # a post title comes with its post: choosing it opens the post
    flask = api(client, "/api/suggest?q=fla")["suggestions"]
    assert {"value": "flask", "kind": "tag"} in flask
    title = [s for s in flask if s["kind"] == "title"]
    assert title == [
        {
            "value": "PyLadies workshop: your first Flask application",
            "kind": "title",
            "archive": "demo",
            "slug": "pyladies-workshop-first-flask-app",
            "url": "/post/demo/pyladies-workshop-first-flask-app",
        }
    ]
    assert "<h1>PyLadies workshop: your first Flask application</h1>" in page(
        client, title[0]["url"]
    )


def test_api_suggest_links_titles_to_their_published_url(tmp_path):
    root = tmp_path / "index"
    site = "https://python-ouest.example.org"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo", site_url=site))])
    client = create_app(Settings(index=root)).test_client()
    titles = [
        s for s in api(client, "/api/suggest?q=capteurs")["suggestions"] if s["kind"] == "title"
    ]
    assert [t["url"] for t in titles] == [f"{site}/{MICRO}.html"]


def test_api_suggest_in_the_opensearch_format(client):
    response = client.get("/api/suggest?q=fla&format=opensearch")
    assert response.status_code == 200
    assert response.mimetype == "application/x-suggestions+json"
    assert response.get_json(force=True) == [
        "fla",
        ["flask", "PyLadies workshop: your first Flask application"],
    ]
    assert client.get("/api/suggest?q=p&format=opensearch").get_json(force=True) == ["p", []]
    assert api(client, "/api/suggest?q=fla&format=json") == api(client, "/api/suggest?q=fla")
    error = api(client, "/api/suggest?q=fla&format=xml", 400)
    assert error["error"] == "\"format\" must be json or opensearch (got 'xml')."


def test_opensearch_declares_the_suggestions_url(client):
    root = ET.fromstring(client.get("/opensearch.xml").data)
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{ns}Url")}
    assert templates["application/x-suggestions+json"] == (
        "http://localhost/api/suggest?q={searchTerms}&format=opensearch"
    )
    suggest = templates["application/x-suggestions+json"].replace("{searchTerms}", "fla")
    assert (
        client.get(suggest.removeprefix("http://localhost")).get_json(force=True)[1][0] == "flask"
    )


# --- no index -------------------------------------------------------------------------------


def test_without_an_index_pages_say_how_to_build_it(tmp_path):
    client = create_app(Settings(index=tmp_path / "nothing")).test_client()
    for url in (
        "/",
        "/search?q=python",
        "/tags",
        "/timeline",
        f"/post/demo/{MICRO}",
        "/speakers/x",
    ):
        body = page(client, url, status=503)
        assert "No index yet" in body
        assert f"barcamp-search index PATH/TO/ARCHIVE --archive NAME --index {tmp_path}" in body
    for url in (
        "/api/search",
        "/api/suggest?q=py",
        "/api/facets?facet=tag",
        "/healthz",
        "/feed.atom",
    ):
        data = api(client, url, status=503)
        assert data == {
            "ok": False,
            "status": 503,
            "error": f"No index in {tmp_path / 'nothing'}/. Build it with: "
            "barcamp-search index PATH",
        }
    assert client.get("/opensearch.xml").status_code == 200
    response = client.get("/static/style.css")
    assert response.status_code == 200
    response.close()


# --- errors, methods, headers ---------------------------------------------------------------

ERRORS = [
    ("GET", "/api/search?page=0", 400),
    ("GET", "/api/search?per_page=x", 400),
    ("GET", "/api/search?from=2024-13-01", 400),
    ("GET", "/api/search?sort=x", 400),
    ("GET", "/api/search?q=" + "x" * 1001, 400),
    ("GET", "/api/facets", 400),
    ("GET", "/api/facets?facet=nope", 400),
    ("GET", "/api/suggest?limit=99", 400),
    ("GET", "/feed.atom?page=0", 400),
    ("GET", "/api/nope", 404),
    ("GET", "/api/", 404),
    ("POST", "/api/search", 405),
    ("PUT", "/api/search", 405),
    ("DELETE", "/api/facets", 405),
    ("PATCH", "/api/suggest", 405),
    ("OPTIONS", "/api/search", 405),
    ("POST", "/healthz", 405),
    ("POST", "/feed.atom", 405),
]


@pytest.mark.parametrize(("method", "path", "status"), ERRORS)
def test_error_shape(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "ok": False,
        "error": response.get_json()["error"],
        "status": status,
    }
    assert isinstance(response.get_json()["error"], str) and response.get_json()["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize(
    "path", ["/", "/search", f"/post/demo/{MICRO}", "/tags", "/timeline", "/static/style.css"]
)
def test_pages_answer_get_only(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"
    assert response.mimetype == "text/html"
    assert "Method not allowed" in response.get_data(as_text=True)


def test_head_is_answered(client):
    for path in ("/", "/api/search?q=python", "/healthz", "/feed.atom"):
        response = client.head(path)
        assert response.status_code == 200 and response.data == b""


def test_unknown_page_is_a_404_page(client):
    body = page(client, "/nope/<script>", status=404)
    assert "Page not found" in body and "<script>" not in body


def test_security_headers_everywhere(client):
    for path in (
        "/",
        "/api/search",
        "/nope",
        "/api/nope",
        "/static/style.css",
        "/feed.atom",
        "/search?page=0",
        "/healthz",
    ):
        response = client.get(path)
        headers = response.headers
        assert headers["Content-Security-Policy"] == CSP, path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        response.close()
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert "default-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert "script-src 'self'" in CSP and "style-src 'self'" in CSP


def test_unexpected_errors_are_500_without_traceback(app, client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    holder = app.extensions["barcamp_search"]
    monkeypatch.setattr(holder.get(), "complete", broken)  # a bug, simulated at the edge
    response = client.get("/api/suggest?q=py")
    assert response.status_code == 500
    assert response.get_json() == {
        "ok": False,
        "error": "Internal error: it was logged.",
        "status": 500,
    }
    assert b"secret detail" not in response.data and b"Traceback" not in response.data


# --- languages --------------------------------------------------------------------------------


def test_accept_language_picks_french(client):
    body = page(client, "/search?q=python", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr">' in body and "5 billets pour «\u202fpython\u202f»" in body
    assert "Aller au contenu" in body and ">Mots-clés</h3>" in body
    assert (
        page(client, "/", headers={"Accept-Language": "nl, en;q=0.5"}).count('<html lang="en">')
        == 1
    )


def test_ui_parameter_switches_and_is_remembered(client):
    response = client.get("/search?q=python&ui=fr")
    body = response.get_data(as_text=True)
    assert "5 billets pour «\u202fpython\u202f»" in body
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ui=fr;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # the switch keeps the search: the state lives in the URL
    assert 'href="/search?q=python&amp;ui=en" lang="en" hreflang="en">English</a>' in body
    assert 'type="hidden" name="ui" value="fr"' in body
    body = page(client, "/tags")  # the cookie
    assert "<h1>Mots-clés</h1>" in body
    body = page(client, "/tags?ui=en")
    assert "<h1>Tags</h1>" in body
    response = client.get("/tags?ui=xx")  # not a language: the cookie (now en) holds
    assert "Set-Cookie" not in response.headers
    assert "<h1>Tags</h1>" in response.get_data(as_text=True)


def test_default_language_from_settings(index_dir):
    client = create_app(Settings(index=index_dir, ui_lang="fr")).test_client()
    body = page(client, "/")
    assert '<html lang="fr">' in body and "11 billets, du plus récent au plus ancien" in body
    assert "15 février 2025" in body
    assert "Set-Cookie" not in client.get("/").headers


def test_french_error_pages(client):
    body = page(client, "/search?page=0&ui=fr", status=400)
    assert "Cette recherche ne peut pas être lancée" in body
    body = page(client, "/nope?ui=fr", status=404)
    assert "Page introuvable" in body


def test_catalogue_and_helpers():
    assert all(len(pair) == 2 and all(pair) for pair in STRINGS.values())  # English, French
    assert set(LANGUAGES) >= {"en", "fr", "de", "es", "it", "pt"}
    assert plural("en", "post", 1) == "1 post" and plural("en", "post", 0) == "0 posts"
    assert (
        plural("fr", "post", 0) == "0 billet" and plural("fr", "post", 1200) == "1\u202f200 billets"
    )
    assert format_date("2025-02-15T09:00:00", "fr") == "15 février 2025"
    assert format_date(None, "en") == "undated" and format_date("2025-13-01", "en") == "2025-13-01"
    assert choose_language("fr", None, None, "en") == ("fr", True)
    assert choose_language("fr", "fr", None, "en") == ("fr", False)
    assert choose_language(None, "fr", None, "en") == ("fr", False)
    assert choose_language("xx", None, None, "fr") == ("fr", False)
    assert choose_language(None, None, None, "de") == ("de", False)
    assert choose_language(None, None, None, "nl") == ("en", False)


# --- the index changes under the app ----------------------------------------------------------


def test_new_generation_is_picked_up(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE, archive)
    root = tmp_path / "index"
    index_archives(root, [Archive(archive, ArchiveOptions("demo"))])
    client = create_app(Settings(index=root)).test_client()
    assert api(client, "/api/search?q=zorglub")["total"] == 0
    generation = api(client, "/healthz")["generation"]
    (archive / "articles" / "zorglub.rst").write_text(
        "Zorglub\n#######\n\n:date: 2025-03-01\n:tags: zorglub\n\nLe zorglub est arrivé.\n"
    )
    index_archives(root, [Archive(archive, ArchiveOptions("demo"))])
    index_archives(root, [Archive(archive, ArchiveOptions("demo"))], rebuild=True)
    # the app checks the generation at most every second, on a request: ask until it has
    # reopened (the deadline only guards against a hang)
    deadline = time.monotonic() + 60
    totals = [api(client, "/api/search?q=zorglub")["total"]]
    while totals[-1] != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
        totals.append(api(client, "/api/search?q=zorglub")["total"])
    assert totals[-1] == 1, totals
    assert set(totals) <= {0, 1}  # the old answer, then the new one: nothing else
    assert api(client, "/healthz")["generation"] != generation
    assert api(client, "/healthz")["posts"] == 12


# --- safe rendering helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("mailto:someone@example.org", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(2)", False),
        ("vbscript:msgbox(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("https://exa mple.org", False),
        ("//example.org", False),
        ("/post/demo/x", False),
        ("http://", False),
        ("mailto:", False),
        ("", False),
        ("https://example.org/\x00", False),
        ("file:///etc/passwd", False),
        ("ftp://x.org", False),
    ],
)
def test_safe_url(url, safe):
    assert (safe_url(url) == url) is safe
    assert (safe_url(url) is None) is not safe


def test_no_url_is_no_link():
    assert safe_url(None) is None


def test_highlight_escapes_first():
    words = query_words("script alert tag:pythonique")
    assert words == frozenset({"script", "alert", "pythonique"})
    assert str(highlight("<script>alert('x')</script> pythoniques", words)) == (
        "&lt;<mark>script</mark>&gt;<mark>alert</mark>(&#39;x&#39;)&lt;/<mark>script</mark>&gt; "
        "<mark>pythoniques</mark>"
    )
    assert str(highlight("a <b>", frozenset())) == "a &lt;b&gt;"
    assert (
        str(highlight("Évènement à l'EVENEMENT", query_words("evenement")))
        == "<mark>Évènement</mark> à l&#39;<mark>EVENEMENT</mark>"
    )


def test_linkify_only_makes_safe_links():
    text = (
        'voir http://exemple.invalid/"onmouseover="alert(3) et javascript:alert(1) et '
        "https://ok.example.org/x_(y). puis mailto:a@b.c, data:text/html,x"
    )
    rendered = str(linkify(text))
    assert rendered.count("<a ") == 3
    assert '<a href="http://exemple.invalid/" rel="nofollow noopener noreferrer">' in rendered
    assert "&#34;onmouseover=&#34;alert(3)" in rendered
    assert '<a href="https://ok.example.org/x_(y" rel' in rendered
    assert '<a href="mailto:a@b.c" rel' in rendered
    assert "javascript:alert(1)" in rendered and 'href="javascript' not in rendered


def test_paragraphs():
    assert [str(p) for p in render_paragraphs("a\nb\n\n  \n<c>\n\n")] == ["a b", "&lt;c&gt;"]
    assert render_paragraphs("") == [] and render_paragraphs(None) == []


def test_snippets_are_checked_before_being_trusted():
    assert str(snippet_html("a &lt;b&gt; <mark>c</mark>")) == "a &lt;b&gt; <mark>c</mark>"
    assert (
        str(snippet_html('<img src=x onerror="alert(1)">'))
        == "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    )
    assert str(snippet_html("<mark onclick=x>a</mark>")) == "&lt;mark onclick=x&gt;a&lt;/mark&gt;"


# --- hostile posts -----------------------------------------------------------------------------


class TagCollector(HTMLParser):
    """Every start tag with its attributes, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


SAFE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "link",
    "script",
    "body",
    "caption",
    "a",
    "header",
    "div",
    "form",
    "label",
    "input",
    "datalist",
    "button",
    "nav",
    "ul",
    "ol",
    "li",
    "main",
    "footer",
    "p",
    "strong",
    "span",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "aside",
    "article",
    "time",
    "mark",
    "details",
    "summary",
    "select",
    "option",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "svg",
    "line",
    "g",
    "rect",
    "text",
    "pre",
    "code",
    "dl",
    "dt",
    "dd",
}
ATOM_TAGS = {
    f"{ATOM}{name}"
    for name in (
        "feed",
        "title",
        "id",
        "link",
        "updated",
        "author",
        "name",
        "generator",
        "entry",
        "published",
        "category",
        "summary",
    )
}


def assert_safe_url(value: str | None, where: str) -> None:
    assert value is not None and value == value.strip(), where
    assert value.startswith(("/", "#", "http://", "https://", "mailto:")), (where, value)


def assert_escaped(body: str, where: str) -> None:
    """Nothing from data became markup: only our tags, no event handler, no unsafe link."""
    if where.startswith("/feed.atom"):
        feed = ET.fromstring(body)  # valid XML
        for element in feed.iter():
            assert element.tag in ATOM_TAGS, (where, element.tag)
            if "href" in element.attrib:
                assert_safe_url(element.get("href"), where)
        return
    parser = TagCollector()
    parser.feed(body)
    for tag, attrs in parser.tags:
        assert tag in SAFE_TAGS, (where, tag, attrs)
        assert not [name for name in attrs if name.startswith("on")], (where, tag, attrs)
        assert "style" not in attrs, (where, tag)
        for name in ("href", "src", "action"):
            if name in attrs:
                assert_safe_url(attrs[name], where)
        if tag == "script":
            assert re.fullmatch(r"/static/app\.[0-9a-f]{12}\.js", attrs["src"]), where
            assert attrs == {"src": attrs["src"], "defer": None}, where
        if tag == "svg":
            assert attrs.get("class") == "timeline", where
    assert "Corps avec 49" not in body, where  # {{ 7*7 }} is never evaluated


def hostile_pages(client) -> list[str]:
    data = api(client, "/api/search?per_page=100")
    urls = [
        "/",
        "/search?per_page=100",
        "/tags",
        "/authors",
        "/speakers",
        "/timeline",
        "/feed.atom",
    ]
    for text in (
        "script",
        "alert",
        "pythonique",
        "motcanari-xss",
        "onerror",
        "svg",
        "javascript",
        "iframe",
        "Mallory",
        "title",
        "7*7",
    ):
        urls.append("/search?" + urlencode({"q": text}))
    for hit in data["results"]:
        urls.append(f"/post/{quote(hit['archive'])}/{quote(hit['slug'])}?q=script+alert+pythonique")
    for kind in ("tag", "author", "speaker"):
        for value in api(client, f"/api/facets?facet={kind}&limit=30")["values"]:
            urls.append("/search?" + urlencode({kind: value["value"], "q": "alert"}))
            urls.append("/feed.atom?" + urlencode({kind: value["value"]}))
    for value in api(client, "/api/facets?facet=speaker&limit=30")["values"]:
        urls.append("/speakers/" + quote(value["value"]))
    return urls


def check_hostile_client(client) -> int:
    checked = 0
    for url in hostile_pages(client):
        response = client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)
        assert_escaped(response.get_data(as_text=True), url)
        checked += 1
    return checked


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    folder = CORPORA / "hostile"
    if not folder.is_dir():
        pytest.skip("../shared/corpora/hostile is not beside the checkout")
    root = tmp_path_factory.mktemp("hostile") / "index"
    index_archives(root, [Archive(folder, ArchiveOptions("hostile"))])
    return create_app(Settings(index=root)).test_client()


def test_hostile_corpus_is_escaped_everywhere(hostile_client):
    assert check_hostile_client(hostile_client) > 40


def test_hostile_metadata_is_shown_as_text(hostile_client):
    body = page(hostile_client, "/search?q=motcanari-xss")
    assert result_titles(body)[0] == "<script>alert('titre')</script> Rencontre"
    assert "&lt;script&gt;alert(" in body and "<script>alert(" not in body
    assert "<title>motcanari-xss · barcamp-search</title>" in body
    body = page(hostile_client, "/post/hostile/xss-metadata")
    assert "<title>&lt;script&gt;alert(&#39;titre&#39;)&lt;/script&gt; Rencontre" in body
    assert "{{ 7*7 }}" in body and "${7*7}" in body
    data = api(hostile_client, "/api/search?q=motcanari-xss")
    assert data["results"][0]["title"] == "<script>alert('titre')</script> Rencontre"


def test_hostile_links_never_become_unsafe(hostile_client):
    body = page(hostile_client, "/post/hostile/xss-links?q=javascript")
    assert not re.search(r"href=\"(?!https?://|mailto:|/|#)", body)
    assert "motcanari-xsslinks" in body


def test_hostile_snippets_keep_only_marks(hostile_client):
    body = page(hostile_client, "/search?q=pythonique")
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', body, re.S)
    assert snippets
    for snippet in snippets:
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0
    assert any("<mark>pythonique</mark>" in snippet for snippet in snippets)
    assert "&lt;script&gt;" in body


def test_hostile_feed_is_valid_xml(hostile_client):
    response = hostile_client.get("/feed.atom?per_page=100")
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "<script>alert('titre')</script> Rencontre" in titles


def test_hostile_posts_written_here_are_escaped(tmp_path):
    """Same checks without the shared corpus: our own hostile post."""
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "evil.rst").write_text(
        '"><svg onload=alert(1)> <script>alert(1)</script>\n'
        "##################################################\n\n"
        ":date: 2024-12-01\n:tags: <img src=x onerror=alert(2)>, \"'><b>\n"
        ":author: <b onmouseover=alert(3)>Eve</b>\n:slug: evil\n"
        ":summary: </title><script>alert(4)</script>\n\n"
        "Intervenant : <iframe src=javascript:alert(5)></iframe>\n\n"
        "Section <script>alert(6)</script>\n"
        "====================================\n\n"
        "Le mot zorglub <script>alert(7)</script> et `lien <javascript:alert(8)>`_ "
        "et `data <data:text/html,x>`_ et {{ 7*7 }}.\n",
        encoding="utf-8",
    )
    root = tmp_path / "index"
    index_archives(root, [Archive(archive, ArchiveOptions("evil"))])
    client = create_app(Settings(index=root)).test_client()
    assert check_hostile_client(client) > 10
    body = page(client, "/post/evil/evil?q=zorglub")
    assert "<mark>zorglub</mark> &lt;script&gt;alert(7)&lt;/script&gt;" in body
    assert "<title>&#34;&gt;&lt;svg onload=alert(1)&gt; &lt;script&gt;" in body
