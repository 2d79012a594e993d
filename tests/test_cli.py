"""The command line: in-process with click's runner, as a user runs it with stdout and
stderr on pipes; in a real subprocess where the process itself is the point (the
``python -m barcamp_search`` entry point, the imports of a fresh interpreter)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner, Result

from barcamp_search.cli import cli as cli_group

from .conftest import ROOT, SAMPLE

_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)


def cli(*args, cwd=ROOT, env=None) -> Result:
    """``barcamp-search ARGS`` in this process, in ``cwd``, with no BARCAMP_SEARCH_*
    variable but ``env``. An exception escaping the command (a traceback, in a real
    process) fails the test. What the command changes in the process is put back: the
    logging of the root logger (emptied first, so the group's ``logging.basicConfig``
    writes to this run's stderr at this run's level), its signal handlers, the folder.
    Only this process's output is captured: what a forked parse worker logs is not (a test
    of that runs ``run_module``)."""
    environment = {name: None for name in os.environ if name.startswith("BARCAMP_SEARCH_")}
    environment.update(env or {})
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    handlers_before = {number: signal.getsignal(number) for number in _SIGNALS}
    root.handlers.clear()
    try:
        with contextlib.chdir(cwd):
            return CliRunner().invoke(
                cli_group,
                [str(arg) for arg in args],
                env=environment,
                prog_name="barcamp-search",
                catch_exceptions=False,
            )
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for number, handler in handlers_before.items():
            signal.signal(number, handler)


def run_module(*args, cwd=ROOT):
    """``python -m barcamp_search ARGS`` in a real subprocess."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BARCAMP_SEARCH_")}
    return subprocess.run(
        [sys.executable, "-m", "barcamp_search", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=300,
    )


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "index"
    result = cli("index", SAMPLE, "--archive", "demo", "--index", path, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["added"], report["failed"]) == (11, [])
    assert "indexed 11 new, 0 changed, 0 removed, 0 unchanged, 0 failed" in result.stderr
    return path


def test_search_json_shape(index_dir):
    result = cli("search", "pyramid", "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "results",
        "facets",
        "suggestion",
        "corrected",
    }
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("pyramid", 2, 1, 10)
    first = data["results"][0]
    assert first["title_html"].count("<mark>") >= 1  # the title, its matched words marked
    assert set(first) == {
        "title_html",
        "archive",
        "source",
        "slug",
        "url",
        "title",
        "date",
        "tags",
        "authors",
        "speakers",
        "score",
        "sections",
    }
    assert first["sections"][0]["anchor"] == "pyramid-le-framework-qui-monte"
    assert set(first["sections"][0]) == {"anchor", "title", "url", "snippet"}
    assert set(data["facets"]) == {"tag", "author", "speaker", "year", "archive", "language"}
    assert data["facets"]["archive"] == [{"value": "demo", "count": 2, "selected": False}]


def test_search_text_output(index_dir):
    result = cli("search", "micro-python", "--index", index_dir, "--tag", "micropython")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith('1 posts for "micro-python"')
    assert "Compte-rendu : micro-python et capteurs" in result.stdout
    assert "§ Atelier capteurs  #atelier-capteurs" in result.stdout
    assert "\x1b[" not in result.stdout  # no terminal escapes into a pipe
    assert "micropython (1)" in result.stdout.split("tag: ")[1]


def test_search_filters_sort_and_paging(index_dir):
    result = cli(
        "search",
        "--index",
        index_dir,
        "--json",
        "--sort",
        "oldest",
        "--per-page",
        "2",
        "--page",
        "2",
        "--lang",
        "fr",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
    )
    data = json.loads(result.stdout)
    assert data["total"] == 5
    assert [r["date"][:10] for r in data["results"]] == ["2024-05-02", "2024-06-25"]


def test_facets_stats_show_config(index_dir):
    result = cli("facets", "speaker", "--index", index_dir)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split(None, 1) == ["3", "Kévin Morel"]
    stats = json.loads(cli("stats", "--index", index_dir, "--json").stdout)
    assert (stats["posts"], stats["archives"]) == (11, {"demo": 11})
    assert stats["status"]["added"] == 11 and stats["size_bytes"] > 0
    text = cli("stats", "--index", index_dir).stdout
    assert "posts: 11" in text and "last run:" in text
    shown = json.loads(
        cli("show", "demo", "autumn-sprint-report", "--index", index_dir, "--json").stdout
    )
    assert shown["title"] in (
        "Autumn sprint report: packaging and documentation",
        "Compte-rendu du sprint d'automne : packaging et documentation",
    )
    assert [s["anchor"] for s in shown["sections"]] == ["packaging", "documentation"]
    missing = cli("show", "demo", "nope", "--index", index_dir)
    assert missing.exit_code == 1 and "No post 'nope'" in missing.stderr
    config = cli("config", env={"BARCAMP_SEARCH_INDEX": str(index_dir)})
    assert f"index = {index_dir}   (env BARCAMP_SEARCH_INDEX" in config.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("search", "python", "--index", "{missing}"),
            1,
            "No index in {missing}/. Build it with: barcamp-search index PATH",
        ),
        (("search", "*thon", "--index", "{index}"), 1, "wildcard needs at least"),
        (("search", "x", "--per-page", "500", "--index", "{index}"), 1, "per_page must be between"),
        (("search", "x", "--from", "hier", "--index", "{index}"), 1, "must be a date YYYY-MM-DD"),
        (("index", "{missing}", "--index", "{index}"), 2, "No such archive folder"),
        (("facets", "colour", "--index", "{index}"), 2, "Invalid value"),
    ],
)
def test_errors_are_messages_not_tracebacks(index_dir, tmp_path, args, code, message):
    values = {"missing": tmp_path / "missing", "index": index_dir}
    result = cli(*[a.format(**values) for a in args])
    assert result.exit_code == code
    assert message.format(**values) in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_has_help():
    for command in ("extract", "index", "search", "facets", "stats", "show", "serve", "config"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout, command


def test_python_m_entry_point():
    """The real entry point, in a real process: ``python -m barcamp_search``."""
    result = run_module("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: barcamp-search [OPTIONS] COMMAND [ARGS]...")
    assert "Example:" in result.stdout
    for command in ("extract", "index", "search", "facets", "stats", "show", "serve", "config"):
        assert f"  {command} " in result.stdout, command
    missing = run_module("show", "demo", "nope", "--index", ROOT / "no-such-index")
    assert missing.returncode == 1 and "No index in" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_config_file_archives(tmp_path):
    (tmp_path / "barcamp-search.toml").write_text(
        f'index = "ix"\n\n[[archives]]\nname = "demo"\npath = "{SAMPLE}"\nlang = "fr"\n'
        'site_url = "https://example.org"\n'
    )
    result = cli("index", "--json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["archives"] == ["demo"]
    assert (tmp_path / "ix" / "CURRENT").exists()
    data = json.loads(cli("search", "sprint", "--json", "--lang", "en", cwd=tmp_path).stdout)
    # the archive's language is fr: the English post is the translation, as in Pelican
    assert data["results"][0]["url"] == "https://example.org/autumn-sprint-report-en.html"
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 3\n")
    result = cli("--config", bad, "stats")
    assert result.exit_code == 2 and "unknown setting(s) colour" in result.stderr
