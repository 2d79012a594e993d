"""The python-nantes archive against what Pelican itself publishes.

Oracle: ``tests/data/python_nantes_pelican.json``, made by running Pelican
4.12.0 (docutils 0.23, default theme, no plugins, SITEURL
http://nantes.afpy.org, ARTICLE_URL ``{slug}.html``, PAGE_URL
``pages/{slug}.html``) on a copy of the corpus and reading Pelican's own
content objects and generated HTML. Its ``_about`` entry has the details.
It holds derived metadata only (slugs, URLs, section ids, link URLs, tags).

Each test runs once per source file of the oracle, one test per field kind,
so a failure names the file and the field. The CLI is run once per module:

    python -m barcamp_search extract CORPUS --archive python-nantes \
        --site-url http://nantes.afpy.org --json

and its stdout is read as JSON Lines, one post per line.

``sources/articles/007-cr-mettup-2014-09-30_micro-python.rst`` uses the
``youtube`` directive of a Pelican plugin: Pelican without plugins refuses the
file ("Unknown directive type"), so its oracle entry (``published: false``)
was made with a stand-in directive. Upstream published it with the plugin, and
its slug, section ids and links match that published page, so it is checked
like the others.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "python-nantes"
ORACLE_PATH = Path(__file__).parent / "data" / "python_nantes_pelican.json"
SITE_URL = "http://nantes.afpy.org"
LINK_SCHEMES = ("http:", "https:", "mailto:")
CLI_TIMEOUT = 600  # seconds

ORACLE: dict[str, dict[str, Any]] = {
    key: value
    for key, value in json.loads(ORACLE_PATH.read_text(encoding="utf-8")).items()
    if not key.startswith("_")
}
SOURCES = sorted(ORACLE)


class CliRun:
    """The outcome of one CLI run; never raises, so each test can fail with a message."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.posts: dict[str, dict[str, Any]] = {}
        command = [
            sys.executable,
            "-m",
            "barcamp_search",
            "extract",
            str(CORPUS),
            "--archive",
            "python-nantes",
            "--site-url",
            SITE_URL,
            "--json",
        ]
        # like tests/conftest.py does for each test: no BARCAMP_SEARCH_* setting
        # of the developer's shell reaches the CLI
        env = {k: v for k, v in os.environ.items() if not k.startswith("BARCAMP_SEARCH_")}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env["PYTHONIOENCODING"] = "utf-8"
        try:
            proc = subprocess.run(
                command,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=CLI_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            self.error = f"`{' '.join(command[1:])}` did not finish within {CLI_TIMEOUT} s"
            return
        except OSError as exc:
            self.error = f"could not start `{' '.join(command)}`: {exc}"
            return
        if proc.returncode != 0:
            self.error = (
                f"`{' '.join(command[1:])}` exited with status {proc.returncode}; "
                f"stderr (last lines):\n{_tail(proc.stderr)}"
            )
            return
        for number, line in enumerate(proc.stdout.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                post = json.loads(line)
            except json.JSONDecodeError as exc:
                self.error = f"stdout line {number} is not JSON ({exc}): {line[:200]!r}"
                return
            if not isinstance(post, dict) or "source" not in post:
                self.error = (
                    f"stdout line {number} is not an object with a 'source' key: {line[:200]!r}"
                )
                return
            if post["source"] in self.posts:
                self.error = f"source {post['source']!r} is emitted twice (stdout line {number})"
                return
            self.posts[post["source"]] = post
        if not self.posts:
            self.error = f"the CLI printed no posts; stderr (last lines):\n{_tail(proc.stderr)}"

    def post(self, source: str) -> dict[str, Any]:
        if self.error:
            pytest.fail(f"python-nantes extraction failed: {self.error}", pytrace=False)
        if source not in self.posts:
            some = ", ".join(sorted(self.posts)[:3])
            pytest.fail(
                f"no post emitted for {source!r} ({len(self.posts)} posts emitted, e.g. {some})",
                pytrace=False,
            )
        return self.posts[source]


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty)"


def _field(post: dict[str, Any], key: str, source: str) -> Any:
    if key not in post:
        pytest.fail(f"{source}: post has no {key!r} key (keys: {sorted(post)})", pytrace=False)
    return post[key]


@pytest.fixture(scope="module")
def cli() -> CliRun:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found: {CORPUS}")
    return CliRun()


@pytest.mark.parametrize("source", SOURCES)
def test_slug(cli: CliRun, source: str) -> None:
    post = cli.post(source)
    assert _field(post, "slug", source) == ORACLE[source]["slug"], f"{source}: slug"


@pytest.mark.parametrize("source", SOURCES)
def test_url(cli: CliRun, source: str) -> None:
    post = cli.post(source)
    assert _field(post, "url", source) == ORACLE[source]["url"], f"{source}: url"


@pytest.mark.parametrize("source", SOURCES)
def test_section_anchors(cli: CliRun, source: str) -> None:
    # Every section, nested ones included, in document order: the ids of
    # Pelican's <div class="section"> elements (docutils' ids).
    post = cli.post(source)
    sections = _field(post, "sections", source)
    anchors = [section.get("anchor") for section in sections]
    expected = ORACLE[source]["anchors"]
    assert anchors == expected, (
        f"{source}: section anchors\n  got:      {anchors}\n  expected: {expected}"
    )


def _is_external(url: str) -> bool:
    return isinstance(url, str) and url.lower().startswith(LINK_SCHEMES)


@pytest.mark.parametrize("source", SOURCES)
def test_external_links(cli: CliRun, source: str) -> None:
    # Our extractor disables `.. raw:: html` for safety, so links that only
    # exist inside raw HTML blocks (the oracle's `links_from_raw_html`) are
    # left out of the comparison on both sides. A URL that also occurs as a
    # normal reST link still counts. Compared as sets of URLs (http, https,
    # mailto; site-relative ones resolved against the site URL).
    entry = ORACLE[source]
    all_urls = Counter(url for url, _text in entry["links"])
    raw_urls = Counter(url for url, _text in entry["links_from_raw_html"])
    markup_urls = set(all_urls - raw_urls)
    raw_only = set(raw_urls) - markup_urls

    post = cli.post(source)
    links = _field(post, "links", source)
    got = {link.get("url") for link in links if _is_external(link.get("url"))} - raw_only

    missing = sorted(markup_urls - got)
    extra = sorted(got - markup_urls)
    assert not missing and not extra, (
        f"{source}: external link URLs differ\n  missing: {missing}\n  unexpected: {extra}"
    )


def _tag_key(tag: str) -> str:
    return unicodedata.normalize("NFC", tag).casefold()


@pytest.mark.parametrize("source", SOURCES)
def test_tags(cli: CliRun, source: str) -> None:
    # Our tags are lower-cased by design; Pelican keeps the spelling (`PEP8`).
    post = cli.post(source)
    got = [_tag_key(tag) for tag in _field(post, "tags", source)]
    expected = [_tag_key(tag) for tag in ORACLE[source]["tags"]]
    assert got == expected, (
        f"{source}: tags (case-insensitive, in order)\n  got:      {got}\n  expected: {expected}"
    )
