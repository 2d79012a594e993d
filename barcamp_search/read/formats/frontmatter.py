"""Metadata headers of Markdown posts (part of the "read" stage).

Input: the decoded text of a Markdown file. Output: ``(fields, body, offset,
warnings)``: the metadata with lower-cased keys, the text after the header,
the number of source lines the header used (to number body lines), and
:class:`~barcamp_search.model.ReadWarning` for anything dropped.

Three syntaxes, tried in this order:

* YAML front matter between ``---`` lines at the very top (Hugo/Jekyll);
* TOML front matter between ``+++`` lines (Hugo);
* Pelican ``Key: value`` lines up to the first blank line (Python-Markdown's
  ``meta`` extension, as Pelican uses it).

Value rules: strings as written (stripped); lists become ``tuple[str, ...]``;
dates and times become ISO strings; booleans ``"true"``/``"false"``; numbers
``str``; null, empty values and nested maps are left out.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from typing import Any

import yaml

from barcamp_search.model import ReadWarning

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_YAML_OPEN = re.compile(r"---[ \t]*\n")
_YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_TOML_OPEN = re.compile(r"\+\+\+[ \t]*\n")
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)

# Python-Markdown's meta extension: META_RE and META_MORE_RE.
_PELICAN_FIRST = re.compile(r"[A-Za-z][A-Za-z0-9_-]*:\s")
_PELICAN_KEY = re.compile(r"[ ]{0,3}([A-Za-z0-9_-]+):\s*(.*)")
_PELICAN_MORE = re.compile(r"(?:[ ]{4,}|\t)\s*(.*)")
# Pelican renders these as one string; a multi-line value of any other key is a list.
_JOIN_LINES = {"summary": "\n", "title": " "}

Header = tuple[dict[str, Any], str, int, list[ReadWarning]]


def split_header(text: str) -> Header:
    """Split ``text`` into metadata fields and body (see the module docstring)."""
    if text.startswith("---") and _YAML_OPEN.match(text):
        return _fenced(text, _YAML_OPEN, _YAML_CLOSE, "YAML", _load_yaml)
    if text.startswith("+++") and _TOML_OPEN.match(text):
        return _fenced(text, _TOML_OPEN, _TOML_CLOSE, "TOML", tomllib.loads)
    if _PELICAN_FIRST.match(text):
        return _pelican(text)
    return {}, text, 0, []


def _load_yaml(source: str) -> Any:
    return yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


def _fenced(
    text: str, opener: re.Pattern[str], closer: re.Pattern[str], kind: str, load: Any
) -> Header:
    start = opener.match(text)
    assert start is not None
    end = closer.search(text, start.end())
    if end is None:
        warning = ReadWarning(1, f"{kind} front matter is not closed; read as body text")
        return {}, text, 0, [warning]
    body_start = end.end() + 1 if text.startswith("\n", end.end()) else end.end()
    offset = text.count("\n", 0, body_start)
    body = text[body_start:]
    try:
        data = load(text[start.end() : end.start()])
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure (incl. too deep) only costs the metadata
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        return {}, body, offset, [ReadWarning(1, f"invalid {kind} front matter ignored: {reason}")]
    if data is None:
        return {}, body, offset, []
    if not isinstance(data, dict):
        return {}, body, offset, [ReadWarning(1, f"{kind} front matter is not a mapping; ignored")]
    fields: dict[str, Any] = {}
    warnings: list[ReadWarning] = []
    for key, value in data.items():
        if key is None:
            continue
        name = str(key).strip().lower()
        converted = _convert(value)
        if not name or converted is None:
            continue
        if name in fields:
            warnings.append(ReadWarning(1, f"metadata key {name!r} given twice; first value kept"))
            continue
        fields[name] = converted
    return fields, body, offset, warnings


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return None  # maps, bytes, sets...: not a metadata value we use


def _convert(value: Any) -> str | tuple[str, ...] | None:
    if isinstance(value, (list, tuple)):
        items = tuple(s for s in (_scalar(v) for v in value) if s is not None)
        return items or None
    return _scalar(value)


def _pelican(text: str) -> Header:
    values: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    warnings: list[ReadWarning] = []
    key: str | None = None
    pos = 0
    number = 0
    while pos < len(text):
        eol = text.find("\n", pos)
        line_end = len(text) if eol == -1 else eol
        line = text[pos:line_end]
        next_pos = line_end + 1
        number += 1
        if not line.strip():
            pos = next_pos
            break
        match = _PELICAN_KEY.fullmatch(line)
        if match:
            key = match.group(1).lower()
            if key in values:
                message = f"metadata key {key!r} given twice; first value kept"
                warnings.append(ReadWarning(number, message))
                key = None
            else:
                values[key] = [match.group(2).strip()]
                lines[key] = number
        else:
            more = _PELICAN_MORE.fullmatch(line)
            if more is None:
                break  # not a header line: the body starts here
            if key is not None:
                values[key].append(more.group(1).strip())
        pos = next_pos
    pos = min(pos, len(text))
    fields: dict[str, Any] = {}
    for name, parts in values.items():
        kept = [p for p in parts if p]
        if not kept:
            continue  # Pelican: an empty ``Tags:`` gives no key at all
        if len(kept) == 1:
            fields[name] = kept[0]
        elif name in _JOIN_LINES:
            fields[name] = _JOIN_LINES[name].join(kept)
        else:
            fields[name] = tuple(kept)
    return fields, text[pos:], text.count("\n", 0, pos), warnings
