"""The extraction stage on the sample archive, the real corpora and Pelican's test inputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from barcamp_search.archive import ArchiveOptions
from barcamp_search.errors import ArchiveMissing, ExtractError
from barcamp_search.model import Link, Person, Post, Section
from barcamp_search.read.extract import extract_archive, find_sources, read_post

from .conftest import ROOT, SAMPLE

SITE = "https://python-ouest.example.org"


def extract_all(root, **options):
    name = options.pop("name", root.name)
    workers = options.pop("workers", 2)
    return list(extract_archive(root, ArchiveOptions(name, **options), workers=workers))


def run_cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "barcamp_search", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def sample_posts():
    results = extract_all(SAMPLE, name="demo", site_url=SITE)
    assert all(isinstance(r, Post) for r in results)
    return {post.source: post for post in results}


def test_sample_post_whole_value(sample_posts):
    assert sample_posts["articles/2024-06-18-compte-rendu-juin.rst"] == Post(
        archive="demo",
        source="articles/2024-06-18-compte-rendu-juin.rst",
        format="rst",
        slug="compte-rendu-python-pour-les-adminsys-et-pep8",
        url=f"{SITE}/compte-rendu-python-pour-les-adminsys-et-pep8.html",
        title="Compte-rendu : Python pour les adminsys et PEP8",
        date="2024-06-25T00:00:00",
        modified=None,
        lang="fr",
        status="published",
        categories=("comptes-rendus",),
        tags=("adminsys", "pep8", "devops", "microcontrôleur"),
        authors=("Léa Fontaine", "Kévin Morel"),
        summary="",
        text="",
        sections=(
            Section(
                "outils-python-pour-les-adminsys-devops",
                "Outils Python pour les adminsys / devops",
                1,
                None,
                "Intervenant : Léa Fontaine\n\nAnsible, Fabric et __init__.py bien rangés : "
                "comment automatiser un parc\nde serveurs. La discussion a continué sur "
                "les outils de déploiement.",
                ("Léa Fontaine",),
            ),
            Section(
                "ecrire-du-code-lisible-pep-8",
                "Écrire du code lisible : PEP 8",
                1,
                None,
                "Orateur : Kévin Morel\n\nPEP8 en pratique : ruff, black et les revues de "
                "code. Le C++ a aussi\nses guides de style, mais c'est une autre histoire.",
                ("Kévin Morel",),
            ),
        ),
        links=(),
        people=(
            Person("Léa Fontaine", "speaker", "outils-python-pour-les-adminsys-devops"),
            Person("Kévin Morel", "speaker", "ecrire-du-code-lisible-pep-8"),
        ),
        speakers=("Léa Fontaine", "Kévin Morel"),
    )


def test_sample_report_sections_speakers_and_links(sample_posts):
    post = sample_posts["articles/2024-03-14-compte-rendu-meetup-mars.rst"]
    assert post.tags == ("python", "pyramid", "générateurs", "asyncio")
    assert post.authors == ("Hélène Garnier", "Thomas Rivière", "Kévin Morel")
    assert post.modified == "2024-03-22T18:30:00"
    assert [(s.anchor, s.level, s.parent, s.speakers) for s in post.sections] == [
        ("pyramid-le-framework-qui-monte", 1, None, ("Gaël Pasgrimaud",)),
        ("pourquoi-pas-django", 2, "pyramid-le-framework-qui-monte", ("Gaël Pasgrimaud",)),
        ("generateurs-et-co-routines", 1, None, ("Hélène Garnier", "Thomas Rivière")),
        ("micropython-sur-esp32", 1, None, ("Kévin Morel",)),
        ("prochaine-session", 1, None, ()),
    ]
    assert post.links == (
        Link("https://cantine.example.org/", "Cantine numérique", None),
        Link(
            "https://slides.example.org/pyramid-2024/",
            "https://slides.example.org/pyramid-2024/",
            "pyramid-le-framework-qui-monte",
        ),
        # wrapped across two lines in the source
        Link(
            "https://docs.python.org/3/library/asyncio-task.html",
            "documentation d'asyncio",
            "generateurs-et-co-routines",
        ),
        Link(
            "https://lists.example.org/listinfo/python-ouest",
            "liste de diffusion",
            "prochaine-session",
        ),
    )
    # the code block and the comment hold "Intervenant :" lines: never people
    assert "personne" not in " ".join(p.name for p in post.people)
    assert "asyncio.gather" in post.sections[2].text


def test_sample_barcamp_roles(sample_posts):
    post = sample_posts["articles/2024-04-23-barcamp-avril.rst"]
    roles = {(p.name, p.role, p.section) for p in post.people}
    assert roles >= {
        ("Florent", "participant", "ecrire-des-tests-qui-aident"),
        ("Antoine", "participant", "ecrire-des-tests-qui-aident"),
        ("Pablo", "participant", "ecrire-des-tests-qui-aident"),
        ("Pablo", "reporter", "ecrire-des-tests-qui-aident"),
        ("Claire Dubois", "reporter", "packaging-en-2024"),
    }
    assert not any("?" in p.name for p in post.people)
    assert post.speakers == ()
    assert [s.anchor for s in post.sections][-1] == "let-s-roll"


def test_sample_announcement_prose_speakers(sample_posts):
    post = sample_posts["articles/2024-05-21-annonce-meetup-mai.rst"]
    assert post.speakers == ("Sophie Martin", "Léa Fontaine")
    # site-relative link resolved against the site URL
    assert Link(f"{SITE}/pages/a-propos.html", "page d'accueil", "au-programme") in post.links


def test_sample_markdown_and_front_matter(sample_posts):
    workshop = sample_posts["articles/2023-11-16-pyladies-workshop.md"]
    assert (workshop.slug, workshop.lang, workshop.authors, workshop.speakers) == (
        "pyladies-workshop-first-flask-app",
        "en",
        ("Priya Raman", "Sarah O'Brien"),
        ("Priya Raman", "Sarah O'Brien"),
    )
    assert (
        Link(
            "https://notes.example.org/flask-deploy", "deployment notes", "deploying-with-gunicorn"
        )
        in workshop.links
    )
    hugo = sample_posts["hugo/2024-10-19-meetup.md"]
    assert (hugo.title, hugo.date, hugo.tags, hugo.categories, hugo.speakers) == (
        "Meetup #42: data pipelines and type hints",
        "2024-10-19T16:00:00+05:30",
        ("meeting minutes", "data", "typing"),
        ("Event",),
        ("Meera Iyer", "Arun Kumar"),
    )
    toml = sample_posts["hugo/2025-01-11-year-in-review.md"]
    assert (toml.title, toml.date, toml.authors) == (
        "Our year 2024 in review",
        "2025-01-11T10:00:00+00:00",
        ("Meera Iyer",),
    )


def test_translations_are_linked_not_duplicated(sample_posts):
    english = sample_posts["articles/2024-09-28-sprint-report.md"]
    french = sample_posts["articles/2024-09-28-sprint-report-fr.md"]
    assert english.slug == french.slug == "autumn-sprint-report"
    assert english.translations == (french.source,)
    assert french.translations == (english.source,)
    assert english.url == f"{SITE}/autumn-sprint-report.html"
    assert french.url == f"{SITE}/autumn-sprint-report-fr.html"
    assert not any("also used by" in w for w in english.warnings + french.warnings)


def test_same_slug_same_language_is_kept_twice_and_warned(tmp_path):
    for name in ("a.rst", "b.rst"):
        (tmp_path / name).write_text(
            "Même titre\n##########\n\n:slug: meme\n\nTexte.\n", encoding="utf-8"
        )
    (tmp_path / "c.rst").write_text("Autre\n#####\n\nTexte.\n", encoding="utf-8")
    posts = list(
        extract_archive(tmp_path, ArchiveOptions("t", lang="fr", site_url="https://x.org"))
    )
    assert [p.source for p in posts] == ["a.rst", "b.rst", "c.rst"]  # in source order
    a, b, c = posts
    assert a.warnings[-1] == "a.rst: slug 'meme' is also used by b.rst"
    assert b.warnings[-1] == "b.rst: slug 'meme' is also used by a.rst"
    assert a.translations == b.translations == c.translations == ()
    assert a.url == b.url == "https://x.org/meme.html"
    assert not any("also used by" in w for w in c.warnings)


def test_drafts_and_pages(sample_posts):
    assert sample_posts["articles/2025-03-brouillon.rst"].status == "draft"
    page = sample_posts["pages/a-propos.rst"]
    assert (page.url, page.date, page.summary) == (
        f"{SITE}/pages/a-propos.html",
        None,
        "Qui sommes-nous ?",
    )


def test_no_email_address_anywhere(sample_posts):
    dumped = json.dumps([p.to_json() for p in sample_posts.values()])
    assert not re.search(r"(?<![\\\w.])[A-Za-z][\w.+-]*@[\w-]+\.[a-z]{2,}", dumped)
    assert "mailto:" not in dumped


def test_find_sources_rules(tmp_path):
    (tmp_path / "a.rst").write_text("A\n=\n")
    (tmp_path / "B.RST").write_text("B\n=\n")
    (tmp_path / "c.markdown").write_text("Title: C\n")
    (tmp_path / "d.mmd").write_text("Title: D\n")
    (tmp_path / ".hidden.rst").write_text("H\n=\n")
    (tmp_path / "_index.md").write_text("---\ntitle: list\n---\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.md").write_text("Title: E\n")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "inside.rst").symlink_to(tmp_path / "a.rst")
    (tmp_path / "outside.rst").symlink_to("/etc/hostname")
    (tmp_path / "dangling.rst").symlink_to(tmp_path / "nowhere.rst")
    os.mkfifo(tmp_path / "fifo.rst")
    found = [s.source for s in find_sources(tmp_path)]
    assert found == ["B.RST", "a.rst", "c.markdown", "inside.rst", "sub/e.md"]
    options = ArchiveOptions("x", include=("sub/*",))
    assert [s.source for s in find_sources(tmp_path, options)] == ["sub/e.md"]
    options = ArchiveOptions("x", exclude=("*.rst", "*.RST"))
    assert [s.source for s in find_sources(tmp_path, options)] == ["c.markdown", "sub/e.md"]
    with pytest.raises(ArchiveMissing):
        find_sources(tmp_path / "missing")


# --- unreadable files, for real even as root ------------------------------------

# What a chmod-000 file gives when it really is unreadable. Root reads it anyway, through
# its capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): as root the check runs in a
# child process started by setpriv with every capability dropped (bounding set included,
# so the parse workers it forks, or execs, get none either). Still uid 0, it reaches the
# interpreter and the test folders it owns (a process switched to uid 65534 could not:
# pytest's tmp_path is 0700 and the interpreter may live under /root); only the file's
# own permissions stop it.
UNPRIVILEGED = r"""
import json, sys
from pathlib import Path
from barcamp_search.errors import ExtractError
from barcamp_search.archive import ArchiveOptions
from barcamp_search.read.extract import extract_archive, read_file
from barcamp_search.model import Post

