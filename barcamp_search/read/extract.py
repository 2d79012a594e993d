"""Extraction stage: an archive folder (or files) -> ``Post`` objects.

``find_sources`` lists the source files of an archive; ``read_post`` turns the
bytes of one file into a ``Post`` (pure: no index, no settings, no globals);
``extract_archive`` runs ``read_post`` over an archive in limited worker
processes (see ``workers``) and links translations. Files that cannot be read
are reported as ``ExtractError`` values, never raised out of the run.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import pickle
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from barcamp_search.archive import ArchiveOptions
from barcamp_search.errors import ArchiveMissing, ExtractError
from barcamp_search.model import Post
from barcamp_search.read.assemble import build_post
from barcamp_search.read.decode import decode_source
from barcamp_search.read.generators import (
    detect_generator,
    finish_post,
    listing_pages,
    translation_key,
)
from barcamp_search.read.workers import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Job, WorkerPool

logger = logging.getLogger(__name__)

RST_EXTENSIONS = (".rst", ".rest")
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mkd", ".mdown")
# Larger files are skipped unread: docutils alone needs ~30 s and 400 MB for 50 MB.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_NOT_POSTS = frozenset({"_index.md", "_index.markdown"})


@dataclass(frozen=True)
class Source:
    path: str | Path  # on disk
    source: str  # posix path relative to the archive folder
    size: int = -1  # from the walk's stat, so the indexer need not stat again
    mtime_ns: int = -1


def source_format(name: str) -> str | None:
    """``"rst"``, ``"markdown"`` or None for a file name, by extension (any case)."""
    lower = name.lower()
    if lower.endswith(RST_EXTENSIONS):
        return "rst"
    if lower.endswith(MARKDOWN_EXTENSIONS):
        return "markdown"
    return None


def find_sources(root: Path, options: ArchiveOptions | None = None) -> list[Source]:
    """The source files below ``root``, sorted by their relative path.

    Rules: extensions .rst/.rest/.md/.markdown/.mkd/.mdown in any case; hidden
    files and folders (``.git``, ``.foo.rst``) are left out; symbolic links are
    followed only when their target is a regular file inside ``root`` (a
    folder link is never followed, so a loop cannot make the walk endless);
    FIFOs, sockets and devices are never opened. Hugo's ``_index.md`` list
    pages are not posts and are left out, and so are MkDocs' listing pages
    (``generators.listing_pages``) in an MkDocs archive. ``include``/``exclude``
    globs of the options match the relative path.
    """
    root = Path(root)
    if not root.exists():
        raise ArchiveMissing(f"{root}: no such file or folder")
    if root.is_file():
        return [Source(root, root.name)] if source_format(root.name) else []
    real_root = root.resolve()
    found: list[Source] = []
    pending = [("", str(root))]
    while pending:  # os.scandir: one stat per file, no Path objects (10,000 posts: ~0.1 s)
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            logger.warning("%s: cannot list the folder: %s", folder, error.strerror)
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = prefix + name
            if entry.is_dir(follow_symlinks=False):
                pending.append((relative + "/", entry.path))
                continue
            if name in _NOT_POSTS or not source_format(name):
                continue
            info = _safe_stat(entry, real_root)
            if info is None or (options and not _selected(relative, options)):
                continue
            found.append(Source(entry.path, relative, info.st_size, info.st_mtime_ns))
    found.sort(key=lambda s: s.source)
    generator = (options.generator if options else None) or detect_generator(root)
    if generator == "mkdocs":
        listing = listing_pages(s.source for s in found)
        found = [s for s in found if s.source not in listing]
    return found


def _safe_stat(entry: os.DirEntry[str], real_root: Path) -> os.stat_result | None:
    """The stat of a regular file, following a link only to a file inside the archive."""
    try:
        if entry.is_symlink():
            target = Path(entry.path).resolve(strict=True)
            if not target.is_relative_to(real_root):
                logger.warning("%s: link to outside the archive, not followed", entry.path)
                return None
            info = target.stat()
        else:
            info = entry.stat(follow_symlinks=False)
    except (OSError, RuntimeError):
        logger.warning("%s: dangling or looping link, skipped", entry.path)
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _selected(relative: str, options: ArchiveOptions) -> bool:
    if options.include and not any(fnmatch.fnmatch(relative, g) for g in options.include):
        return False
    return not any(fnmatch.fnmatch(relative, g) for g in options.exclude)


def read_post(
    data: bytes, source: str, options: ArchiveOptions, max_bytes: int = DEFAULT_MAX_BYTES
) -> Post:
    """Bytes of one source file -> a Post. Raises ExtractError when it must be skipped."""
    if len(data) > max_bytes:
        raise ExtractError(source, f"larger than the {_human_size(max_bytes)} limit (max_file_mb)")
    fmt = source_format(source)
    if fmt is None:
        raise ExtractError(source, "not a .rst or Markdown file")
    text, warnings = decode_source(data, source)
    # imported here: an indexing run with nothing to parse never loads docutils
    from barcamp_search.read.formats.markdown import read_markdown
    from barcamp_search.read.formats.rst import read_rst

    try:
        document = read_rst(text, source) if fmt == "rst" else read_markdown(text, source)
    except RecursionError as error:
        raise ExtractError(source, "too deeply nested to parse (recursion limit)") from error
    except ValueError as error:
        raise ExtractError(source, str(error)) from error
    return finish_post(document, build_post(document, source, fmt, options, warnings), options)


def _human_size(nbytes: int) -> str:
    return f"{nbytes / 1048576:g} MiB" if nbytes >= 1048576 else f"{nbytes:,} bytes"


def read_file(path: Path, source: str, options: ArchiveOptions, max_bytes: int) -> Post:
    """Read one file (never more than ``max_bytes`` + 1 bytes of it) into a Post.

    A FIFO or device is never opened (checked before, and opened non-blocking in
    case it was swapped in since)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ExtractError(source, "not a regular file")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ExtractError(source, "not a regular file")
            data = handle.read(max_bytes + 1)
    except PermissionError as error:
        raise ExtractError(source, "permission denied") from error
    except OSError as error:
        raise ExtractError(source, f"cannot read: {error.strerror or error}") from error
    return read_post(data, source, options, max_bytes)


