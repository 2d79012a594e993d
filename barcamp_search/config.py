"""Settings: declared once, resolved once (flag > environment > config file > default).

Every setting is a field of ``Settings``, with its type, default and help;
``SETTINGS`` is the table of them (name, type, default, help), read from the
dataclass. The environment variable of a setting is ``BARCAMP_SEARCH_<NAME>``. The config
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
    generator = "pelican"               # or hugo, jekyll, nikola, mkdocs, sphinx; else guessed

    [people.aliases]                    # "Spelling" = "Person name" (itself: kept apart)
    "Vijayakumar B" = "Vijay Kumar"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from barcamp_search.archive import GENERATORS, Archive, ArchiveOptions
from barcamp_search.errors import ConfigError

ENV_PREFIX = "BARCAMP_SEARCH_"
CONFIG_NAME = "barcamp-search.toml"

_T = TypeVar("_T")


def _setting(default: _T, help_: str) -> _T:
    """A field of ``Settings`` that is a setting: its default and its one-line help."""
    return field(default=default, metadata={"help": help_})


@dataclass(frozen=True)
class Settings:
    index: Path = _setting(Path("index"), "Index folder.")
    workers: int = _setting(0, "Parse processes for indexing (0: one per core).")
    lock_timeout: float = _setting(30.0, "Seconds a second indexing run waits for the lock.")
    parse_timeout: float = _setting(
        20.0, "Seconds one file may take to parse before it is skipped."
    )
    parse_memory_mb: int = _setting(2048, "Memory cap of a parse process, in MiB.")
    max_file_mb: int = _setting(8, "Larger source files are skipped unread, in MiB.")
    host: str = _setting("127.0.0.1", "Address the web server listens on.")
    port: int = _setting(5000, "Port the web server listens on.")
    web_workers: int = _setting(0, "Web server processes (0: one per core).")
    ui_lang: str = _setting("en", "Default interface language of the web page (en or fr).")
    per_page: int = _setting(10, "Results per page by default.")
    archives: tuple[Archive, ...] = ()
    # the [synonyms] table of the config file, as written (checked by the search stage)
    synonyms: Mapping[str, Any] | None = None
    # [people.aliases]: a spelling -> the person's name (itself: never grouped)
    people_aliases: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[tuple[str, str], ...] = ()  # (setting, where its value came from)

    def source_of(self, name: str) -> str:
        return dict(self.sources).get(name, "default")


def _settings_table() -> tuple[tuple[str, type, Any, str], ...]:
    kinds = get_type_hints(Settings)
    return tuple(
        (f.name, kinds[f.name], f.default, f.metadata["help"])
        for f in fields(Settings)
        if "help" in f.metadata
    )


# (name, type, default, help) of every setting, in the order of the fields of Settings
SETTINGS = _settings_table()


def default_workers() -> int:
    """One per core the process may use (the default of ``workers`` and ``web_workers``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


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


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
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
    synonyms = file_data.get("synonyms")
    if synonyms is not None and not isinstance(synonyms, dict):
        raise ConfigError(
            f"{path}: [synonyms] must be a table (groups = [...], [synonyms.one_way])"
        )
    return Settings(
        **values,
        archives=archives,
        synonyms=synonyms,
        people_aliases=_people_aliases(file_data.get("people"), path),
        sources=tuple(sources),
    )


def _people_aliases(table: Any, path: Path | None) -> dict[str, str]:
    """``[people.aliases]``: ``"Spelling" = "Person"`` pairs (strings only)."""
    if table is None:
        return {}
    aliases = table.get("aliases", {}) if isinstance(table, dict) else None
    unknown = sorted(set(table) - {"aliases"}) if isinstance(table, dict) else []
    if (
        unknown
        or not isinstance(aliases, dict)
        or not all(isinstance(v, str) and v.strip() for v in aliases.values())
    ):
        raise ConfigError(
            f'{path}: [people.aliases] must be a table of "Spelling" = "Person name" pairs'
            f"{' (unknown: ' + ', '.join(unknown) + ')' if unknown else ''}."
        )
    return {str(k): v for k, v in aliases.items()}


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Cannot read config file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    known = {name for name, *_ in SETTINGS} | {"archives", "synonyms", "people"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
        )
    return data


def _convert(name: str, kind: type, value: Any) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"Setting {name}: {value!r} is not a valid {kind.__name__}.") from error


def _archive(entry: Any, config_file: Path | None) -> Archive:
    archive_keys = {f.name for f in fields(ArchiveOptions)} | {"path"}
    if not isinstance(entry, dict) or "path" not in entry:
        raise ConfigError(f"{config_file}: each [[archives]] entry needs at least a path.")
    unknown = sorted(set(entry) - archive_keys)
    if unknown:
        raise ConfigError(f"{config_file}: unknown archive key(s) {', '.join(unknown)}.")
    folder = Path(entry["path"])
    if config_file is not None and not folder.is_absolute():
        folder = config_file.parent / folder
    speakers = entry.get("authors_are_speakers", False)
    generator = entry.get("generator")
    if generator is not None and generator not in GENERATORS:
        raise ConfigError(
            f"{config_file}: generator {generator!r} is not one of {', '.join(GENERATORS)}."
        )
    options = ArchiveOptions(
        name=str(entry.get("name") or folder.resolve().name),
        site_url=entry.get("site_url"),
        url_pattern=entry.get("url_pattern"),
        lang=entry.get("lang"),
        authors_are_speakers=tuple(speakers) if isinstance(speakers, list) else bool(speakers),
        include=tuple(entry.get("include", ())),
        exclude=tuple(entry.get("exclude", ())),
        generator=generator,
    )
    return Archive(folder, options)


def describe() -> list[tuple[str, str, str]]:
    """(name, environment variable, help) of every setting, for docs and ``config``."""
    return [(name, ENV_PREFIX + name.upper(), help_) for name, _k, _d, help_ in SETTINGS]
