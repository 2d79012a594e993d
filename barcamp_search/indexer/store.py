"""Where the index lives on disk: generations, the writer lock, the run status.

Layout of an index folder (created private to its owner, 0700, because Whoosh
writes its table of contents with pickle: only its owner may write there; the
web app needs read access only)::

    index/
      CURRENT          name of the live generation, replaced atomically
      gen-000001/      a Whoosh index (+ barcamp-search.json: schema version)
      lock             held (flock) by the one writer; released by the kernel on crash
      status.json      report of the last indexing run

Incremental runs commit into the live generation (a Whoosh commit is atomic:
readers see the old or the new table of contents). ``--rebuild`` writes a new
generation beside it and switches ``CURRENT`` with one ``os.replace``, so a
server never sees a half-built index. Superseded generations are removed by
later runs once no reader can still be starting on them.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError

from barcamp_search.errors import IndexLocked, IndexMissing, IndexUnwritable, SchemaMismatch
from barcamp_search.indexer.schema import SCHEMA_VERSION, build_schema
from barcamp_search.indexer.whoosh_private import live_segments

logger = logging.getLogger(__name__)

CURRENT = "CURRENT"
META = "barcamp-search.json"
STATUS = "status.json"
KEEP_SUPERSEDED_SECONDS = 60.0


def live_generation(root: Path) -> Path | None:
    """The folder of the live generation, or None when there is no index."""
    try:
        name = (root / CURRENT).read_text(encoding="ascii").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise IndexUnwritable(f"{root}/: cannot read the index: {error.strerror}") from error
    path = root / name
    return path if name.startswith("gen-") and path.is_dir() else None


def open_index(root: Path) -> Any:
    """Open the live generation for reading; checks the schema version."""
    root = Path(root)
    for _attempt in range(3):  # a rebuild may switch generations under us
        generation = live_generation(root)
        if generation is None:
            raise IndexMissing(root)
        check_schema(root, generation)
        try:
            return whoosh_index.open_dir(str(generation))
        except (EmptyIndexError, FileNotFoundError):
            time.sleep(0.05)
    raise IndexMissing(root)


def check_schema(root: Path, generation: Path) -> None:
    try:
        found = json.loads((generation / META).read_text(encoding="utf-8")).get("schema")
    except (OSError, ValueError):
        found = "unknown"
    if found != SCHEMA_VERSION:
        raise SchemaMismatch(root, found, SCHEMA_VERSION)


def ensure_root(root: Path) -> None:
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise IndexUnwritable(f"{root}/ is not writable: the index cannot be updated")
    except OSError as error:
        raise IndexUnwritable(
            f"{root}/: cannot create the index folder: {error.strerror or error}"
        ) from error


def create_generation(root: Path) -> Path:
    """A new, empty Whoosh index in the next ``gen-NNNNNN`` folder (not yet live)."""
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    path = root / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir(mode=0o700)
    whoosh_index.create_in(str(path), build_schema())
    write_json(path / META, {"schema": SCHEMA_VERSION})
    return path


def make_live(root: Path, generation: Path) -> None:
    """Switch CURRENT to ``generation`` atomically; mark the previous one superseded."""
    previous = live_generation(root)
    write_text(root / CURRENT, generation.name + "\n")
    if previous is not None and previous != generation:
        (previous / "SUPERSEDED").touch()


def remove_stale(root: Path) -> None:
    """Delete half-built and long-superseded generations (never the live one)."""
    live = live_generation(root)
    now = time.time()
    for path in root.glob("gen-*"):
        if live is not None and path == live:
            continue
        marker = path / "SUPERSEDED"
        if marker.exists() and now - marker.stat().st_mtime < KEEP_SUPERSEDED_SECONDS:
            continue
        shutil.rmtree(path, ignore_errors=True)
    for leftover in root.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def clean_orphans(generation: Path) -> None:
    """Delete segment files no table of contents refers to: what a killed or failed
    writer left behind (only called under the writer lock)."""
    ix = whoosh_index.open_dir(str(generation))
    try:
        whoosh_index.clean_files(
            ix.storage, ix.indexname, ix.latest_generation(), live_segments(ix)
        )
    finally:
        ix.close()
    for leftover in generation.glob("*.tmp"):  # the writer's pool folder (MAIN.tmp)
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write a small file atomically: temp file, fsync, rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_status(root: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(root) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextmanager
def writer_lock(root: Path, timeout: float) -> Iterator[int]:
    """Hold the one-writer lock, waiting up to ``timeout`` seconds for it; yields its
    descriptor (children must not keep it: see ``children.run_guard``)."""
    path = root / "lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"{root}/ is being updated by another barcamp-search index run; "
                        f"gave up after {timeout:g} s. Try again later or raise --lock-timeout."
                    ) from None
                time.sleep(0.1)
        yield handle.fileno()
    finally:
        handle.close()
