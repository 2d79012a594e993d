"""Exceptions of barcamp-search. The core raises these; the CLI and the web app
translate them (exit status and message, or an HTTP error)."""

from __future__ import annotations


class BarcampSearchError(Exception):
    """Base class: a problem the user can act on, with a message that says how."""

    exit_code = 1


class ExtractError(BarcampSearchError):
    """One source file could not be read; the run goes on without it."""

    def __init__(
        self, path: str, message: str, line: int | None = None, transient: bool = False
    ) -> None:
        self.path = path
        self.line = line
        self.reason = message
        self.transient = transient  # not the file's fault (its parser was killed): retry it
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class ArchiveMissing(BarcampSearchError):
    """A path given to extract or index does not exist."""

    exit_code = 2


class ConfigError(BarcampSearchError):
    exit_code = 2


class IndexMissing(BarcampSearchError):
    def __init__(self, root: object) -> None:
        super().__init__(f"No index in {root}/. Build it with: barcamp-search index PATH")


class SchemaMismatch(BarcampSearchError):
    exit_code = 65  # EX_DATAERR

    def __init__(self, root: object, found: object, needed: int) -> None:
        super().__init__(
            f"{root}/ was built with schema {found}, this version needs {needed}. "
            "Run: barcamp-search index --rebuild"
        )


class IndexLocked(BarcampSearchError):
    exit_code = 75  # EX_TEMPFAIL


class IndexUnwritable(BarcampSearchError):
    exit_code = 74  # EX_IOERR


class QueryError(BarcampSearchError):
    """A query or a search parameter the user must change."""


class StrictFailure(BarcampSearchError):
    """--strict: warnings or failed files make the run fail without committing."""


class ChildDied(BarcampSearchError):
    """A process the run needs (a sub-writer) was killed: the run stops, nothing is
    committed, the live index stays as it was."""

    exit_code = 70  # EX_SOFTWARE

    def __init__(self, what: str, pid: int | None, code: int) -> None:
        how = f"killed by {_signal_name(-code)}" if code < 0 else f"exited with status {code}"
        super().__init__(
            f"the {what} process (PID {pid}) was {how}; the run stopped and the index is "
            "unchanged. Run barcamp-search index again (check memory if the OOM killer did it)."
        )


class Interrupted(BarcampSearchError):
    """SIGTERM or SIGINT stopped the run: nothing was committed."""

    def __init__(self, signum: int) -> None:
        self.exit_code = 128 + signum
        super().__init__(
            f"{_signal_name(signum)}: the indexing run was stopped; the index keeps "
            "its last complete state"
        )


def _signal_name(signum: int) -> str:
    import signal

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
