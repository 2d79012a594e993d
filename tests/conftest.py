"""Shared fixtures: the sample archive, the real corpora (skipped when absent)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "archive"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


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
