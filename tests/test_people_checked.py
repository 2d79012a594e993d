"""People, links and titles of real posts, checked by hand (issue 13).

For each of the seven French and English archives of ``../shared/corpora``, ten posts
were drawn at random (``random.Random(13)`` over the archive's sorted source paths,
skipping posts other tests already check and drafts) and read by hand from the source
file. ``tests/data/people_checked/<archive>.json`` holds, for each post, its title, the
people a reader sees in a role (speaker, reporter, host, participant: people merely
mentioned, book authors, photo credits are not in it) and every external http(s) link a
reader of the published page can follow. Conventions the hand check follows:

* a person once per post, in the fullest form the post gives (``Vlad`` + ``Vlad
  Goloshuk`` -> ``Vlad Goloshuk``), honorifics and ranks left out (``Dr.``, ``Lt Col``);
* BayPiggies meetings are read with ``authors_are_speakers = ["meetings/*"]``, as the
  project's own config does;
* links inside reST ``.. raw:: html`` blocks are not links (raw HTML passthrough is off
  for untrusted input, see the README), links inside raw HTML in Markdown are; ``mailto:``
  and site-relative links are none without a site URL; a bare URL in Markdown is a link
  (Hugo's goldmark linkifies them).

The extractor runs on the real files (skipped when ``../shared`` is absent). Over each
archive: people recall >= 0.85 with precision >= 0.95 (a person counts with its role),
links recall and precision >= 0.97, titles exact.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.model import Post
from barcamp_search.read.extract import read_file

from .conftest import CORPORA, FR_EN_ARCHIVES

DATA = Path(__file__).parent / "data" / "people_checked"
ARCHIVES = FR_EN_ARCHIVES
MAX_BYTES = 8 << 20


def options(archive: str) -> ArchiveOptions:
    speakers: tuple[str, ...] | bool = ("meetings/*",) if archive == "baypiggies" else False
    return ArchiveOptions(archive, authors_are_speakers=speakers)


def expected(archive: str) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((DATA / f"{archive}.json").read_text("utf-8"))
    return data


def extracted(corpora: Path, archive: str, source: str) -> Post:
    return read_file(corpora / archive / source, source, options(archive), MAX_BYTES)


def test_ten_posts_of_each_archive_are_checked() -> None:
    for archive in ARCHIVES:
        assert len(expected(archive)) >= 10, archive


class Score:
    def __init__(self) -> None:
        self.found = Counter[str]()
        self.correct = Counter[str]()
        self.wanted = Counter[str]()
        self.misses: list[str] = []

    def add(self, kind: str, got: set[Any], want: set[Any], where: str) -> None:
        self.found[kind] += len(got)
        self.wanted[kind] += len(want)
        self.correct[kind] += len(got & want)
        self.misses += [f"{where}: missing {kind} {x}" for x in sorted(want - got, key=str)]
        self.misses += [f"{where}: wrong {kind} {x}" for x in sorted(got - want, key=str)]

    def recall(self, kind: str) -> float:
        return self.correct[kind] / self.wanted[kind] if self.wanted[kind] else 1.0

    def precision(self, kind: str) -> float:
        return self.correct[kind] / self.found[kind] if self.found[kind] else 1.0


def score_archive(corpora: Path, archive: str) -> tuple[Score, list[str]]:
    score, titles = Score(), []
    for source, want in expected(archive).items():
        post = extracted(corpora, archive, source)
        people = {(p.name, p.role) for p in post.people}
        score.add("people", people, {(n, r) for n, r in want["people"].items()}, source)
        score.add("links", {link.url for link in post.links}, set(want["links"]), source)
        if post.title != want["title"]:
            titles.append(f"{source}: title {post.title!r} != {want['title']!r}")
    return score, titles


@pytest.mark.parametrize("archive", ARCHIVES)
def test_people_links_and_titles_read_by_hand(corpora: Path, archive: str) -> None:
    score, titles = score_archive(corpora, archive)
    print(
        f"\n{archive}: people recall {score.recall('people'):.2f} "
        f"({score.correct['people']}/{score.wanted['people']}), precision "
        f"{score.precision('people'):.2f} ({score.correct['people']}/{score.found['people']}); "
        f"links recall {score.recall('links'):.3f} precision {score.precision('links'):.3f}"
    )
    print("\n".join(score.misses))
    assert titles == []
    assert score.recall("people") >= 0.85, score.misses
    assert score.precision("people") >= 0.95, score.misses
    assert score.recall("links") >= 0.97, score.misses
    assert score.precision("links") >= 0.97, score.misses


# --- one entry per person in an index of the seven archives ------------------------------


@pytest.fixture(scope="module")
def people_index(tmp_path_factory: pytest.TempPathFactory) -> Any:

    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    from barcamp_search.indexer.build import index_archives
    from barcamp_search.search.engine import SearchIndex

    root = tmp_path_factory.mktemp("people") / "index"
    index_archives(root, [Archive(CORPORA / a, options(a)) for a in ARCHIVES], workers=1)
    with SearchIndex(root) as engine:
        yield engine.state().tables


def test_one_speaker_entry_per_person(people_index: Any) -> None:
    speakers = {name for values in people_index.values("speaker") for name in values}
    # the spellings of one Chennaipy speaker the speakers page used to list four times
    assert {"Vijay Kumar", "Vijay Kumar B", "Vijayakumar", "Vijaykumar"} & speakers == {
        "Vijay Kumar"
    }
    assert set(people_index.variants["Vijay Kumar"]) >= {"Vijay Kumar", "Vijay Kumar B"}
    assert "Guido van Rossum" in speakers and "Guido Van Rossum" not in speakers
    # never merged: two speakers sharing a first name, or a first name and a full name
    assert {"Ashok Kumar", "Ashok Govindarajan", "Praveen Kumar", "Praveen"} <= speakers
    # a rank is no part of a name
    assert "CR Sundar" in speakers and not any(s.startswith("Lt ") for s in speakers)


def test_no_author_is_a_date(people_index: Any) -> None:
    import re

    authors = {name for values in people_index.values("author") for name in values}
    assert "Tony Cappellini" in authors and "Emile van Sebille" in authors
    date_like = re.compile(
        r"(?i)\b(?:\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*\d{4}|"
        r"\breviewed\b|^\d"
    )
    assert [a for a in authors if date_like.search(a)] == []
    assert not {"baypiggie_member", "Admin", "Québec-Python"} & authors


def test_talks_nested_under_one_talk_keep_their_own_speakers(corpora: Path) -> None:
    # Chennaipy's January 2015 minutes put six talks (###) under the first one (##): each
    # was credited to the first speaker too.
    post = extracted(corpora, "chennaipy", "meetups/mom/2015/2015-01-mom.md")
    speakers = {s.title: s.speakers for s in post.sections}
    assert speakers["Image Processing"] == ("Akshia Kumar",)
    assert speakers["Hangman: Design and Implementation"] == ("Vijay Kumar",)
    assert speakers["Exception handling in Python"] == ("Amritanshu Prasad",)
    assert sum("Akshia Kumar" in names for names in speakers.values()) == 1
