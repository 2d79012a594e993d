"""Site generators beyond Pelican (issue 15): Nikola, MkDocs, Jekyll ``_posts``.

The real archives (``../shared/corpora``: ``pyvigo-es`` Nikola, ``pybiella-it`` MkDocs)
are read by the real extractor; their oracle is read straight from the source files
(Nikola's ``.. title:`` lines). Two small archives of our own (``tests/content/mkdocs``,
``tests/content/jekyll``) hold the forms the real ones lack: MkDocs dates in headings,
file names and folders, Jekyll ``_posts`` with categories and permalinks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import Post
from barcamp_search.read.extract import extract_archive, find_sources
from barcamp_search.read.generators import detect_generator, find_date, listing_pages

CONTENT = Path(__file__).parent / "content"


def extract(root: Path, name: str, **options) -> dict[str, Post]:
    results = list(extract_archive(root, ArchiveOptions(name, **options), workers=2))
    assert all(isinstance(r, Post) for r in results), [
        r for r in results if not isinstance(r, Post)
    ]
    return {p.source: p for p in results if isinstance(p, Post)}


# --- Nikola -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def vigo() -> dict[str, Post]:
    root = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "pyvigo-es"
    if not root.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    return extract(root, "pyvigo-es")


def nikola_meta(path: Path) -> dict[str, str]:
    """The ``.. key: value`` lines that open a Nikola post (the test's own oracle)."""
    meta: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\.\. (\w+):\s*(.*)", line)
        if not match:
            break
        meta[match.group(1)] = match.group(2).strip()
    return meta


def test_nikola_every_post_titled_slugged_and_dated_from_its_metadata(corpora, vigo):
    assert len(vigo) == 104
    for source, post in vigo.items():
        meta = nikola_meta(corpora / "pyvigo-es" / source)
        assert post.title == meta["title"], source
        assert post.slug == meta["slug"], source
        # ".. date: 2018-09-13 00:06:35 UTC+02:00"
        day, time, offset = meta["date"].split()
        assert post.date == f"{day}T{time}{offset[3:]}", source
        assert post.lang == "es", source


def test_nikola_tags_authors_description_and_headings(vigo):
    post = vigo["posts/reunion_del_grupo_2015-01-15.rst"]
    assert post.title == "Reunión del Grupo el 15/01/2015"  # was the body heading
    assert post.tags == ("python",)
    assert post.authors == ("Luis González Fernández",)
    assert post.summary == "Reunión del grupo Python Vigo el 15/01/2015"  # .. description:
    assert [s.title for s in post.sections] == ["ACTA DE REUNIÓN"]  # stays a section
    acto = vigo["posts/acto_apertura_pycones_2024-09-26.rst"]
    assert acto.tags == ("python", "vigo", "desarrollo", "pycones")
    assert acto.categories == ()  # ".. category:" is empty
    assert acto.date == "2024-09-23T18:25:25+02:00"
    # the posts that had no date before (no date in their file name)
    assert vigo["posts/cuenta-de-twitter.rst"].date == "2015-01-05T10:06:35+01:00"
    assert vigo["posts/pybirras-estamos-de-vuelta.rst"].date == "2021-11-17T23:06:14+01:00"


def test_nikola_suffix_translations_and_link(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "sprint.rst").write_text(
        ".. title: Sprint day\n.. slug: sprint\n.. date: 2020-01-10 18:00:00 UTC\n"
        ".. link: https://sprint.example.org/2020\n\n"
        "We spent the whole day fixing bugs in the projects of the group and reviewing\n"
        "pull requests, with coffee and a long lunch break in the middle of the day.\n",
        encoding="utf-8",
    )
    (tmp_path / "posts" / "sprint.es.rst").write_text(
        ".. title: Día de sprint\n.. slug: dia-de-sprint\n.. date: 2020-01-10 18:00:00 UTC\n\n"
        "Pasamos todo el día arreglando errores en los proyectos del grupo y revisando\n"
        "contribuciones, con café y una larga pausa para comer a mitad del día.\n",
        encoding="utf-8",
    )
    posts = extract(tmp_path, "nikola")
    english, spanish = posts["posts/sprint.rst"], posts["posts/sprint.es.rst"]
    assert (english.lang, spanish.lang) == ("en", "es")  # detected; the suffix
    assert english.translations == ("posts/sprint.es.rst",)
    assert spanish.translations == ("posts/sprint.rst",)
    assert english.links[0].url == "https://sprint.example.org/2020"  # .. link:
    assert spanish.title == "Día de sprint" and spanish.slug == "dia-de-sprint"


# --- MkDocs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def biella() -> dict[str, Post]:
    root = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "pybiella-it"
    if not root.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    return extract(root, "pybiella-it")


def test_mkdocs_archive_detected(corpora):
    assert detect_generator(corpora / "pybiella-it") == "mkdocs"  # docs/ with index.md
    assert detect_generator(CONTENT / "mkdocs") == "mkdocs"  # mkdocs.yml
    for name in ("python-nantes", "afpyro", "chennaipy", "pyvigo-es", "goepy-de"):
        assert detect_generator(corpora / name) is None, name


def test_mkdocs_listing_pages_are_not_posts(corpora, biella):
    every = {
        str(p.relative_to(corpora / "pybiella-it")) for p in corpora.glob("pybiella-it/**/*.md")
    }
    assert len(every) == 304
    left_out = every - set(biella)
    names = {Path(s).name for s in left_out}
    assert names == {"index.md", "index.en.md", "next_meetup.md", "next_meetup.en.md"}
    assert len(left_out) == 66  # the MANIFEST's 66 index/listing pages
    assert len(biella) == 238  # 119 Italian talk pages and their 119 English twins


def test_mkdocs_translations_linked_both_ways(biella):
    english = [s for s in biella if s.endswith(".en.md")]
    assert len(english) == 119
    for source in english:
        original = source.removesuffix(".en.md") + ".md"
        assert biella[source].translations == (original,), source
        assert biella[original].translations == (source,), original
        assert biella[source].lang == "en", source


def test_mkdocs_titles_from_front_matter_or_first_heading(biella):
    for source, post in biella.items():
        assert post.title and post.title != Path(source).stem, source
    assert biella["docs/meetup/archive/xgboost.md"].title == "Xgboost"


def test_mkdocs_dates_only_where_written(biella):
    # pybiella-it writes no date in any title, heading, file or folder name: no page
    # gets one (none invented). Its one date in running text is not the page's date.
    assert [p.source for p in biella.values() if p.date] == []


@pytest.fixture(scope="module")
def own_mkdocs() -> dict[str, Post]:
    return extract(CONTENT / "mkdocs", "mkdocs")


def test_own_mkdocs_archive_every_meeting_page_dated(own_mkdocs):
    assert {s: p.date for s, p in own_mkdocs.items()} == {
        "docs/archive/treffen-september.md": "2010-09-07T00:00:00",  # heading, in German
        "docs/archive/incontro-flask.md": "2018-09-20T00:00:00",  # "20/09/2018", Italian order
        "docs/archive/incontro-flask.en.md": "2018-09-20T00:00:00",  # "20 September 2018"
        "docs/archive/2010/07/24/sommer.md": "2010-07-24T00:00:00",  # folder names
        "docs/archive/2021-05-03-pattern-matching.md": "2021-05-03T00:00:00",  # file name
    }


def test_own_mkdocs_titles_languages_translations(own_mkdocs):
    assert own_mkdocs["docs/archive/treffen-september.md"].title == (
        "Treffen am Dienstag, 07. September 2010"  # no front matter: the first heading
    )
    assert {s: p.lang for s, p in own_mkdocs.items()} == {
        "docs/archive/treffen-september.md": "de",
        "docs/archive/incontro-flask.md": "it",
        "docs/archive/incontro-flask.en.md": "en",
        "docs/archive/2010/07/24/sommer.md": "de",
        "docs/archive/2021-05-03-pattern-matching.md": "it",
    }
    assert own_mkdocs["docs/archive/incontro-flask.md"].translations == (
        "docs/archive/incontro-flask.en.md",
    )
    sources = [s.source for s in find_sources(CONTENT / "mkdocs")]
    assert "docs/index.md" not in sources and "docs/next_meetup.md" not in sources


def test_listing_pages_rule():
    sources = [
        "docs/index.md",
        "docs/index.en.md",
        "docs/about.md",  # beside an index, in a folder with sub-folders: a listing page
        "docs/talks/a.md",  # no index in talks/: a post
        "docs/course/index.md",
        "docs/course/lesson_1.md",  # a folder with an index but no sub-folder: a post
    ]
    assert listing_pages(sources) == {
        "docs/index.md",
        "docs/index.en.md",
        "docs/about.md",
        "docs/course/index.md",
    }


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Dienstag, 07. September 2010", "de", "2010-09-07T00:00:00"),
        ("Treffen 31. Januar 2013", "de", "2013-01-31T00:00:00"),
        ("Reunión el 7 de septiembre de 2018", "es", "2018-09-07T00:00:00"),
        ("Meetup del 7 settembre 2018", "it", "2018-09-07T00:00:00"),
        ("Registrazione del 10/03/2022", "it", "2022-03-10T00:00:00"),  # day first
        ("meeting on 04/25/2013", "en", "2013-04-25T00:00:00"),  # month first
        ("Meetup September 7, 2010", "en", "2010-09-07T00:00:00"),
        ("2010/07/24", "fr", "2010-07-24T00:00:00"),
        ("mercredi 23 Octobre", "fr", None),  # no year: no date
        ("flask 6", "it", None),
        ("Python 3.10 release party", "en", None),
    ],
)
def test_find_date(text, lang, expected):
    assert find_date(text, lang) == expected


