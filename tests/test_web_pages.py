"""Issue 14's page details through Flask's test client: result titles marked as snippets
are, query errors explained on the page and a 400 in the API, the sort menu's own button."""

from __future__ import annotations

import csv
import html
import io
import re
from types import SimpleNamespace

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import Settings
from barcamp_search.indexer.build import index_archives
from barcamp_search.web.app import create_app
from barcamp_search.web.render import title_html

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("pages") / "index"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo"))])
    return create_app(Settings(index=root)).test_client(use_cookies=False)


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def main_of(body: str) -> str:
    return body.split('<main id="main" tabindex="-1">', 1)[1].split("</main>", 1)[0]


def text_of(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return re.sub(r"[ \t\r\n]+", " ", text).strip()  # (no-break spaces kept)


# --- result titles -----------------------------------------------------------------------


def test_a_title_is_marked_as_the_core_marks_it():
    hit = SimpleNamespace(title="Pyramid & co", title_html="<mark>Pyramid</mark> &amp; co")
    assert str(title_html(hit)) == "<mark>Pyramid</mark> &amp; co"


def test_a_title_without_marks_is_escaped():
    assert str(title_html(SimpleNamespace(title="<b>A & B</b>"))) == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    empty = SimpleNamespace(title="<i>x", title_html="")
    assert str(title_html(empty)) == "&lt;i&gt;x"


def test_a_title_with_other_markup_from_the_core_is_escaped_whole():
    hit = SimpleNamespace(title="x", title_html='<mark>x</mark><img src=x onerror="y">')
    assert str(title_html(hit)) == (
        "&lt;mark&gt;x&lt;/mark&gt;&lt;img src=x onerror=&#34;y&#34;&gt;"
    )


def test_result_titles_show_the_title_and_marks_only(client):
    body = page(client, "/search?q=pyramid")
    links = re.findall(r'<a class="result-link" href="[^"]*">(.*?)</a>', body)
    assert links and all(re.fullmatch(r"([^<>]|</?mark>)*", link) for link in links)
    assert "Compte-rendu du meetup de mars : Pyramid, générateurs et coroutines" in [
        html.unescape(re.sub(r"</?mark>", "", link)) for link in links
    ]


# --- query errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a*", "A wildcard needs at least 2 letters before it ('a'). Type more of the word."),
        (
            "(" * 13 + "x" + ")" * 13,
            "The query nests parentheses 13 deep; the limit is 12. Simplify it.",
        ),
    ],
)
def test_a_query_error_is_explained_on_the_page_and_a_400_in_the_api(client, query, message):
    response = client.get("/api/search", query_string={"q": query})
    assert response.status_code == 400
    assert response.get_json() == {"ok": False, "error": message, "status": 400}
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 400 and response.mimetype == "text/html"
    main = main_of(response.get_data(as_text=True))
    assert text_of(main).startswith(f"This search cannot be run {message}")
    # the box keeps what was typed, to be corrected
    assert f'value="{html.escape(query)}"' in response.get_data(as_text=True)


def test_unbalanced_parentheses_are_a_query_error(client):
    response = client.get("/api/search", query_string={"q": "((("})
    assert response.status_code == 400


# --- the sort menu -----------------------------------------------------------------------


def test_the_sort_menu_has_its_own_button_and_never_submits_itself(client):
    body = page(client, "/search?q=python")
    form = re.search(r'<form class="toolbar".*?</form>', body, re.S).group()
    assert '<select id="sort" name="sort">' in form
    assert '<button type="submit" class="small">Apply</button>' in form
    assert "data-autosubmit" not in body and "js-hidden" not in body
    assert '<input type="hidden" name="q" value="python">' in form


# --- CSV export --------------------------------------------------------------------------


def read_csv(client, url: str) -> tuple[list[list[str]], object]:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so that spreadsheets read UTF-8
    return list(csv.reader(io.StringIO(text[1:]))), response


def test_csv_export_has_every_result_of_the_search_in_order(client):
    rows, response = read_csv(client, "/api/search.csv?q=python&per_page=2&page=2")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="barcamp-search-python.csv"'
    )
    api = client.get("/api/search?q=python&per_page=100").get_json()
    assert rows[0] == [
        "rank",
        "title",
        "date",
        "archive",
        "lang",
        "authors",
        "speakers",
        "tags",
        "url",
    ]
    assert len(rows) == 1 + api["total"] == 6  # every page, whatever page the link came from
    first = api["results"][0]
    assert rows[1] == [
        "1",
        first["title"],
        (first["date"] or "")[:10],
        "demo",
        rows[1][4],
        "; ".join(first["authors"]),
        "; ".join(first["speakers"]),
        "; ".join(first["tags"]),
        f"http://localhost/post/demo/{first['slug']}",
    ]
    assert rows[1][4] in ("en", "fr")  # the post's language (not in the JSON)
    assert [row[1] for row in rows[1:]] == [hit["title"] for hit in api["results"]]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]


