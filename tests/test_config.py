"""Settings: precedence flag > environment > file > default, paths relative to the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from barcamp_search.config import SETTINGS, Settings, load_settings
from barcamp_search.errors import ConfigError

from .conftest import ROOT


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, environ={})
    assert settings.index == Path("index") and settings.port == 5000
    assert settings.source_of("index") == "default"


def test_precedence(tmp_path):
    config = tmp_path / "conf.toml"
    config.write_text('index = "from-file"\nport = 7000\nper_page = 20\n')
    settings = load_settings(
        {"port": 9000, "index": None},
        config_path=config,
        environ={"BARCAMP_SEARCH_PER_PAGE": "30", "BARCAMP_SEARCH_PORT": "8000"},
    )
    assert settings.port == 9000 and settings.source_of("port") == "flag"
    assert settings.per_page == 30 and settings.source_of("per_page").startswith("env")
    assert settings.index == tmp_path / "from-file"  # relative to the file's folder
    assert settings.source_of("index").startswith("file")


def test_config_from_environment(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("workers = 3\n")
    settings = load_settings({}, environ={"BARCAMP_SEARCH_CONFIG": str(config)})
    assert settings.workers == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("port = 'abc'\n", "not a valid int"),
        ("nope = 1\n", "unknown setting(s) nope"),
        ("[[archives]]\nname = 'x'\n", "needs at least a path"),
        ("[[archives]]\npath = 'x'\ncolour = 1\n", "unknown archive key(s) colour"),
        ("index = [\n", "invalid TOML"),
    ],
)
def test_bad_config_files(tmp_path, text, message):
    config = tmp_path / "c.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings({}, environ={}, config_path=config)


def test_settings_table_matches_dataclass_and_readme():
    names = [name for name, *_ in SETTINGS]
    assert all(hasattr(Settings(), name) for name in names)
    readme = (ROOT / "README.md").read_text()
    missing = [n for n in names if f"BARCAMP_SEARCH_{n.upper()}" not in readme]
    assert missing == []


def test_synonyms_table_from_the_config_file(tmp_path):
    from barcamp_search.search.engine import check_synonyms
    from barcamp_search.web.app import create_app

    good = tmp_path / "good.toml"
    good.write_text(
        '[synonyms]\ngroups = [["pylons", "pyramid"]]\n[synonyms.one_way]\nmtl = ["montréal"]\n'
    )
    settings = load_settings(config_path=good, environ={})
    assert check_synonyms(settings.synonyms).find(["pylons"])[0].alternatives == (("pyramid",),)
    bad = tmp_path / "bad.toml"
    bad.write_text("[synonyms]\ngroups = [[1]]\n")
    with pytest.raises(ConfigError, match=r"synonyms: groups\[0\]"):
        create_app(load_settings(config_path=bad, environ={}))
    not_a_table = tmp_path / "flat.toml"
    not_a_table.write_text('synonyms = "rpi"\n')
    with pytest.raises(ConfigError, match="must be a table"):
        load_settings(config_path=not_a_table, environ={})
