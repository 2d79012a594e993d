"""Shared fixtures: the sample archive, the real corpora (skipped when absent)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives
from barcamp_search.search import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "archive"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
# The French/English archives of ../shared/corpora (MANIFEST.md).
FR_EN_ARCHIVES = (
    "python-nantes",
    "mtlpy",
    "baypiggies",
    "afpyro",
    "chennaipy",
    "pythonpune",
    "quebecpython",
)


def real_archives(corpora: Path) -> list[Archive]:
    """The seven French/English archives with the options their relevance tests assume."""
    return [
        Archive(
            corpora / "python-nantes",
            ArchiveOptions("python-nantes", lang="fr", site_url="http://nantes.afpy.org"),
        ),
        Archive(corpora / "mtlpy", ArchiveOptions("mtlpy")),
        Archive(
            corpora / "baypiggies",
            ArchiveOptions("baypiggies", authors_are_speakers=("meetings/*",)),
        ),
        Archive(corpora / "afpyro", ArchiveOptions("afpyro", lang="fr")),
        Archive(corpora / "chennaipy", ArchiveOptions("chennaipy", lang="en")),
        Archive(corpora / "pythonpune", ArchiveOptions("pythonpune", lang="en")),
        Archive(corpora / "quebecpython", ArchiveOptions("quebecpython", lang="fr")),
    ]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """No BARCAMP_SEARCH_* variable of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("BARCAMP_SEARCH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    return CORPORA


@pytest.fixture
def hostile(corpora) -> Path:
    return corpora / "hostile"


@pytest.fixture
def sample_dir(tmp_path) -> Path:
    """A private copy of the bundled sample archive."""
    target = tmp_path / "archive"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """One index of the seven archives for the whole session, only read (the relevance and
    forgiving tests); skipped when ../shared/corpora is absent."""
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not beside the checkout")
    index_dir = tmp_path_factory.mktemp("real-archives") / "index"
    report = index_archives(index_dir, real_archives(CORPORA))
    assert not report.failed, report.failed
    with SearchIndex(index_dir) as engine:
        yield engine