def test_csv_export_follows_filters_and_sort(client):
    rows, _ = read_csv(client, "/api/search.csv?tag=asyncio&sort=oldest")
    api = client.get("/api/search?tag=asyncio&sort=oldest").get_json()
    assert [row[1] for row in rows[1:]] == [hit["title"] for hit in api["results"]]
    assert len(rows) == 3
    rows, response = read_csv(client, "/api/search.csv?q=nothingmatchesthis")
    assert rows == [rows[0]]
    assert (
        'filename="barcamp-search-nothingmatchesthis.csv"'
        in (response.headers["Content-Disposition"])
    )


def test_csv_cells_never_start_a_formula():
    from barcamp_search.web.views import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM") == "'@SUM"
    assert csv_cell(["-a", "b"]) == "'-a; b"
    assert csv_cell("Pyramid") == "Pyramid" and csv_cell(None) == "" and csv_cell(3) == "3"


def test_csv_export_errors_have_the_api_shape(client):
    response = client.get("/api/search.csv?q=a*")
    assert response.status_code == 400
    assert response.get_json() == {
        "ok": False,
        "error": "A wildcard needs at least 2 letters before it ('a'). Type more of the word.",
        "status": 400,
    }


def test_the_search_page_links_to_its_csv(client):
    body = page(client, "/search?q=python&tag=asyncio&page=1&sort=newest")
    links = [html.unescape(h) for h in re.findall(r'href="(/api/search\.csv[^"]*)"', body)]
    assert links == ["/api/search.csv?q=python&tag=asyncio&sort=newest"] * 2
    assert ">Download as CSV</a>" in body


# --- the way back from a post ------------------------------------------------------------


def test_a_post_opened_from_a_search_leads_back_to_exactly_that_search(client):
    search = "/search?q=python&tag=asyncio&sort=oldest&page=2&per_page=1"
    body = page(client, search)
    links = [html.unescape(h) for h in re.findall(r'class="result-link" href="([^"]*)"', body)]
    assert len(links) == 1 and links[0].startswith("/post/demo/")
    post, query = links[0].split("?", 1)
    assert query == "q=python&tag=asyncio&sort=oldest&page=2&per_page=1"
    body = page(client, links[0])
    back = re.search(r'<p class="breadcrumb"><a href="([^"]*)">', body).group(1)
    assert html.unescape(back) == search
    assert "<mark>" in main_of(body)  # the words of the search, highlighted
    # the section links carry the search too, before their #anchor
    sections = re.findall(r'class="section-link" href="([^"]*)"', page(client, search))
    assert all(html.unescape(s).startswith(f"{post}?{query}#") for s in sections)


def test_a_post_opened_from_elsewhere_leads_back_to_the_search_page(client):
    body = page(client, "/post/demo/compte-rendu-micro-python-et-capteurs")
    back = re.search(r'<p class="breadcrumb"><a href="([^"]*)">', body).group(1)
    assert back == "/search"
    body = page(client, "/speakers/K%C3%A9vin%20Morel?page=1")
    links = re.findall(r'class="result-link" href="([^"]*)"', body)
    assert links and not [link for link in links if "?" in link]  # no speaker-page state


# --- the interface language --------------------------------------------------------------


def header_of(body: str) -> str:
    return body.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


def test_the_language_switch_is_in_the_header_and_one_click_reverses_it(app_client):
    client = app_client
    body = page(client, "/search?q=python&tag=asyncio")
    switch = re.search(r'<p class="ui-switch">(.*?)</p>', header_of(body), re.S).group(1)
    assert text_of(switch) == "Interface language: Deutsch Español Français Italiano Português"
    href = re.search(r'href="([^"]*)" lang="fr" hreflang="fr"', switch).group(1)
    assert html.unescape(href) == "/search?q=python&tag=asyncio&ui=fr"
    response = client.get(html.unescape(href))
    assert response.headers["Set-Cookie"].startswith("ui=fr;")
    body = response.get_data(as_text=True)
    switch = re.search(r'<p class="ui-switch">(.*?)</p>', header_of(body), re.S).group(1)
    assert (
        text_of(switch) == "Langue de l'interface\u202f: English Deutsch Español Italiano Português"
    )
    back = html.unescape(re.search(r'href="([^"]*)" lang="en" hreflang="en"', switch).group(1))
    assert back == "/search?q=python&tag=asyncio&ui=en"
    page(client, "/tags")  # the cookie keeps French...
    assert "<h1>Mots-clés</h1>" in page(client, "/tags")
    response = client.get(back)  # ...until one click on English
    assert response.headers["Set-Cookie"].startswith("ui=en;")
    assert "<h1>Tags</h1>" in page(client, "/tags")