# --- Jekyll ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jekyll() -> dict[str, Post]:
    return extract(CONTENT / "jekyll", "jekyll")


def test_jekyll_posts_date_slug_categories_permalink(jekyll):
    pi = jekyll["_posts/2019-03-14-pi-day-meetup.md"]
    assert (pi.date, pi.slug, pi.categories, pi.lang) == (
        "2019-03-14T00:00:00",  # from the file name
        "pi-day-meetup",  # from the file name, not the title
        ("meetup", "python"),  # a space-separated string
        "en",
    )
    assert pi.url == "/events/pi-day/"  # permalink (no site URL given)
    abril = jekyll["_posts/2019-04-11-reunion-abril.md"]
    assert abril.date == "2019-04-11T19:30:00+02:00"  # the date field wins
    assert (abril.slug, abril.categories, abril.lang) == (
        "reunion-abril",
        ("reunión", "Python"),  # a YAML list
        "es",
    )
    mai = jekyll["_posts/2019-05-09-mai-treffen.markdown"]
    assert (mai.date, mai.slug, mai.categories, mai.lang) == (
        "2019-05-09T00:00:00",
        "mai-treffen",
        ("treffen",),
        "de",
    )


# --- the archive's generator setting ---------------------------------------------


def test_generator_setting_from_the_config_file(tmp_path):
    from barcamp_search.config import load_settings
    from barcamp_search.errors import ConfigError

    config = tmp_path / "barcamp-search.toml"
    config.write_text('[[archives]]\npath = "site"\ngenerator = "mkdocs"\n', encoding="utf-8")
    settings = load_settings({}, {}, config)
    assert settings.archives[0].options.generator == "mkdocs"
    config.write_text('[[archives]]\npath = "site"\ngenerator = "wordpress"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="wordpress"):
        load_settings({}, {}, config)


def test_generator_given_overrides_the_guess(tmp_path):
    (tmp_path / "talks").mkdir()
    (tmp_path / "index.md").write_text("# Home\n\nThe list of our talks.\n", encoding="utf-8")
    (tmp_path / "about.md").write_text("# About\n\nWho we are and where.\n", encoding="utf-8")
    (tmp_path / "talks" / "x.md").write_text("# Talk\n\nA talk about Python.\n", encoding="utf-8")
    guessed = [s.source for s in find_sources(tmp_path)]  # no mkdocs.yml, no docs/
    assert guessed == ["about.md", "index.md", "talks/x.md"]
    given = [s.source for s in find_sources(tmp_path, ArchiveOptions("x", generator="mkdocs"))]
    assert given == ["talks/x.md"]
