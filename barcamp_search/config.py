"""Settings: declared once, resolved once (flag > environment > config file > default).

``SETTINGS`` is the table of every setting (name, type, default, help); the
environment variable of a setting is ``BARCAMP_SEARCH_<NAME>``. The config
file is TOML, found by ``--config``, else ``BARCAMP_SEARCH_CONFIG``, else
``./barcamp-search.toml`` when present; relative paths in it resolve against
its folder. It may also list archives::

    index = "/var/lib/barcamp-search/index"

    [[archives]]
    name = "python-nantes"
    path = "archives/python-nantes/sources"
    site_url = "http://nantes.afpy.org"
    lang = "fr"
    url_pattern = "{slug}.html"
    authors_are_speakers = false        # or a list of globs: ["meetings/*"]
    include = ["articles/**"]
    exclude = ["drafts/*"]
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from barcamp_search.errors import ConfigError

if TYPE_CHECKING:  # imported lazily: a search needs neither the extractor nor docutils
    from barcamp_search.indexer.build import Archive

ENV_PREFIX = "BARCAMP_SEARCH_"
CONFIG_NAME = "barcamp-search.toml"

# (name, type, default, help)
SETTINGS: tuple[tuple[str, type, Any, str], ...] = (
    ("index", Path, Path("index"), "Index folder."),
    ("workers", int, 0, "Parse processes for indexing (0: one per core)."),
    ("lock_timeout", float, 30.0, "Seconds a second indexing run waits for the lock."),
    ("parse_timeout", float, 20.0, "Seconds one file may take to parse before it is skipped."),
    ("parse_memory_mb", int, 2048, "Memory cap of a parse process, in MiB."),
    ("max_file_mb", int, 8, "Larger source files are skipped unread, in MiB."),
    ("host", str, "127.0.0.1", "Address the web server listens on."),
    ("port", int, 5000, "Port the web server listens on."),
    ("web_workers", int, 0, "Web server processes (0: one per core)."),
    ("ui_lang", str, "en", "Default interface language of the web page (en or fr)."),
    ("per_page", int, 10, "Results per page by default."),
)


@dataclass(frozen=True)
class Settings:
    index: Path = Path("index")
    workers: int = 0
    lock_timeout: float = 30.0
    parse_timeout: float = 20.0
    parse_memory_mb: int = 2048
    max_file_mb: int = 8
    host: str = "127.0.0.1"
    port: int = 5000
    web_workers: int = 0
    ui_lang: str = "en"
    per_page: int = 10
    archives: tuple[Archive, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (setting, where its value came from)

    def source_of(self, name: str) -> str:
        return dict(self.sources).get(name, "default")


def find_config(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"Config file {explicit} does not exist.")
        return explicit
    if environ.get(ENV_PREFIX + "CONFIG"):
        path = Path(environ[ENV_PREFIX + "CONFIG"])
        if not path.is_file():
            raise ConfigError(f"Config file {path} (from {ENV_PREFIX}CONFIG) does not exist.")
        return path
    default = Path(CONFIG_NAME)
    return default if default.is_file() else None


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None,
                  config_path: Path | None = None) -> Settings:
    """Resolve every setting: ``overrides`` (given CLI flags) > environment > file > default."""
    environ = os.environ if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    path = find_config(config_path, environ)
    file_data = _read_config(path) if path else {}
    values: dict[str, Any] = {}
    sources: list[tuple[str, str]] = []
    for name, kind, default, _help in SETTINGS:
        env_name = ENV_PREFIX + name.upper()
        if name in overrides:
            value, source = overrides[name], "flag"
        elif environ.get(env_name):
            value, source = environ[env_name], f"env {env_name}"
        elif name in file_data:
            value, source = file_data[name], f"file {path}"
            if kind is Path:
                value = (path.parent / str(value)) if path else value
        else:
            value, source = default, "default"
        values[name] = _convert(name, kind, value)
        sources.append((name, source))
    archives = tuple(_archive(entry, path) for entry in file_data.get("archives", []))
    return Settings(**values, archives=archives, sources=tuple(sources))


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read config file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    known = {name for name, *_ in SETTINGS} | {"archives"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}. "
                          f"Known: {', '.join(sorted(known))}.")
    return data


def _convert(name: str, kind: type, value: Any) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"Setting {name}: {value!r} is not a valid {kind.__name__}.") from error


def _archive(entry: Any, path: Path | None) -> Archive:
    from barcamp_search.read.extract import ArchiveOptions
    from barcamp_search.indexer.build import Archive

    archive_keys = {f.name for f in fields(ArchiveOptions)} | {"path"}
    if not isinstance(entry, dict) or "path" not in entry:
        raise ConfigError(f"{path}: each [[archives]] entry needs at least a path.")
    unknown = sorted(set(entry) - archive_keys)
    if unknown:
        raise ConfigError(f"{path}: unknown archive key(s) {', '.join(unknown)}.")
    folder = Path(entry["path"])
    if path is not None and not folder.is_absolute():
        folder = path.parent / folder
    speakers = entry.get("authors_are_speakers", False)
    options = ArchiveOptions(
        name=str(entry.get("name") or folder.resolve().name),
        site_url=entry.get("site_url"), url_pattern=entry.get("url_pattern"),
        lang=entry.get("lang"),
        authors_are_speakers=tuple(speakers) if isinstance(speakers, list) else bool(speakers),
        include=tuple(entry.get("include", ())), exclude=tuple(entry.get("exclude", ())),
    )
    return Archive(folder, options)


def describe() -> list[tuple[str, str, str]]:
    """(name, environment variable, help) of every setting, for docs and ``config``."""
    return [(name, ENV_PREFIX + name.upper(), help_) for name, _k, _d, help_ in SETTINGS]