@pytest.fixture
def app_client(client):
    """The module's app with a cookie jar of its own."""
    return client.application.test_client()


def test_french_strings_use_narrow_no_break_spaces():
    from barcamp_search.web.i18n import STRINGS, translate

    for key, (_english, french) in STRINGS.items():
        names = re.findall(r"{(\w+)}", french)
        text = translate("fr", key, **dict.fromkeys(names, "x"))
        assert not re.search(r"[ \u00a0](?=[?!:;»])|«[ \u00a0]", text), (key, text)
    assert translate("fr", "colon", label="Langue") == "Langue\u202f:"
    assert translate("en", "colon", label="Language") == "Language:"
    assert translate("fr", "empty_try") == "À essayer\u202f:"
    assert translate("fr", "search_placeholder").endswith("speaker:…")  # query syntax kept


def test_french_pages_space_their_punctuation(client):
    body = page(client, "/search?q=atleier&typos=0&ui=fr")  # "did you mean"
    assert "</a>\u202f?</p>" in body
    assert "Vouliez-vous dire" in body
    body = page(client, "/search?q=python&tag=asyncio&ui=fr")
    assert "billets pour «\u202fpython\u202f»" in body
    assert '<span class="chip-name">mot-clé\u202f:</span>' in body
    assert "Touches\u202f: / recherche" in body
    for url in ("/search?q=python&tag=asyncio&ui=fr", "/timeline?ui=fr", "/tags?ui=fr"):
        shown = text_of(re.sub(r"<main.*</main>", "", page(client, url), flags=re.S))
        assert not re.search(r"[ \u00a0][?!:;»]|«[ \u00a0]", shown), (url, shown)


# --- the home page -----------------------------------------------------------------------


def test_the_home_page_says_what_is_searchable_and_focuses_the_box(client):
    body = page(client, "/")
    intro = re.search(r'<div class="home-intro">(.*?)</div>', body, re.S).group(1)
    api = client.get("/api/facets?facet=speaker&limit=1000").get_json()
    speakers = len(api["values"])
    assert text_of(intro) == (
        f"Search {api['total']} posts from 1 archive of Python user groups (2023–2025): "
        f"meetup reports, announcements and talk write-ups, by {speakers} speakers. "
        "Browse: tags, authors, speakers, timeline."
    )
    assert re.findall(r'href="([^"]*)"', intro) == ["/tags", "/authors", "/speakers", "/timeline"]
    assert re.search(r'<input id="q"[^>]* autofocus', body)
    # the newest posts below
    titles = re.findall(r'class="result-link" href="[^"]*">', body)
    assert len(titles) == 10 and "newest first" in body
    body = page(client, "/?ui=fr")
    assert "Cherchez dans 11 billets de 1 archive de groupes d'utilisateurs Python " in (
        html.unescape(body)
    )
    assert "(2023–2025)\u202f: comptes-rendus" in html.unescape(body)


@pytest.mark.parametrize("url", ["/search", "/?q=python", "/?tag=python", "/search?q=python"])
def test_only_the_home_page_has_the_intro_and_the_focus(client, url):
    body = page(client, url)
    assert 'class="home-intro"' not in body and "autofocus" not in body


def test_the_empty_state_offers_every_browsing_page(client):
    body = page(client, "/search?q=zzzqqqxxx")
    item = re.search(r"<li>or browse:(.*?)</li>", body, re.S).group(1)
    assert re.findall(r'href="([^"]*)"', item) == ["/tags", "/authors", "/speakers", "/timeline"]


# --- the filters: first in the reading order, a drawer on a phone, focus kept ------------


