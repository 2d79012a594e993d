"""The one place that touches Whoosh's private or undocumented internals.

barcamp-search needs a few things Whoosh's public API does not give: reading a posting
list a block at a time (set-at-a-time ranking), the stored field-length bytes, the words
a prefix/fuzzy term expands to, the BM25F per-field B, segment ids, the list of live
segments (to clean a killed writer's files), the sub-writers of a multi-process writer
(to fork them early, name them, watch them and stop them), an HTML-escaping hook of the
highlighter, and a way to open segment files without copying them. Every other module
uses Whoosh's public API only.

``check_whoosh()`` runs at import: if the installed Whoosh lacks anything this module
relies on, importing it fails with ``WhooshIncompatible``, naming the version needed,
instead of a wrong answer later. Whoosh is pinned (pyproject.toml) for the same reason.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from io import BytesIO
from typing import Any

import whoosh
from whoosh.codec import whoosh3
from whoosh.filedb.structfile import BufferFile
from whoosh.highlight import Formatter
from whoosh.index import FileIndex
from whoosh.scoring import BM25F

from barcamp_search.errors import BarcampSearchError

NEEDED = "whoosh3 3.54.x"


class WhooshIncompatible(BarcampSearchError):
    """The installed Whoosh lacks an internal this version relies on."""

    exit_code = 69  # EX_UNAVAILABLE


def _has(module: str, *names: str) -> Callable[[], bool]:
    def check() -> bool:
        target: Any = importlib.import_module(module)
        for name in names:
            target = getattr(target, name, None)
            if target is None:
                return False
        return True

    return check


# What this module relies on, each with a check against the installed library.
REQUIREMENTS: tuple[tuple[str, Callable[[], bool]], ...] = (
    (
        "BufferFile(buf, name, onclose) keeps its buffer in .file",
        lambda: BufferFile.__init__.__code__.co_varnames[1:4] == ("buf", "name", "onclose"),
    ),
    ("FileIndex._segments()", _has("whoosh.index", "FileIndex", "_segments")),
    (
        "W3LeafMatcher block reads",
        lambda: all(
            hasattr(whoosh3.W3LeafMatcher, name)
            for name in ("_read_ids", "_read_weights", "_read_values", "_goto")
        ),
    ),
    (
        "whoosh3 length columns",
        lambda: (
            hasattr(whoosh3, "LENGTHS_COLUMN")
            and hasattr(whoosh3, "_lenfield")
            and hasattr(whoosh3.W3PerDocReader, "_cached_reader")
        ),
    ),
    ("MultiTerm._btexts", _has("whoosh.query", "MultiTerm", "_btexts")),
    ("BM25F._field_B", lambda: isinstance(getattr(BM25F(), "_field_B", None), dict)),
    (
        "SegmentReader._segment",
        lambda: (
            "_segment"
            in importlib.import_module("whoosh.reading").SegmentReader.__init__.__code__.co_names
        ),
    ),
    ("Formatter._text", lambda: hasattr(Formatter, "_text")),
)


def check_whoosh(requirements: tuple[tuple[str, Callable[[], bool]], ...] = REQUIREMENTS) -> None:
    """Raise WhooshIncompatible naming what is missing and the version needed."""
    missing = [name for name, check in requirements if not check()]
    if missing:
        version = getattr(whoosh, "versionstring", lambda: "?")()
        raise WhooshIncompatible(
            f"the installed Whoosh ({version}) lacks {', '.join(missing)}; barcamp-search "
            f"needs {NEEDED}: pip install 'whoosh3>=3.54,<3.55'"
        )


def _subwriter_requirement() -> bool:
    from whoosh.multiproc import MpWriter, SubWriterTask

    return hasattr(MpWriter, "_commit") and SubWriterTask.__init__.__code__.co_varnames[1:7] == (
        "storage",
        "indexname",
        "jobqueue",
        "resultqueue",
        "kwargs",
        "multisegment",
    )


# Checked when a multi-process writer is first used: whoosh.multiproc imports
# multiprocessing, which a search never needs (a cold CLI search stays fast).
WRITER_REQUIREMENTS = (
    (
        "MpWriter and SubWriterTask(storage, indexname, jobqueue, "
        "resultqueue, kwargs, multisegment)",
        _subwriter_requirement,
    ),
)

check_whoosh()


# -- Opening segment files without copying them --------------------------------------


class ViewFile:
    """A read-only file over a memoryview (a slice of the index's mmap), without copying.

    whoosh3 3.54 opens every part of a compound segment file as
    ``BufferFile(memoryview)``, which wraps it in ``BytesIO``: that copies the whole
    part (postings, stored fields...) into each process, 110 MB at 10,000 posts,
    and costs tens of milliseconds at every open. Reads here copy only what is read;
    the pages stay in the page cache, shared by every worker."""

    __slots__ = ("_view", "_pos")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        rest = bytes(self._view[self._pos :])
        end = rest.find(b"\n") + 1 or len(rest)
        if size is not None and size >= 0:
            end = min(end, size)
        self._pos += end
        return rest[:end]

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:  # BufferFile.close releases the view itself
        pass

    def __iter__(self) -> Iterator[bytes]:
        while self._pos < len(self._view):
            yield self.readline()


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf) if isinstance(buf, memoryview) else BytesIO(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


BufferFile.__init__ = _buffer_file_init  # type: ignore[method-assign]


# -- Segments ------------------------------------------------------------------------


def live_segments(ix: FileIndex) -> Any:
    """The segments of the index's latest table of contents."""
    return ix._segments()


def segment_id(leaf: Any) -> str | None:
    """The id of the segment a leaf reader reads (None for a reader without one)."""
    segment = getattr(leaf, "_segment", None)
    return segment.segment_id() if segment is not None else None


# -- The sub-writers of a multi-process writer ------------------------------------------


def start_subwriters(writer: Any, on_start: Callable[[], None]) -> list[Any]:
    """Fork all of ``writer``'s sub-writers now (Whoosh forks them at the first batch),
    each calling ``on_start`` first; returns them."""
    check_whoosh(WRITER_REQUIREMENTS)
    from whoosh.multiproc import SubWriterTask

    class SubWriter(SubWriterTask):
        def run(self) -> None:
            on_start()
            super().run()

    while len(writer.tasks) < writer.procs:
        task = SubWriter(
            writer.storage,
            writer.indexname,
            writer.jobqueue,
            writer.resultqueue,
            writer.subargs,
            writer.multisegment,
        )
        writer.tasks.append(task)
        task.start()
    return list(writer.tasks)


def subwriters(writer: Any) -> list[Any]:
    """The sub-writer processes of a writer (none for a single-process writer)."""
    return list(getattr(writer, "tasks", ()))


def stop_subwriters(writer: Any) -> None:
    """End the sub-writers of a writer that will not commit (Whoosh's cancel() only
    flags them in this process) and let their queues go without waiting."""
    for task in subwriters(writer):
        if task.is_alive():
            task.kill()
        task.join(5)
    for name in ("jobqueue", "resultqueue"):  # a multi-process writer's queues
        queue = getattr(writer, name, None)
        if queue is not None:
            queue.cancel_join_thread()


# -- Postings, lengths, expansions, scoring -------------------------------------------


def posting_blocks(matcher: Any) -> Iterator[Any]:
    """Step a whoosh3 leaf matcher block by block, yielding it at each block with its
    ``_ids`` read (and ``_i`` the first live entry)."""
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        yield matcher
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)


