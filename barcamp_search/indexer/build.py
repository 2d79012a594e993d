"""Indexing stage: archives on disk -> the Whoosh index, incrementally -> IndexReport.

A source whose size and mtime match the stamp stored in the index is not
read; one whose content hash matches is not re-extracted either. Changed
sources replace their documents, vanished ones are removed, new ones added, in
one commit. Drafts and unreadable new files get a ``stub`` document holding
their stamp, so an unchanged bad file is not parsed again at every run. A file
that was indexed and now fails to parse keeps its previous documents (a bad
edit never loses what was searchable) and is retried at the next run.

``rebuild=True`` (and the very first build) writes a fresh generation and
makes it live in one atomic switch (see ``store``). The index remembers each
archive's folder and options (``archives.json``), so a rebuild or a run with
no path re-reads every archive it knows.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import default_workers
from barcamp_search.errors import (
    ArchiveMissing,
    BarcampSearchError,
    ChildDied,
    ExtractError,
    IndexUnwritable,
    StrictFailure,
)
from barcamp_search.indexer import store, whoosh_private
from barcamp_search.indexer.schema import post_documents, post_key, read_ledger, stub_document
from barcamp_search.model import Post
from barcamp_search.read import children
from barcamp_search.read.extract import (
    DEFAULT_MAX_BYTES,
    Source,
    extract_archive,
    find_sources,
    parse_pool,
)
from barcamp_search.read.workers import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    WorkerPool,
)

logger = logging.getLogger(__name__)

REGISTRY = "archives.json"


@dataclass(frozen=True)
class Failure:
    source: str
    error: str


@dataclass
class IndexReport:
    """What one run did, counted in posts."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    warnings: int = 0
    seconds: float = 0.0
    archives: list[str] = field(default_factory=list)
    rebuilt: bool = False
    generation: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data

    def summary(self) -> str:
        return (
            f"indexed {self.added} new, {self.updated} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed in {self.seconds:.1f} s"
        )


Progress = Callable[[str], None]