def test_the_filters_come_before_the_results_in_a_drawer(client):
    body = page(client, "/search?q=python&tag=asyncio&year=2024")
    main = main_of(body)
    # heading, then the filters, then chips and results
    order = [
        main.index('<h1 id="summary"'),
        main.index('<details class="filters" id="filters">'),
        main.index('<aside class="facets" id="facets"'),
        main.index('<ul class="chips"'),
        main.index('<ol class="results"'),
    ]
    assert order == sorted(order)
    summary = re.search(r'<summary class="filters-toggle">(.*?)</summary>', main).group(1)
    assert summary == "Filters (2)"  # the active filters counted
    assert '<summary class="filters-toggle">Filters</summary>' in page(client, "/search?q=x")
    # a skip link to them, second after the one to the content
    skips = re.findall(r'<a class="skip-link" href="([^"]*)">([^<]*)</a>', body)
    assert skips == [("#main", "Skip to content"), ("#facets", "Skip to the filters")]
    assert body.index('class="skip-link"') < body.index("<header")
    # the summary is hidden and the drawer's content shown on a wide screen only
    css = client.get("/static/style.css").get_data(as_text=True)
    wide = css.split("@media (min-width: 761px) {\n  @supports selector(::details-content)", 1)
    wide = wide[1].split("\n}\n", 1)[0]
    assert ".filters > .filters-toggle { display: none; }" in wide
    assert ".filters::details-content { content-visibility: visible; display: block; }" in wide


def test_a_facet_link_brings_the_page_back_to_itself(client):
    from barcamp_search.web.views import facet_id

    body = page(client, "/search?q=python")
    links = re.findall(r'<a class="facet-link" id="([^"]*)" href="([^"]*)">', body)
    assert len(links) > 10
    assert len({link_id for link_id, _ in links}) == len(links)  # unique ids
    for link_id, href in links:
        assert html.unescape(href).endswith("#" + link_id)
    django = facet_id("tag", "django")
    assert (django, f"/search?q=python&amp;tag=django#{django}") in links
    # after the click, the same value (now selected) has the same id; its chip leads back to it
    body = page(client, "/search?q=python&tag=django")
    assert f'<a class="facet-link selected" id="{django}" ' in body
    chip = re.search(r'<a class="chip" href="([^"]*)" aria-label="Remove filter tag', body)
    assert html.unescape(chip.group(1)) == f"/search?q=python#{django}"
    body = page(client, "/search?q=python&lang=fr")  # a chip of no facet list: the filters
    chip = re.search(r'<a class="chip" href="([^"]*)" aria-label="Remove filter lang', body)
    assert html.unescape(chip.group(1)) == "/search?q=python#facets"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("tag", "a b", "f-tag-a%20b"),
        ("speaker", "Kévin Morel", "f-speaker-K%C3%A9vin%20Morel"),
        ("tag", '"><x', "f-tag-%22%3E%3Cx"),
        ("tag", "c++ (2)!*~'", "f-tag-c%2B%2B%20(2)!*~'"),  # as encodeURIComponent
        ("tag", "a#b/c", "f-tag-a%23b%2Fc"),
    ],
)
def test_facet_ids_are_valid_ids_and_fragments(name, value, expected):
    from barcamp_search.web.views import facet_id

    assert facet_id(name, value) == expected
    assert not re.search(r"[\s#]", facet_id(name, value))


# --- the timeline ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_archives(tmp_path_factory):
    """The sample archive (11 posts, one undated) and a tiny one of three posts, one undated."""
    root = tmp_path_factory.mktemp("timeline")
    tiny = root / "tiny"
    tiny.mkdir()
    for name, date in (("a", "2024-02-01"), ("b", "2025-03-01"), ("c", None)):
        meta = f":date: {date}\n" if date else ""
        (tiny / f"{name}.rst").write_text(f"Billet {name}\n########\n\n{meta}\nTexte {name}.\n")
    index_archives(
        root / "index",
        [Archive(SAMPLE, ArchiveOptions("demo")), Archive(tiny, ArchiveOptions("tiny"))],
    )
    return create_app(Settings(index=root / "index")).test_client(use_cookies=False)


def test_timeline_totals_are_the_archive_facet_undated_included(two_archives):
    body = page(two_archives, "/timeline")
    facet = two_archives.get("/api/facets?facet=archive").get_json()["values"]
    assert {v["value"]: v["count"] for v in facet} == {"demo": 11, "tiny": 3}
    headings = [text_of(h) for h in re.findall(r"<h2 id=\"chart-\d\">(.*?)</h2>", body)]
    assert headings == ["demo (11 posts, 1 undated)", "tiny (3 posts, 1 undated)"]
    table = body.split('<table class="browse timeline-table">', 1)[1].split("</table>", 1)[0]
    rows = [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]
    assert rows == [
        ["Year", "demo", "tiny"],
        ["2025", "2", "1"],
        ["2024", "7", "1"],
        ["2023", "1", "0"],
        ["undated", "1", "1"],
        ["Total", "11", "3"],
    ]


