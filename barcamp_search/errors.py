"""Exceptions of barcamp-search. The core raises these; the CLI and the web app
translate them (exit status and message, or an HTTP error)."""

from __future__ import annotations


class BarcampSearchError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""

    exit_code = 1


class ExtractError(BarcampSearchError):
    """One source file could not be read; the run goes on without it."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ArchiveMissing(BarcampSearchError):
    """A path given to extract or index does not exist."""

    exit_code = 2


class ConfigError(BarcampSearchError):
    exit_code = 2