def leaf_matcher(reader: Any, fieldname: str, btext: bytes) -> tuple[Any, Any]:
    """A segment's matcher for a term, and the ids it excludes (deleted documents), if
    the reader wrapped it in an exclusion."""
    matcher = reader.postings(fieldname, btext)
    if getattr(matcher, "_exclude", False):
        return matcher.child, matcher._ids
    return matcher, None


def posting_arrays(reader: Any, fieldname: str, btext: bytes) -> tuple[list[int], list[float]]:
    """Document numbers and weights of one segment's posting list, deleted ones left out."""
    matcher, excluded = leaf_matcher(reader, fieldname, btext)
    ids: list[int] = []
    weights: list[float] = []
    for block in posting_blocks(matcher):
        if block._weights is None:
            block._read_weights()
        ids.extend(block._ids[block._i : block._blocklength])
        weights.extend(block._weights[block._i : block._blocklength])
    if excluded or reader.has_deletions():
        kept = [
            (d, w)
            for d, w in zip(ids, weights, strict=True)
            if not (d in excluded if excluded else reader.is_deleted(d))
        ]
        ids = [d for d, _ in kept]
        weights = [w for _, w in kept]
    return ids, weights


def term_documents(leaves: list[tuple[Any, int]], fieldname: str, text: bytes | str) -> set[int]:
    """Every live document (index-wide numbers) of the leaves containing a term."""
    docs: set[int] = set()
    for reader, offset in leaves:
        if (fieldname, text) in reader:
            ids = posting_arrays(reader, fieldname, text)[0]  # type: ignore[arg-type]
            docs.update(d + offset for d in ids) if offset else docs.update(ids)
    return docs


def posting_positions(
    reader: Any, fieldname: str, btext: bytes, decode: Any, docs: set[int]
) -> dict[int, list[int]]:
    """Positions of a word in each of ``docs`` (segment document numbers)."""
    if (fieldname, btext) not in reader:
        return {}
    matcher, _excluded = leaf_matcher(reader, fieldname, btext)  # deleted: not in docs
    found: dict[int, list[int]] = {}
    for block in posting_blocks(matcher):
        ids = block._ids
        wanted = [i for i in range(block._i, block._blocklength) if ids[i] in docs]
        if wanted:
            if block._values is None:
                block._read_values()
            for i in wanted:
                found[ids[i]] = decode(block._values[i])
    return found


def length_bytes(reader: Any, fieldname: str) -> bytes | None:
    """The stored length byte of every document of a segment for a field, or None when
    the field has no lengths there."""
    perdoc = getattr(reader, "_perdoc", None)  # an empty index's reader has none
    if perdoc is None:
        return None
    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    return column._dbfile.get(column._basepos, column._count)


def expansions(query: Any, reader: Any) -> list[bytes]:
    """The words of the index a prefix, wildcard or fuzzy term stands for."""
    return list(query._btexts(reader))


def field_b(weighting: BM25F, fieldname: str) -> float:
    """The B parameter BM25F uses for a field."""
    return float(weighting._field_B.get(fieldname, weighting.B))


class EscapingFormatter(Formatter):
    """A highlight formatter whose text between matches is HTML-escaped (Whoosh's
    ``Formatter._text`` hook)."""

    def _text(self, text: str) -> str:
        import html

        return html.escape(text)