def test_each_timeline_chart_has_its_own_scale(two_archives):
    body = page(two_archives, "/timeline")
    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(charts) == 2
    heights = [
        [int(h) for h in re.findall(r'<rect class="bar" [^>]*height="(\d+)"', svg)]
        for svg in charts
    ]
    # demo: 1, 7, 2 posts; tiny: 1, 1 - each tallest bar fills its chart
    assert heights == [[17, 120, 34], [120, 120]]
    scales = [text_of(p) for p in re.findall(r'<p class="chart-scale">(.*?)</p>', body)]
    assert scales == [
        "Scale: the dotted line is 7 posts.",
        "Scale: the dotted line is 1 post.",
    ]
    assert 'aria-label="Posts per year of archive tiny, the tallest bar 1 post"' in body


def test_timeline_charts_are_focusable_and_open_at_the_latest_year(two_archives):
    body = page(two_archives, "/timeline")
    scrollers = re.findall(r'<div class="chart-scroll"([^>]*)>', body)
    assert scrollers == [
        ' tabindex="0" role="group" aria-label="Posts per year of archive demo"',
        ' tabindex="0" role="group" aria-label="Posts per year of archive tiny"',
    ]
    css = two_archives.get("/static/style.css").get_data(as_text=True)
    assert ".chart-scroll { display: flex; flex-direction: row-reverse; }" in css


# --- browsing pages: a filter box, pages, headings that say what is listed ----------------


def browse_rows(body: str) -> list[tuple[str, int]]:
    rows = re.findall(r'<td><a href="[^"]*">([^<]*)</a>.*?<td class="num">(\d+)</td>', body, re.S)
    return [(html.unescape(value), int(count)) for value, count in rows]


def facet_values(client, facet: str) -> list[tuple[str, int]]:
    data = client.get(f"/api/facets?facet={facet}&limit=1000").get_json()
    return [(v["value"], v["count"]) for v in data["values"]]


@pytest.mark.parametrize(("path", "facet"), [("/tags", "tag"), ("/authors", "author")])
def test_browse_pages_say_what_they_list(client, path, facet):
    body = page(client, path)
    every = facet_values(client, facet)
    count = re.search(r'<p class="status" id="browse-count">(.*?)</p>', body).group(1)
    assert count == f"{len(every)} {path[1:]}"
    assert browse_rows(body) == every
    assert '<label for="filter">Find ' + path[1:] + "</label>" in body
    assert '<input type="search" id="filter" name="filter" value=""' in body


def test_speakers_are_filtered_without_javascript_case_and_accents_aside(client):
    every = facet_values(client, "speaker")
    body = page(client, "/speakers?filter=KEV")
    assert browse_rows(body) == [(v, n) for v, n in every if "kev" in v.lower().replace("é", "e")]
    assert browse_rows(body) == [("Kévin Morel", 3)]
    count = re.search(r'<p class="status" id="browse-count">(.*?)</p>', body).group(1)
    assert html.unescape(count) == f"1 of {len(every)} speakers match “KEV”"
    assert 'value="KEV"' in body and '<a href="/speakers">Show all</a>' in body
    body = page(client, "/speakers?filter=nobody-has-this-name")
    assert browse_rows(body) == [] and "Nothing contains “nobody-has-this-name”." in body