@dataclass(frozen=True)
class ParseLimits:
    """Per-file limits of the parse workers (see ``workers``)."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    max_bytes: int = DEFAULT_MAX_BYTES


def index_archives(
    index_dir: Path,
    archives: Iterable[Archive],
    rebuild: bool = False,
    workers: int | None = None,
    lock_timeout: float = 30.0,
    progress: Progress | None = None,
    limits: ParseLimits | None = None,
    strict: bool = False,
) -> IndexReport:
    """Bring the index up to date with these archives (others stay as they are).

    Raises ArchiveMissing (a folder is gone), IndexLocked (another run holds
    the lock), SchemaMismatch, IndexUnwritable (disk full, read-only folder)
    or StrictFailure; in every case the previous index stays as it was, and
    the status file says what happened.
    """
    started = time.monotonic()
    index_dir = Path(index_dir)
    archives = list(archives)
    for archive in archives:
        if not archive.path.is_dir():
            raise ArchiveMissing(f"Archive folder {archive.path} does not exist.")
    store.ensure_root(index_dir)
    with store.writer_lock(index_dir, lock_timeout) as lock_fd, children.run_guard(lock_fd):
        try:
            report = _run(
                index_dir,
                archives,
                rebuild,
                workers or default_workers(),
                progress,
                limits or ParseLimits(),
                strict,
            )
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            failure = IndexUnwritable(
                f"{index_dir}/: the index could not be written ({error.strerror or error}"
                f"{where}); the previous index is unchanged"
            )
            _record(index_dir, started, {"result": "failed", "error": str(failure)})
            raise failure from error
        except BarcampSearchError as error:
            _record(index_dir, started, {"result": "failed", "error": str(error)})
            raise
        report.seconds = time.monotonic() - started
        _record(index_dir, started, {"result": "ok", **report.to_json()})
    return report


def _run(
    index_dir: Path,
    archives: list[Archive],
    rebuild: bool,
    workers: int,
    progress: Progress | None,
    limits: ParseLimits,
    strict: bool,
) -> IndexReport:
    store.remove_stale(index_dir)
    registry = read_registry(index_dir)
    for archive in archives:
        registry[archive.options.name] = archive
    wanted = archives or list(registry.values())
    live = store.live_generation(index_dir)
    if live is not None and not rebuild:
        store.check_schema(index_dir, live)
        store.clean_orphans(live)
    fresh = rebuild or live is None
    if fresh:
        wanted = list(registry.values())
    report = IndexReport(archives=[a.options.name for a in wanted], rebuilt=fresh)
    target = store.create_generation(index_dir) if fresh else live
    assert target is not None
    try:
        _update(target, wanted, report, workers, progress, limits, strict)
        if fresh:
            children.check_stop()  # a stop asked during the commit: the old index stays
            store.make_live(index_dir, target)
    except BaseException:
        if fresh:  # a half-built generation never stays behind
            shutil.rmtree(target, ignore_errors=True)
        else:  # nor the segment files of a failed commit (a full disk stays full otherwise)
            with contextlib.suppress(OSError):
                store.clean_orphans(target)
        raise
    write_registry(index_dir, registry)
    report.generation = target.name
    return report


def _record(index_dir: Path, started: float, outcome: dict[str, Any]) -> None:
    """Write the status file of this run (best effort: the disk may be full)."""
    previous = store.read_status(index_dir) or {}
    last_success = (
        previous.get("finished") if previous.get("result") == "ok" else previous.get("last_success")
    )
    status = {
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.monotonic() - started, 3),
        **outcome,
    }
    if outcome["result"] == "ok":
        status["last_success"] = status["finished"]
    else:
        status["last_success"] = last_success
        status["generation"] = previous.get("generation")
    try:
        store.write_json(index_dir / store.STATUS, status)
    except OSError as error:
        logger.warning("could not write %s: %s", index_dir / store.STATUS, error.strerror)


def _update(
    target: Path,
    archives: list[Archive],
    report: IndexReport,
    workers: int,
    progress: Progress | None,
    limits: ParseLimits,
    strict: bool,
) -> None:
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(target))
    writer = None
    # A parse worker starts now and imports the parsers while the stamps are compared:
    # a run that changes one post does not wait for docutils' import afterwards.
    pool = parse_pool(workers, limits.timeout, limits.memory_mb)
    pool.prestart(1)
    try:
        for archive in archives:
            plan = _plan(ix, archive, report)
            if not (plan.extract or plan.removed):
                continue
            if writer is None:
                writer = _writer(ix, fresh=report.rebuilt)
            for key in plan.removed:
                writer.delete_by_term("post", key)
            _apply(writer, archive, plan, report, pool, progress, limits)
        if strict and (report.warnings or report.failed):
            raise StrictFailure(
                f"{report.warnings} warnings and {len(report.failed)} failures with --strict: "
                "nothing was committed, the index is unchanged"
            )
        if writer is not None:
            children.check_stop()
            writer.commit()
            _check_subwriters(writer)
            writer = None
    finally:
        pool.close()
        if writer is not None:
            _stop_subwriters(writer)
            if not writer.is_closed:
                writer.cancel()
        ix.close()


def _writer(ix: Any, fresh: bool) -> Any:
    """A fresh build feeds two sub-writers, each writing its own segment (measured ~1.5x
    faster at 10,000 posts); an incremental run writes one small segment."""
    if fresh and os.environ.get("BARCAMP_SEARCH_SINGLE_WRITER") != "1":
        writer = ix.writer(procs=2, multisegment=True, limitmb=128)
        # Fork the sub-writers now, while this process is small: Whoosh starts them at the
        # first batch, after the extraction, and each would then carry a copy-on-write
        # image of every extracted post (1.1 GB peak per process at 50,000 posts).
        for task in whoosh_private.start_subwriters(
            writer, lambda: children.name_process("barcamp-write")
        ):
            children.watch(task, "index sub-writer")
        return writer
    return ix.writer(limitmb=256, procs=1)


def _check_subwriters(writer: Any) -> None:
    """Whoosh commits without the segment of a sub-writer that died: never keep that."""
    children.unwatch_all()
    for task in whoosh_private.subwriters(writer):
        if task.exitcode != 0:
            raise ChildDied("index sub-writer", task.pid, task.exitcode or 0)


def _stop_subwriters(writer: Any) -> None:
    """A run that stops early ends its sub-writers (Whoosh's cancel does not)."""
    children.unwatch_all()
    whoosh_private.stop_subwriters(writer)


@dataclass
class _Plan:
    extract: list[Source]
    stamps: dict[str, str]
    previous: dict[str, str]  # source -> kind ("post" or "stub") already in the index
    removed: list[str]


def _plan(ix: Any, archive: Archive, report: IndexReport) -> _Plan:
    """Compare the archive's files with the stamps stored in the index."""
    name = archive.options.name
    stored: dict[str, tuple[str, str]] = {}
    with ix.searcher() as searcher:
        # one pass over the ledger column of the archive's documents, no stored fields
        reader = searcher.reader()
        ledger = reader.column_reader("ledger") if reader.has_column("ledger") else None
        leaves = reader.leaf_readers()

        def docs(fieldname: str, text: str) -> set[int]:
            return whoosh_private.term_documents(leaves, fieldname, text)

        if ledger is not None:
            for docnum in docs("archive", name) & (docs("kind", "post") | docs("kind", "stub")):
                entry = read_ledger(ledger[docnum])
                if entry is not None:
                    kind, path, stamp = entry
                    stored[path] = (kind, stamp)
    sources = find_sources(archive.path, archive.options)
    plan = _Plan([], {}, {s: k for s, (k, _) in stored.items()}, [])
    seen: set[str] = set()
    for source in sources:
        seen.add(source.source)
        old_kind, old_stamp = stored.get(source.source, ("", ""))
        new_stamp = _stamp(source, old_stamp)
        if new_stamp is None:
            report.failed.append(Failure(source.source, "cannot read the file"))
            continue
        if new_stamp == old_stamp or (
            old_stamp and new_stamp.split(":")[2] == old_stamp.split(":")[2]
        ):
            report.unchanged += old_kind == "post"
            continue
        plan.extract.append(source)
        plan.stamps[source.source] = new_stamp
    for path, (kind, _) in stored.items():
        if path not in seen:
            plan.removed.append(post_key(name, path))
            report.removed += kind == "post"
    return plan


def _stamp(source: Source, old_stamp: str) -> str | None:
    """``size:mtime_ns:sha1``; the hash is only computed when size or mtime moved."""
    try:
        if source.size < 0:
            info = os.stat(source.path)
            head = f"{info.st_size}:{info.st_mtime_ns}"
        else:
            head = f"{source.size}:{source.mtime_ns}"
        if old_stamp.startswith(head + ":"):
            return old_stamp
        digest = hashlib.sha1(usedforsecurity=False)
        with open(source.path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return f"{head}:{digest.hexdigest()}"


def _apply(
    writer: Any,
    archive: Archive,
    plan: _Plan,
    report: IndexReport,
    pool: WorkerPool,
    progress: Progress | None,
    limits: ParseLimits,
) -> None:
    name = archive.options.name
    results = extract_archive(
        archive.path, archive.options, plan.extract, max_bytes=limits.max_bytes, pool=pool
    )
    for result in results:
        children.check_stop()
        source = result.source if isinstance(result, Post) else result.path
        if progress:
            progress(source)
        key = post_key(name, source)
        stamp = plan.stamps[source]
        previous = plan.previous.get(source)
        if isinstance(result, ExtractError):
            report.failed.append(Failure(source, result.reason))
            # keep what was searchable; record new bad files, but not a file whose parser
            # was killed (the next run tries it again)
            if previous != "post" and not result.transient:
                writer.delete_by_term("post", key)
                writer.add_document(**stub_document(name, source, stamp, result.reason))
            continue
        report.warnings += len(result.warnings)
        for warning in result.warnings:
            logger.info("%s", warning)
        writer.delete_by_term("post", key)
        if result.status == "draft":
            writer.add_document(**stub_document(name, source, stamp, "draft"))
            report.removed += previous == "post"
            continue
        for document in post_documents(result, stamp):
            writer.add_document(**document)
        if previous == "post":
            report.updated += 1
        else:
            report.added += 1


def read_registry(index_dir: Path) -> dict[str, Archive]:
    import json

    try:
        data = json.loads((Path(index_dir) / REGISTRY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    archives: dict[str, Archive] = {}
    for name, entry in data.items():
        options = dict(entry.get("options", {}))
        for key in ("include", "exclude"):
            options[key] = tuple(options.get(key, ()))
        if isinstance(options.get("authors_are_speakers"), list):
            options["authors_are_speakers"] = tuple(options["authors_are_speakers"])
        archives[name] = Archive(Path(entry["path"]), ArchiveOptions(**options))
    return archives


def write_registry(index_dir: Path, registry: dict[str, Archive]) -> None:
    store.write_json(
        Path(index_dir) / REGISTRY,
        {
            name: {"path": str(a.path.resolve()), "options": asdict(a.options)}
            for name, a in sorted(registry.items())
        },
    )