@dataclass(frozen=True)
class _Packed:
    """A post as a worker sends it back: what linking translations needs, and the rest
    compressed, so an archive waiting to be written takes a fraction of its memory."""

    source: str
    slug: str
    lang: str
    has_url: bool
    data: bytes

    @classmethod
    def pack(cls, post: Post) -> _Packed:
        return cls(
            post.source,
            post.slug,
            post.lang,
            bool(post.url),
            zlib.compress(pickle.dumps(post, protocol=pickle.HIGHEST_PROTOCOL), 1),
        )

    def unpack(self) -> Post:
        post: Post = pickle.loads(zlib.decompress(self.data))
        return post


def _read_job(job: Job) -> _Packed:
    options, max_bytes = job.payload
    return _Packed.pack(read_file(Path(job.path), job.source, options, max_bytes))


def import_readers() -> None:
    """Import and load what parsing needs (a worker's warm-up: docutils alone takes ~0.1 s,
    the language detector's models 0.3 s)."""
    import dateutil.parser  # noqa: F401

    import barcamp_search.read.formats.markdown  # noqa: F401
    import barcamp_search.read.formats.rst  # noqa: F401
    from barcamp_search.read import language

    language.warm_up()  # Lingua's models (0.3 s): loaded while the run compares stamps


def parse_pool(
    workers: int = 1, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB
) -> WorkerPool:
    """The worker pool extract_archive parses in (workers import the readers first)."""
    return WorkerPool(
        _read_job, workers=workers, timeout=timeout, memory_mb=memory_mb, warm=import_readers
    )


def extract_archive(
    root: Path,
    options: ArchiveOptions,
    sources: Iterable[Source] | None = None,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pool: WorkerPool | None = None,
) -> Iterator[Post | ExtractError]:
    """Read an archive's files (all, or the given ``sources``) into Posts, in source order.

    Unreadable files come out as ExtractError values. Translations (same slug,
    another language) are linked and duplicate slugs of one language warned about.
    ``pool`` (from ``parse_pool``) is used instead of a pool of its own when given.
    """
    if options.generator is None:
        generator = detect_generator(root)
        if generator:
            options = replace(options, generator=generator)
    if sources is None:
        sources = find_sources(root, options)
    jobs = [Job(str(s.path), s.source, (options, max_bytes)) for s in sources]
    results: dict[str, _Packed | ExtractError] = {}
    with (
        contextlib.nullcontext(pool)
        if pool is not None
        else parse_pool(workers, timeout, memory_mb) as running
    ):
        for job, outcome in running.run(jobs):
            results[job.source] = outcome
    _fill_languages(results)
    links = link_translations([r for r in results.values() if isinstance(r, _Packed)], options)
    for source in sorted(results):
        result = results.pop(source)  # each post unpacked only when it is its turn
        if isinstance(result, _Packed):
            post = result.unpack()
            link = links.get(source)
            if link is not None:
                translations, duplicates, url = link
                post = replace(
                    post,
                    translations=translations,
                    warnings=post.warnings + duplicates,
                    url=url or post.url,
                )
            yield post
        else:
            yield result