def test_browse_pages_are_paginated_keeping_the_filter(client):
    every = facet_values(client, "tag")
    assert len(every) > 10
    pages = -(-len(every) // 5)
    seen: list[tuple[str, int]] = []
    for number in range(1, pages + 1):
        body = page(client, f"/tags?per_page=5&page={number}")
        rows = browse_rows(body)
        assert rows == every[(number - 1) * 5 : number * 5]
        seen += rows
        assert f"page {number} of {pages}" in body
        nav = body.split('<nav class="pagination"', 1)[1].split("</nav>", 1)[0]
        if number < pages:
            assert f'rel="next" href="/tags?per_page=5&amp;page={number + 1}"' in nav
    assert seen == every  # every value once, in order
    body = page(client, "/tags?filter=p&per_page=2&page=2")
    matching = [(v, n) for v, n in every if "p" in v]
    assert browse_rows(body) == matching[2:4]
    assert 'rel="prev" href="/tags?filter=p&amp;per_page=2&amp;page=1"' in body
    assert '<input type="hidden" name="per_page" value="2">' in body
    body = page(client, f"/tags?per_page=5&page={pages + 1}")
    assert f"There is no page {pages + 1}: the last one is {pages}." in body
    assert client.get("/tags?page=0").status_code == 400


def test_french_browse_page(client):
    body = html.unescape(page(client, "/speakers?ui=fr&filter=kév"))
    assert "<h1>Intervenants</h1>" in body and "Trouver des intervenants" in body
    assert re.search(r"1 sur \d+ intervenants correspondent à «\u202fkév\u202f»", body)


# --- facet values past the first ten: on demand -------------------------------------------


def facet_block(body: str, name: str) -> str:
    return body.split(f'<section class="facet" aria-labelledby="facet-{name}">', 1)[1].split(
        "</section>", 1
    )[0]


def shown_values(block: str) -> list[str]:
    return [
        html.unescape(v)
        for v in re.findall(r'<span class="facet-value">(?:<span[^>]*>[^<]*</span>)*([^<]*)', block)
    ]


def test_a_facet_shows_ten_values_and_loads_the_rest_on_demand(client):
    body = page(client, "/search?archive=demo&year=2024")
    every = client.get("/api/facets?facet=tag&archive=demo&year=2024&limit=1000").get_json()
    assert len(every["values"]) > 10
    block = facet_block(body, "tag")
    assert shown_values(block) == [v["value"] for v in every["values"][:10]]
    more = re.search(r'<details class="facet-more" data-facet="tag" data-src="([^"]*)"', block)
    src = html.unescape(more.group(1))
    assert src == "/api/facets?archive=demo&year=2024&facet=tag&limit=1000"
    assert client.get(src).get_json() == every  # what the script fetches when it is opened
    link = re.search(r'<p class="facet-more-link"><a href="([^"]*)">(.*?)</a>', block)
    assert html.unescape(link.group(1)) == "/search?archive=demo&year=2024&more=tag#facet-tag"
    assert link.group(2) == "Show every value (tags)"
    # facets with ten values or fewer have no "more"
    assert "facet-more" not in facet_block(body, "year")


def test_without_javascript_the_link_shows_every_value(client):
    body = page(client, "/search?archive=demo&year=2024&more=tag&page=1")
    every = client.get("/api/facets?facet=tag&archive=demo&year=2024&limit=1000").get_json()
    block = facet_block(body, "tag")
    assert '<details class="facet-more" open data-facet="tag"' in block
    assert shown_values(block) == [v["value"] for v in every["values"]]
    assert "facet-more-link" not in block
    # "more" is for this page only: its links leave it out
    assert "more=" not in body.replace("more=tag#facet-tag", "")


def test_the_page_is_lighter_without_the_hidden_values(client):
    light = client.get("/search?archive=demo").get_data()
    full = client.get("/search?archive=demo&more=tag").get_data()
    assert len(light) < len(full)


def test_each_timeline_chart_spans_its_own_years(two_archives):
    body = page(two_archives, "/timeline")
    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    years = [re.findall(r'<text class="bar-year"[^>]*>(\d+)</text>', svg) for svg in charts]
    assert years == [["2023", "2024", "2025"], ["2024", "2025"]]
    widths = [
        int(re.search(r'<svg class="timeline" [^>]*width="(\d+)"', svg).group(1)) for svg in charts
    ]
    assert widths == [3 * 40 + 8, 2 * 40 + 8]


def test_the_post_language_menu_lists_the_languages_of_the_posts_not_the_interface(client):
    body = page(client, "/search?q=python&ui=de")
    menu = re.search(r'<select id="lang" name="lang">.*?</select>', body, re.S).group()
    codes = re.findall(r'<option value="([^"]*)"', menu)
    assert codes[0] == "" and set(codes[1:]) <= {"fr", "en"} and codes[1:]
    assert "Français" in menu or "English" in menu
    # a language filtered on stays in the menu even where no post found has it
    body = page(client, "/search?q=python&lang=ja")
    menu = re.search(r'<select id="lang" name="lang">.*?</select>', body, re.S).group()
    assert '<option value="ja" selected>日本語</option>' in menu


def test_labels_inside_a_sentence_keep_the_capital_of_german_nouns(client):
    german = page(client, "/?ui=de")
    assert ">Schlagwörter</a>" in german and ">schlagwörter</a>" not in german
    english = page(client, "/?ui=en")
    assert ">tags</a>" in english  # English lower-cases the label inside the sentence