status = Path("/proc/self/status").read_text()
for line in ("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
             "CapBnd:\t0000000000000000"):
    assert line in status.splitlines(), status  # no privilege left
root, call, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
options = ArchiveOptions(root.name)

def outcome(result):
    if isinstance(result, Post):
        return ["post", result.source, None]
    return ["error", result.path, result.reason]

if call == "read_file":
    try:
        results = [outcome(read_file(root / names[0], names[0], options, 1 << 20))]
    except ExtractError as error:
        results = [outcome(error)]
else:
    results = [outcome(r) for r in extract_archive(root, options, workers=2)]
print(json.dumps(results))
"""


def outcomes(results) -> list[list[str | None]]:
    """Posts and errors as ``[kind, file, reason]``, the shape UNPRIVILEGED prints."""
    return [
        ["post", r.source, None] if isinstance(r, Post) else ["error", r.path, r.reason]
        for r in results
    ]


def run_unprivileged(
    root: Path, call: str = "extract_archive", *names: str
) -> list[list[str | None]]:
    """``extract_archive`` over ``root`` (or ``read_file`` of the file ``names[0]`` in it)
    in a child process that has no capability left: for root (any other user simply runs
    the code in process, where a chmod-000 file is unreadable already)."""
    assert os.geteuid() == 0
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to check unreadable files as root"
    result = subprocess.run(
        [
            setpriv,
            "--bounding-set=-all",
            "--inh-caps=-all",
            "--",
            sys.executable,
            "-c",
            UNPRIVILEGED,
            str(root),
            call,
            *names,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_unreadable_file_is_reported(tmp_path):
    (tmp_path / "a.rst").write_text("A\n=\n\ntext\n")
    (tmp_path / "b.rst").write_text("B\n=\n\ntext\n")
    (tmp_path / "b.rst").chmod(0)
    if os.geteuid() == 0:  # root reads a chmod-000 file: the extraction runs without privileges
        results = run_unprivileged(tmp_path)
    else:
        results = outcomes(extract_all(tmp_path))
    assert results == [["post", "a.rst", None], ["error", "b.rst", "permission denied"]]


# --- the real corpora --------------------------------------------------------

POST_COUNTS = {
    "python-nantes": 24,
    "mtlpy": 394,
    "mtlpy-rst-2012": 218,
    "baypiggies": 131,
    "afpyro": 112,
    "chennaipy": 73,
    "pythonpune": 52,
    "quebecpython": 12,
    "pelican-tests": 32,
}


@pytest.mark.parametrize("archive", sorted(POST_COUNTS))
def test_post_count_of_each_archive(corpora, archive):
    results = extract_all(corpora / archive)
    posts = [r for r in results if isinstance(r, Post)]
    assert len(posts) == POST_COUNTS[archive]
    if archive == "pelican-tests":
        assert sorted(r.path for r in results if isinstance(r, ExtractError)) == [
            "content/empty.md",
            "content/empty_with_bom.md",
        ]
    else:
        assert len(posts) == len(results)
    assert all(p.title and p.slug for p in posts)


@pytest.mark.parametrize("archive", sorted(POST_COUNTS) + ["hostile"])
def test_cli_extracts_every_corpus_without_traceback(corpora, archive):
    result = run_cli("extract", corpora / archive, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(
        set(line)
        >= {
            "archive",
            "source",
            "format",
            "slug",
            "url",
            "title",
            "date",
            "modified",
            "lang",
            "status",
            "categories",
            "tags",
            "authors",
            "summary",
            "sections",
            "links",
            "people",
            "speakers",
            "warnings",
        }
        for line in lines
    )


def test_cli_exit_status_for_missing_path(tmp_path):
    result = run_cli("extract", tmp_path / "nope")
    assert result.returncode == 2
    assert "No such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_whole_corpora_extract_fast_in_one_process(corpora):
    started = time.perf_counter()
    total = 0
    for archive in sorted(POST_COUNTS) + ["hostile"]:
        total += len(extract_all(corpora / archive, workers=1))
    seconds = time.perf_counter() - started
    print(f"\nextracted {total} files of ../shared/corpora in {seconds:.1f} s (one worker)")
    assert total > 1000


def test_real_quirks(corpora):
    nantes = {p.source: p for p in extract_all(corpora / "python-nantes", lang="fr")}
    report = nantes["sources/articles/009-cr-meetup-2014-11-18-pelican-ipython.rst"]
    assert report.slug == "compte-rendu-des-conferences-pelican-et-ipython"
    assert report.authors == ("Pierre", "Gordon", "Florent")
    assert report.sections[0].speakers == ("Damien Nicolas", "Gordon")
    bom = nantes["sources/articles/007-cr-mettup-2014-09-30_micro-python.rst"]
    assert not bom.title.startswith("\ufeff")
    assert "let-s-roll" in [s.anchor for s in bom.sections]
    pep = nantes["sources/articles/005-cr-meetup-2014-08-26.rst"]
    assert {"pep", "pep8"} <= set(pep.tags)
    afpyro = {p.source: p for p in extract_all(corpora / "afpyro")}
    two_cities = afpyro["dates/2013/2013_01_23.rst"]
    assert two_cities.date == "2013-01-23T00:00:00"
    assert two_cities.title == two_cities.sections[0].title
    baypiggies = {
        p.source: p
        for p in extract_all(corpora / "baypiggies", authors_are_speakers=("meetings/*",))
    }
    speakers = {name for p in baypiggies.values() for name in p.speakers}
    assert {"Moshe Zadka", "Al Sweigart", "Asheesh Laroia", "Philip James"} <= speakers
    review = next(p for p in baypiggies.values() if p.source.startswith("book_reviews/"))
    assert review.date and review.authors
    mtlpy = {p.source: p for p in extract_all(corpora / "mtlpy")}
    by_slug: dict[str, list[str]] = {}
    for post in mtlpy.values():
        by_slug.setdefault(post.slug, []).append(post.lang)
    assert sum(sorted(langs) == ["en", "fr"] for langs in by_slug.values()) == 170
    assert all(p.translations for p in mtlpy.values() if sorted(by_slug[p.slug]) == ["en", "fr"])
    chennaipy = {p.source: p for p in extract_all(corpora / "chennaipy")}
    capitalised = chennaipy["meetups/mom/2026/2026-07-25_mom.md"]
    assert capitalised.date == "2026-07-25T00:00:00" and capitalised.title


# --- Pelican's own reader tests (EXPECTED.json) --------------------------------

DEFAULT_FILENAME_REGEXES = (None, r"(?P<date>\d{4}-\d{2}-\d{2}).*", r"(?P<date>\d{4}-\d{2}-\d{2})?")


def _pelican_cases(corpora):
    expected = json.loads((corpora / "pelican-tests" / "EXPECTED.json").read_text())
    for source, entry in expected["files"].items():
        for case in entry["cases"]:
            settings = case.get("settings") or {}
            if set(settings) - {"FILENAME_METADATA", "CACHE_CONTENT"}:
                continue  # typogrify, extra path metadata, Markdown extensions: Pelican-only
            if settings.get("FILENAME_METADATA", None) not in DEFAULT_FILENAME_REGEXES:
                continue  # slug/author from file names: not our convention
            yield source, case


def test_pelican_expected_metadata(corpora):
    root = corpora / "pelican-tests"
    posts = {r.source: r for r in extract_all(root) if isinstance(r, Post)}
    checked = 0
    for source, case in _pelican_cases(corpora):
        if "raises" in case:
            if source.endswith(".unknownextension"):
                assert source not in posts
            continue
        if source not in posts:  # empty files: skipped
            assert source in ("content/empty.md", "content/empty_with_bom.md")
            continue
        post = posts[source]
        for key, value in case.get("metadata", {}).items():
            checked += 1
            if key == "title":
                assert post.title == value, source
            elif key in ("date", "modified"):
                assert getattr(post, key) == value, (source, key)
            elif key == "tags":
                assert list(post.tags) == [v.lower() for v in value], source
            elif key == "author":
                assert post.authors == (value,), source
            elif key == "authors":
                assert list(post.authors) == value, source
            elif key == "category":
                if value != "misc":  # Pelican's DEFAULT_CATEGORY: we set none
                    assert post.categories == (value,), source
            elif key == "summary":
                text = case.get("derived_not_asserted", {}).get("summary_text") or re.sub(
                    r"<[^>]+>", "", value
                )
                assert post.summary == " ".join(text.replace("&quot;", '"').split()), source
            elif key == "slug":
                assert post.slug == value, source
            elif key == "reader":
                assert post.format == ("rst" if value == "rst" else "markdown"), source
            else:
                checked -= 1  # custom fields are not part of a Post
        for key in case.get("absent", []):
            if key == "tags":
                assert post.tags == ()
            if key == "date" and case.get("settings", {}).get("FILENAME_METADATA"):
                assert post.date is None or re.search(r"\d{4}-\d{2}-\d{2}", source)
    assert checked >= 40


def test_pelican_statuses(corpora):
    posts = {r.source: r for r in extract_all(corpora / "pelican-tests") if isinstance(r, Post)}
    assert posts["content/article_draft.md"].status == "draft"
    assert posts["content/article_hidden.md"].status == "hidden"
    assert posts["content/article_skip.md"].status == "draft"  # skip: never indexed


# --- properties ----------------------------------------------------------------


def test_any_bytes_give_a_post_or_a_clear_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=600), st.sampled_from(["x.rst", "x.md"]))
    def check(data, name):
        try:
            post = read_post(data, name, ArchiveOptions("fuzz"))
        except ExtractError as error:
            assert error.reason
        else:
            assert isinstance(post, Post) and post.title

    check()


def test_any_metadata_text_gives_a_post_or_a_clear_error():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=80), st.text(max_size=80))
    def check(tags, date):
        text = f"Title\n#####\n\n:tags: {tags}\n:date: {date}\n\nBody.\n"
        for line in (tags, date):
            if "\n" in line:
                return
        try:
            post = read_post(text.encode(), "x.rst", ArchiveOptions("fuzz"))
        except ExtractError as error:
            assert error.reason
        else:
            assert post.title

    check()
