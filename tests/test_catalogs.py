"""The interface catalogs (issue 15): every key translated in the six languages with the
English placeholders, CLDR plurals, numbers and dates, the sync script, the build's compiled
catalogs, and every page of the app walked in every language without a missing string."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import Settings
from barcamp_search.indexer.build import index_archives
from barcamp_search.web import catalogs, i18n
from barcamp_search.web.app import create_app
from barcamp_search.web.i18n import STRINGS
from barcamp_search.web.locales import sync

from .conftest import ROOT, SAMPLE

SIX = ("en", "de", "es", "fr", "it", "pt")
MACHINE = ("de", "es", "it", "pt")
MICRO = "compte-rendu-micro-python-et-capteurs"


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w*)}", text))


def forms(string: object) -> list[str]:
    return list(string) if isinstance(string, tuple | list) else [str(string or "")]


# --- the catalogs -------------------------------------------------------------------------


def test_the_six_languages_have_a_catalog():
    assert set(SIX) <= set(catalogs.available())
    assert catalogs.available()[0] == "en"
    names = {lang: catalogs.language_name(lang) for lang in SIX}
    assert names == {
        "en": "English",
        "de": "Deutsch",
        "es": "Español",
        "fr": "Français",
        "it": "Italiano",
        "pt": "Português",
    }


@pytest.mark.parametrize("lang", SIX)
def test_every_key_is_translated_with_the_english_placeholders(lang):
    catalog = catalogs.read_catalog(catalogs.po_path(lang))
    by_context = {m.context: m for m in catalog if m.id}
    entries = sync.entries()
    assert {e.context for e in entries} == set(by_context)
    covered = set()
    for entry in entries:
        message = by_context[entry.context]
        assert not message.fuzzy, (lang, entry.context)
        assert message.id == entry.english, (lang, entry.context)
        english = forms(entry.english)
        wanted = placeholders(english[-1])
        assert len(forms(message.string)) == len(sync.plural_tags(lang)) or len(english) == 1
        for text in forms(message.string):
            assert text.strip(), (lang, entry.context)
            assert placeholders(text) == wanted, (lang, entry.context, text)
            text.format(**dict.fromkeys(wanted, "x"))  # a well-formed format string
        if isinstance(entry.english, tuple):
            covered |= {f"{entry.context}_one", f"{entry.context}_other"}
        else:
            covered.add(entry.context)
    assert covered == set(STRINGS)


def test_english_and_french_are_the_strings_of_the_code():
    for key, (english, french) in STRINGS.items():
        base = key.rpartition("_")[0]
        if key.endswith(("_one", "_other")) and f"{base}_one" in STRINGS:
            singular, plural_ = STRINGS[f"{base}_one"][0], STRINGS[f"{base}_other"][0]
            n = 1 if key.endswith("_one") else 2
            assert catalogs.ngettext("en", base, singular, plural_, n) == english
            assert catalogs.ngettext("fr", base, singular, plural_, n) == french
        else:
            assert catalogs.gettext("en", key, english) == english
            assert catalogs.gettext("fr", key, english) == french


@pytest.mark.parametrize("lang", MACHINE)
def test_new_catalogs_say_they_are_machine_assisted(lang):
    text = catalogs.po_path(lang).read_text(encoding="utf-8")
    header = text.split('msgid ""', 1)[0]
    assert "Machine-assisted" in header and "native speaker" in header
    assert "Language-Team: machine-assisted, review by native speakers welcome" in text
    assert f"Language: {lang}\\n" in text


@pytest.mark.parametrize("lang", MACHINE)
def test_translations_differ_from_english_where_a_language_would(lang):
    """A catalog filled with the English would pass the checks above: most strings of a
    real translation differ from the English."""
    same = [
        e.context
        for e in sync.entries()
        if isinstance(e.english, str) and catalogs.gettext(lang, e.context, e.english) == e.english
    ]
    assert len(same) < len(sync.entries()) // 10, same


# --- plurals, numbers, dates ------------------------------------------------------------


def post(lang: str, n: int) -> str:
    one, other = STRINGS["post_one"][0], STRINGS["post_other"][0]
    return catalogs.ngettext(lang, "post", one, other, n).format(n=catalogs.format_number(n, lang))


def test_plurals_follow_cldr():
    assert [post("fr", n) for n in (0, 1, 2)] == ["0 billet", "1 billet", "2 billets"]
    assert [post("de", n) for n in (0, 1, 2)] == ["0 Beiträge", "1 Beitrag", "2 Beiträge"]
    assert [post("en", n) for n in (0, 1, 2)] == ["0 posts", "1 post", "2 posts"]
    assert [post("es", n) for n in (0, 1, 2)] == ["0 entradas", "1 entrada", "2 entradas"]
    assert [post("it", n) for n in (0, 1, 2)] == ["0 articoli", "1 articolo", "2 articoli"]
    assert [post("pt", n) for n in (0, 1, 2)] == ["0 publicação", "1 publicação", "2 publicações"]
    # CLDR's "many" of French, Spanish, Italian and Portuguese: whole millions
    assert post("es", 1_000_000) == "1.000.000 de entradas"
    assert post("it", 2_000_000) == "2.000.000 di articoli"
    assert post("fr", 1_000_000) == "1\u202f000\u202f000 de billets"
    assert post("es", 1_000_001) == "1.000.001 entradas"


@pytest.mark.parametrize("lang", SIX)
def test_the_catalogs_plural_forms_are_cldrs_categories(lang):
    """The form the compiled catalog picks is the one of n's CLDR category
    (``Locale.plural_form``), for every plural entry."""
    catalog = catalogs.read_catalog(catalogs.po_path(lang))
    tags = sync.plural_tags(lang)
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple | list)]
    assert len(plurals) >= 5
    for n in (0, 1, 2, 3, 5, 11, 21, 100, 101, 1000, 1_000_000, 2_000_000, 1_500_000):
        category = catalogs.plural_category(lang, n)
        for message in plurals:
            chosen = catalogs.ngettext(lang, message.context, message.id[0], message.id[1], n)
            assert chosen == message.string[tags.index(category)], (lang, n, message.context)


def test_numbers_and_dates_per_locale():
    day = date(2025, 2, 15)
    assert {lang: catalogs.format_date(day, lang) for lang in SIX} == {
        "en": "15 February 2025",
        "de": "15. Februar 2025",
        "es": "15 de febrero de 2025",
        "fr": "15 février 2025",
        "it": "15 febbraio 2025",
        "pt": "15 de fevereiro de 2025",
    }
    assert catalogs.format_number(1200, "en") == "1,200"
    assert catalogs.format_number(1200, "fr") == "1\u202f200"
    assert catalogs.format_number(12000, "de") == "12.000"


def test_strings_keys_read_through_the_catalogs():
    """What i18n.py asks: a key of STRINGS (a plural pair's _one/_other too), a plural for n,
    an ISO date."""
    assert catalogs.text("de", "nav_timeline", STRINGS) == "Zeitleiste"
    assert catalogs.text("fr", "colon", STRINGS) == "{label} :"
    assert catalogs.text("es", "post_one", STRINGS) == "{n} entrada"
    assert catalogs.text("es", "post_other", STRINGS) == "{n} entradas"
    assert catalogs.text("it", "results_for", STRINGS) == "{count} per «{query}»"
    assert catalogs.plural_text("pt", "speaker", 0, STRINGS) == "{n} palestrante"
    assert catalogs.plural_text("de", "speaker", 0, STRINGS) == "{n} Vortragende"
    assert catalogs.plural_pair("archive_one", STRINGS) == "archive"
    assert catalogs.plural_pair("speaker_sections", STRINGS) is None
    assert catalogs.format_iso_date("2025-02-15T09:00:00+01:00", "pt") == "15 de fevereiro de 2025"
    assert catalogs.format_iso_date("2025-13-01", "de") == "2025-13-01"
    assert catalogs.format_iso_date(None, "de") is None
    assert catalogs.format_iso_date("undated", "de") is None


# --- the sync script ------------------------------------------------------------------------


def test_sync_reports_no_missing_key_and_no_stale_catalog():
    missing, stale = sync.sync(write=False)
    assert missing == {}, "run: python -m barcamp_search.web.locales.sync"
    assert stale == [], "run: python -m barcamp_search.web.locales.sync"
    result = subprocess.run(
        [sys.executable, "-m", "barcamp_search.web.locales.sync", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"every catalog translates all {len(sync.entries())} entries" in result.stdout


@pytest.fixture
def locales(tmp_path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(catalogs.LOCALES, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def test_sync_adds_new_keys_keeps_translations_and_flags_changed_english(locales, monkeypatch):
    monkeypatch.setitem(STRINGS, "zz_new", ("Brand new", "Tout neuf"))
    monkeypatch.setitem(STRINGS, "nav_timeline", ("History", "Chronologie"))
    missing, stale = sync.sync(locales)
    assert sorted(stale) == sorted(SIX)
    assert missing == {lang: ["nav_timeline", "zz_new"] for lang in MACHINE}
    de = catalogs.read_catalog(catalogs.po_path("de", locales))
    assert de.get("Brand new", "zz_new").string == ""
    changed = de.get("History", "nav_timeline")
    assert changed.fuzzy and changed.string == "Zeitleiste"
    # what the translator sees changed (#| msgid "Timeline")
    assert sync.previous_msgids(catalogs.po_path("de", locales)) == {"nav_timeline": ["Timeline"]}
    assert de.get("Search", "search_button").string == "Suchen"  # kept
    fr = catalogs.read_catalog(catalogs.po_path("fr", locales))
    assert fr.get("Brand new", "zz_new").string == "Tout neuf"  # French from STRINGS
    # compiled, a fuzzy or empty entry falls back to the English
    assert catalogs.translations("de", locales).pgettext("nav_timeline", "History") == "History"
    assert catalogs.translations("de", locales).pgettext("zz_new", "Brand new") == "Brand new"
    assert sync.sync(locales) == (missing, [])  # a second run changes nothing
    monkeypatch.delitem(STRINGS, "zz_new")
    _, stale = sync.sync(locales)
    assert "zz_new" not in catalogs.po_path("pt", locales).read_text(encoding="utf-8")


def test_sync_starts_a_new_language(locales):
    path = sync.add("nl", locales)
    assert "nl" in catalogs.available(locales)
    missing, _ = sync.sync(locales, write=False)
    assert len(missing["nl"]) == len(sync.entries())
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in path.read_text(encoding="utf-8")
    assert "Machine-assisted" in path.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        sync.add("nl", locales)


def test_a_compiled_catalog_is_preferred_unless_older_than_its_source(locales):
    po = catalogs.po_path("de", locales)
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Suchen"', 'msgstr "Finden"'), encoding="utf-8")
    mo = po.with_suffix(".mo")
    mo.write_bytes(catalogs.compile_catalog(po))
    po.write_text(text, encoding="utf-8")  # the source says Suchen again...
    os.utime(po, (1, 1))  # ...but is older than the compiled catalog
    assert catalogs.translations("de", locales).pgettext("search_button", "Search") == "Finden"
    catalogs.translations.cache_clear()
    os.utime(mo, (0, 0))  # an outdated .mo: the .po wins
    assert catalogs.translations("de", locales).pgettext("search_button", "Search") == "Suchen"
    catalogs.translations.cache_clear()


def test_the_build_compiles_every_catalog(tmp_path):
    """The wheel (built as pip builds it, setup.py's build_py hook) has a .mo beside every
    .po, the same bytes as the catalogs compile to here."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py"):
        shutil.copy(ROOT / name, source / name)
    for name in ("barcamp_search", "web"):
        shutil.copytree(
            ROOT / name,
            source / name,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"),
        )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "./src"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("barcamp_search-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in SIX:
        folder = f"barcamp_search/web/locales/{lang}/LC_MESSAGES"
        assert f"{folder}/messages.po" in names
        compiled = zipfile.ZipFile(wheel).read(f"{folder}/messages.mo")
        assert compiled == catalogs.compile_catalog(catalogs.po_path(lang)), lang


# --- every page in every language ---------------------------------------------------------


class Texts(HTMLParser):
    """The text a person reads or hears: text nodes, the attributes shown or spoken, and the
    sentences handed to the script in data- attributes."""

    SHOWN = ("title", "aria-label", "placeholder", "alt", "aria-description", "content")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skip = 0
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        for name, value in attrs:
            if name in self.SHOWN and value and not (tag == "meta" and name == "content"):
                self.texts.append(value.strip())
            elif name.startswith("data-") and value and " " in value.strip():
                self.texts.append(value.strip())  # what the script shows or announces

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts_of(body: str) -> Texts:
    parser = Texts()
    parser.feed(body)
    return parser


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("catalogs") / "index"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo"))])
    return root


@pytest.fixture(scope="module")
def app(index_dir):
    return create_app(Settings(index=index_dir))


PAGES = {
    "index": ["/"],
    "search": [
        "/search?q=python",
        "/search?q=python&tag=asyncio&from=2020-01-01&to=2030-01-01&lang=fr",
        "/search?q=djnago",  # showing results for ... search instead for
        "/search?q=atleier&typos=0",  # did you mean
        "/search?q=zorglubqux",  # the empty state
        "/search?tag=no-such-tag",  # no post matches these filters
        "/search?q=python&page=9",  # no such page
        "/search?q=python&more=tag",
        "/search?q=python&instant=1&fragment=1",  # the results region fetched while typing
        "/search?page=0",  # 400
        "/no/such/page",  # 404
    ],
    "post": [f"/post/demo/{MICRO}", "/post/demo/no-such-post"],
    "tags": ["/tags", "/tags?filter=py", "/tags?filter=zzzzz"],
    "authors": ["/authors"],
    "speakers": ["/speakers", "/speakers?filter=zzzzz"],
    "speaker": ["/speakers/" + quote("Kévin Morel"), "/speakers/Nobody%20At%20All"],
    "timeline": ["/timeline"],
    "feed": ["/feed.atom", "/feed.atom?q=python"],
    "opensearch": ["/opensearch.xml"],
}
MACHINE_ENDPOINTS = {"api_search", "api_search_csv", "api_suggest", "api_facets", "healthz"}


def test_the_walk_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - MACHINE_ENDPOINTS - set(PAGES) == set()


def content_text() -> str:
    """Every word of the sample archive: what a page shows of a post is no interface
    string, whatever its language."""
    return " ".join(
        " ".join(p.read_text(encoding="utf-8").split()) for p in SAMPLE.rglob("*") if p.is_file()
    ).lower()


def english_patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """The English strings that ``lang``'s catalog does not say (translated otherwise, or
    not translated at all), as patterns (a placeholder matches anything), leaving out those
    that a post of the sample archive contains."""
    content = content_text()
    said = {  # what this language's catalog says, for any key: "Filter" is German too
        text
        for message in catalogs.read_catalog(catalogs.po_path(lang))
        if message.id and not message.fuzzy
        for text in forms(message.string)
    }
    found = []
    for key, (english, _french) in STRINGS.items():
        if (
            english in said
            or english.lower() in content
            or not re.search("[A-Za-z]{2}", re.sub(r"{\w*}", "", english))
        ):
            continue
        parts = [re.escape(p) for p in re.split(r"{\w*}", english)]
        found.append((key, re.compile(".+?".join(parts))))
    return found


@pytest.mark.parametrize("lang", SIX)
def test_every_page_in_every_language_has_no_missing_string(app, tmp_path, lang):
    """Every route in ``lang``: the page says it is in ``lang``, shows its translated
    navigation, and no text or spoken attribute is a raw key, an unfilled placeholder or
    the English of a string this language translates."""
    if lang not in i18n.LANGUAGES:
        pytest.skip(f"i18n.py does not offer {lang} yet: it still reads STRINGS, not the catalogs")
    keys = {key for key in STRINGS if "_" in key}
    patterns = english_patterns(lang) if lang != "en" else []
    content = content_text()
    problems = []
    client = app.test_client()
    nav = catalogs.gettext(lang, "nav_timeline", STRINGS["nav_timeline"][0])
    urls = [url for group in PAGES.values() for url in group]
    no_index = create_app(Settings(index=tmp_path / "nothing")).test_client()
    pages = [(url, client.get(url + ("&" if "?" in url else "?") + f"ui={lang}")) for url in urls]
    pages.append(("no index", no_index.get(f"/?ui={lang}")))
    for url, response in pages:
        assert response.status_code in (200, 400, 404, 503), (url, response.status_code)
        body = response.get_data(as_text=True)
        parsed = texts_of(body)
        if response.mimetype == "text/html" and "fragment=1" not in url:
            assert parsed.lang == lang, (url, parsed.lang)
            assert nav in parsed.texts, (url, nav)
        for text in parsed.texts:
            for word in re.findall(r"[a-z]+(?:_[a-z]+)+", text):
                if word in keys:
                    problems.append((url, "raw key", text))
            if re.search(r"{\w+}", text):
                problems.append((url, "placeholder", text))
            if text.lower() in content:
                continue
            for key, pattern in patterns:
                if pattern.fullmatch(text) or (len(pattern.pattern) >= 20 and pattern.search(text)):
                    problems.append((url, key, text))
    assert problems == [], "\n".join(map(str, problems))