def _fill_languages(results: dict[str, _Packed | ExtractError]) -> None:
    """Posts with too few words to tell their language (an index page, a photo post)
    and no language in their metadata take the language most of their archive's posts
    are in (English for an archive that has none)."""
    counts: dict[str, int] = {}
    for result in results.values():
        if isinstance(result, _Packed) and result.lang:
            counts[result.lang] = counts.get(result.lang, 0) + 1
    fallback = max(sorted(counts), key=lambda k: counts[k]) if counts else "en"
    for source, result in results.items():
        if isinstance(result, _Packed) and not result.lang:
            post = replace(result.unpack(), lang=fallback)
            results[source] = _Packed.pack(post)
    # mkdocs-static-i18n, Nikola: x.md is in the site's default language, x.en.md in
    # English. An original read as its own translation's language (an Italian page with
    # English slides and code) is in the default language of the other originals.
    pairs: list[tuple[_Packed, _Packed]] = []
    for result in results.values():
        key = translation_key(result.source) if isinstance(result, _Packed) else None
        original = results.get(key) if key else None
        if isinstance(result, _Packed) and isinstance(original, _Packed):
            pairs.append((original, result))
    defaults: dict[str, int] = {}
    for original, twin in pairs:
        if original.lang != twin.lang:
            defaults[original.lang] = defaults.get(original.lang, 0) + 1
    if not defaults:
        return
    default = max(sorted(defaults), key=lambda k: defaults[k])
    for original, twin in pairs:
        if original.lang == twin.lang != default and results[original.source] is original:
            results[original.source] = _Packed.pack(replace(original.unpack(), lang=default))


_LANG_URL = "{slug}-{lang}.html"


def link_translations(
    posts: list[_Packed], options: ArchiveOptions
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]]:
    """Join posts sharing a slug, or a file name but for a language suffix (``x.md`` and
    ``x.en.md``): other languages become translations, same language is a duplicate
    (both kept, warned about). Per source: (translations, warnings to add,
    the URL of a translated page when it changes)."""
    # Suffix translations (x.md / x.en.md, x.rst / x.es.rst) belong together whatever
    # their slugs; other posts are joined by slug, as Pelican does.
    sources = {post.source for post in posts}
    translated = {translation_key(post.source) for post in posts} & sources

    def group_of(post: _Packed) -> tuple[str, str]:
        key = translation_key(post.source)
        if key in translated:
            return ("file", key or "")
        if post.source in translated:
            return ("file", post.source)
        return ("slug", post.slug)

    by_slug: dict[tuple[str, str], list[_Packed]] = {}
    for post in posts:
        by_slug.setdefault(group_of(post), []).append(post)
    links: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {}
    default_lang = options.lang or "en"  # Pelican's DEFAULT_LANG
    for group in by_slug.values():
        if len(group) == 1:
            continue
        group.sort(key=lambda p: p.source)
        for post in group:
            others = [p for p in group if p is not post]
            translations = tuple(p.source for p in others if p.lang != post.lang)
            duplicates = [p.source for p in others if p.lang == post.lang]
            warnings = (
                (f"{post.source}: slug {post.slug!r} is also used by " + ", ".join(duplicates),)
                if duplicates
                else ()
            )
            url = None
            if (
                translations
                and post.lang != default_lang
                and options.site_url
                and post.has_url
                and not options.url_pattern
            ):
                url = (
                    options.site_url.rstrip("/")
                    + "/"
                    + _LANG_URL.format(slug=post.slug, lang=post.lang)
                )
            links[post.source] = (translations, warnings, url)
    return links
