"""The ``barcamp-search`` command line: thin click commands over the core.

Each command builds its inputs, calls one core function and renders the
result: text or JSON on stdout; progress, logs and warnings on stderr.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from barcamp_search import __version__
from barcamp_search.cli.output import format_indexed_post, format_results, format_stats
from barcamp_search.config import Settings, describe, load_settings
from barcamp_search.errors import ArchiveMissing, BarcampSearchError, Interrupted
from barcamp_search.facets import all_facets, facet_names
from barcamp_search.model import SORTS

if TYPE_CHECKING:
    from barcamp_search.search.engine import SearchIndex, SearchQuery

# The extractor (docutils, markdown-it) and the indexing job are imported inside the
# commands that use them, so a cold `barcamp-search search` starts fast; the search
# engine (numpy, Whoosh's query classes) likewise, so an indexing run does not load it.

logger = logging.getLogger("barcamp_search")


class _Group(click.Group):
    """Turns our errors into a message and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BarcampSearchError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="barcamp-search")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: BARCAMP_SEARCH_CONFIG, else ./barcamp-search.toml).",
)
@click.pass_context
def cli(ctx, verbose, quiet, config):
    """Full-text search over the archives of Python user groups.

    Example: barcamp-search extract examples/archive --json
    """
    level = (
        logging.ERROR
        if quiet
        else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s: %(message)s")
    ctx.obj = {"config": config, "quiet": quiet}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--archive", help="Archive name (default: the folder's name).")
@click.option("--site-url", help="Site URL the posts are published under, for their URLs.")
@click.option("--url-pattern", help='Post path under the site URL, e.g. "{slug}.html".')
@click.option("--lang", help="Default language of the posts (default: guessed per post).")
@click.option("--authors-are-speakers", is_flag=True, help="Author fields name the speakers.")
@click.option("--include", multiple=True, help="Only sources matching this glob.")
@click.option("--exclude", multiple=True, help="Leave out sources matching this glob.")
@click.option("--workers", type=click.IntRange(1, 64), help="Parse processes (default: cores).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one object per post.")
def extract(
    paths,
    archive,
    site_url,
    url_pattern,
    lang,
    authors_are_speakers,
    include,
    exclude,
    workers,
    as_json,
):
    """Read archive files (or folders, searched recursively) and print their posts.

    Example: barcamp-search extract ../shared/corpora/python-nantes --json
    """
    from barcamp_search.archive import ArchiveOptions
    from barcamp_search.cli.output import format_post
    from barcamp_search.config import default_workers
    from barcamp_search.model import Post
    from barcamp_search.read.extract import extract_archive, find_sources

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(f"No such file or folder: {', '.join(missing)}")
    started = time.perf_counter()
    counts = {"posts": 0, "skipped": 0, "warnings": 0}
    for path in paths:
        options = ArchiveOptions(
            name=archive or (path.resolve().name if path.is_dir() else path.resolve().parent.name),
            site_url=site_url,
            url_pattern=url_pattern,
            lang=lang,
            authors_are_speakers=authors_are_speakers,
            include=tuple(include),
            exclude=tuple(exclude),
        )
        root = path if path.is_dir() else path.parent
        sources = find_sources(path, options)
        for result in extract_archive(root, options, sources, workers=workers or default_workers()):
            if isinstance(result, Post):
                counts["posts"] += 1
                counts["warnings"] += len(result.warnings)
                for warning in result.warnings:
                    logger.info("%s", warning)
                if as_json:
                    click.echo(json.dumps(result.to_json(), ensure_ascii=False))
                else:
                    click.echo(format_post(result))
            else:
                counts["skipped"] += 1
                logger.warning("skipped %s", result)
    click.echo(
        f"extracted {counts['posts']} posts, {counts['skipped']} skipped, "
        f"{counts['warnings']} warnings in {time.perf_counter() - started:.1f} s",
        err=True,
    )


def _settings(ctx: click.Context, **overrides: object) -> Settings:
    return load_settings(overrides, config_path=ctx.obj.get("config"))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--archive", help="Archive name (default: the folder's name).")
@click.option("--site-url", help="Site URL the posts are published under.")
@click.option("--url-pattern", help='Post path under the site URL, e.g. "{slug}.html".')
@click.option("--lang", help="Default language of the posts (default: guessed per post).")
@click.option(
    "--authors-are-speakers", is_flag=True, default=None, help="Author fields name the speakers."
)
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder.")
@click.option("--rebuild", is_flag=True, help="Build a fresh index and swap it in atomically.")
@click.option("--workers", type=click.IntRange(1, 64), help="Parse processes (default: cores).")
@click.option("--lock-timeout", type=click.FloatRange(0), help="Seconds to wait for the lock.")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.option("--strict", is_flag=True, help="Warnings and failed files make the run fail.")
@click.option("--every", help="Keep running: reindex at this interval (30s, 10m, 1h).")
@click.option("--git-pull", is_flag=True, help="git pull --ff-only each archive first.")
@click.pass_context
def index(
    ctx,
    paths,
    archive,
    site_url,
    url_pattern,
    lang,
    authors_are_speakers,
    index_dir,
    rebuild,
    workers,
    lock_timeout,
    as_json,
    strict,
    every,
    git_pull,
):
    """Index archive folders (incrementally); with no PATH, every archive of the config
    file, else every archive the index already knows. Safe to run from cron at any
    frequency: one writer at a time, a bad file never stops the run.

    Exit status: 0 ok (failed files listed), 2 missing archive folder, 65 schema
    mismatch (run --rebuild), 74 index not writable (disk full, read-only), 75 another
    run holds the lock, 1 --strict with warnings.

    Example: barcamp-search index ../shared/corpora/python-nantes --lang fr --every 10m
    """
    from barcamp_search.archive import Archive, ArchiveOptions
    from barcamp_search.cli.reindex import parse_duration, run_periodically
    from barcamp_search.indexer.build import ParseLimits, index_archives, read_registry

    settings = _settings(ctx, index=index_dir, workers=workers, lock_timeout=lock_timeout)
    missing = [str(p) for p in paths if not p.is_dir()]
    if missing:
        raise ArchiveMissing(f"No such archive folder: {', '.join(missing)}")
    if archive and len(paths) > 1:
        raise click.UsageError("--archive names one archive: give one PATH with it.")
    try:
        interval = parse_duration(every) if every else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--every") from None
    archives = [
        Archive(
            path,
            ArchiveOptions(
                name=archive or path.resolve().name,
                site_url=site_url,
                url_pattern=url_pattern,
                lang=lang,
                authors_are_speakers=bool(authors_are_speakers),
            ),
        )
        for path in paths
    ]
    if not paths:
        archives = list(settings.archives)

    def run_once(rebuild: bool = rebuild) -> None:
        if git_pull:
            pull_archives(archives or list(read_registry(settings.index).values()))
        with _progress_bar(ctx) as progress:
            report = index_archives(
                settings.index,
                archives,
                rebuild=rebuild,
                workers=settings.workers or None,
                lock_timeout=settings.lock_timeout,
                progress=progress,
                strict=strict,
                limits=ParseLimits(
                    settings.parse_timeout,
                    settings.parse_memory_mb,
                    settings.max_file_mb * 1024 * 1024,
                ),
            )
        for failure in report.failed:
            logger.warning("skipped %s: %s", failure.source, failure.error)
        if as_json:
            click.echo(json.dumps(report.to_json(), ensure_ascii=False))
        click.echo(report.summary(), err=True)

    if interval is None:
        _quiet_interruptions()
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        run_once()
        return
    stop = stop_on_signals()
    first = [rebuild]

    def guarded_run() -> None:
        try:
            run_once(first[0])
            first[0] = False
        except BarcampSearchError as error:  # the loop goes on; the index keeps its state
            click.echo(f"Error: {error}", err=True)

    runs = run_periodically(guarded_run, interval, stop)
    click.echo(f"stopped after {runs} runs", err=True)


def pull_archives(archives: list) -> None:
    """git pull --ff-only in each archive that is a git checkout; failures are reported."""
    from barcamp_search.cli.reindex import git_pull, is_git_checkout

    for archive in archives:
        if is_git_checkout(archive.path):
            problem = git_pull(archive.path)
            if problem:
                logger.error(
                    "git pull failed in %s: %s (indexing what is there)", archive.path, problem
                )


def _interrupt(signum, frame):
    """SIGTERM or SIGINT during a run: unwind it (children stopped, nothing half-written)."""
    from barcamp_search.read import children

    if children.stop_requested() is None:  # one unwinding, not one per signal
        children.request_stop(signum)
        raise Interrupted(signum)


def _quiet_interruptions() -> None:
    """A stop raised where Python must swallow it (a signal landing in an at-fork hook) is
    raised again at the run's next checkpoint: no "Exception ignored" traceback for it."""
    previous = sys.unraisablehook

    def hook(unraisable):
        if not isinstance(unraisable.exc_value, Interrupted):
            previous(unraisable)

    sys.unraisablehook = hook


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so the loop stops between runs; a second
    signal stops the current run too."""
    stop = threading.Event()

    def handler(signum, frame):
        if stop.is_set():
            _interrupt(signum, frame)
        click.echo(f"{signal.Signals(signum).name}: stopping after the current run", err=True)
        stop.set()

    _quiet_interruptions()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@contextmanager
def _progress_bar(ctx: click.Context):
    """A progress line on stderr when it is a terminal (and not --quiet)."""
    if ctx.obj.get("quiet") or not sys.stderr.isatty():
        yield None
        return
    count = [0]

    def progress(source: str) -> None:
        count[0] += 1
        click.echo(f"\r\033[K{count[0]} read: {source[-60:]}", err=True, nl=False)

    yield progress
    if count[0]:
        click.echo("\r\033[K", err=True, nl=False)


def _filter_options(function):
    """The filter options: one repeatable option per facet (``--tag``), then the others."""
    facet_options = [
        click.option(f"--{facet.name}", facet.plural, multiple=True, help=facet.help)
        for facet in all_facets()
    ]
    for option in reversed(
        [
            *facet_options,
            click.option("--lang", help="Only posts in this language."),
            click.option("--from", "date_from", help="Only posts on or after YYYY-MM-DD."),
            click.option("--to", "date_to", help="Only posts on or before YYYY-MM-DD."),
            click.option(
                "--index", "index_dir", type=click.Path(path_type=Path), help="Index folder."
            ),
        ]
    ):
        function = option(function)
    return function


def _search_query(text, **filters) -> SearchQuery:
    from barcamp_search.search.engine import SearchQuery

    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, tuple) else v for k, v in filters.items()
    }
    return SearchQuery(text=text or "", **values)


def _search_index(*args: Any, **kwargs: Any) -> SearchIndex:
    from barcamp_search.search.engine import SearchIndex

    return SearchIndex(*args, **kwargs)


@cli.command()
@click.argument("text", required=False, default="")
@_filter_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=None, help="Results per page (1-100).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--typos/--no-typos", default=True, help="Misspelt words match close words.")
@click.option("--synonyms/--no-synonyms", default=True, help="Words match their synonyms.")
@click.pass_context
def search(ctx, text, index_dir, as_json, per_page, **filters):
    """Search the index: Whoosh query language (AND by default, OR, NOT, "phrase",
    prefix*, fuzzy~, title: tag: author: speaker: category: archive: lang: site:).

    Example: barcamp-search search "asyncio OR coroutines" --tag python --sort newest
    """
    settings = _settings(ctx, index=index_dir)
    query = _search_query(text, per_page=per_page or settings.per_page, **filters)
    with _search_index(
        settings.index, synonyms=settings.synonyms, people_aliases=settings.people_aliases
    ) as engine:
        results = engine.search(query)
    if as_json:
        click.echo(json.dumps(results.to_json(), ensure_ascii=False))
    else:
        click.echo(format_results(results))


@cli.command()
@click.argument("facet", type=click.Choice(facet_names()))
@click.argument("text", required=False, default="")
@_filter_options
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def facets(ctx, facet, text, index_dir, limit, as_json, **filters):
    """Count posts per value of a facet (tag, author, speaker, year, archive).

    Example: barcamp-search facets speaker "django" --year 2015
    """
    settings = _settings(ctx, index=index_dir)
    query = _search_query(text, per_page=1, facet_limit=limit, **filters)
    with _search_index(
        settings.index, synonyms=settings.synonyms, people_aliases=settings.people_aliases
    ) as engine:
        counts = engine.search(query).facets[facet]
    if as_json:
        click.echo(
            json.dumps(
                [{"value": c.value, "count": c.count, "selected": c.selected} for c in counts],
                ensure_ascii=False,
            )
        )
    else:
        for count in counts:
            click.echo(f"{count.count:6d}  {count.value}")


@cli.command()
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_context
def stats(ctx, index_dir, as_json):
    """Archives, posts, sections, last run and size of the index.

    Example: barcamp-search stats
    """
    settings = _settings(ctx, index=index_dir)
    with _search_index(
        settings.index, synonyms=settings.synonyms, people_aliases=settings.people_aliases
    ) as engine:
        data = engine.stats()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(format_stats(data, settings.index))


@cli.command()
@click.argument("archive")
@click.argument("slug")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the post as JSON.")
@click.pass_context
def show(ctx, archive, slug, index_dir, as_json):
    """Show one post as indexed.

    Example: barcamp-search show python-nantes barcamp-micro-python
    """
    settings = _settings(ctx, index=index_dir)
    with _search_index(
        settings.index, synonyms=settings.synonyms, people_aliases=settings.people_aliases
    ) as engine:
        post = engine.post(archive, slug)
    if post is None:
        raise click.ClickException(
            f"No post {slug!r} in archive {archive!r}. "
            "List posts with: barcamp-search search --archive "
            f"{archive}"
        )
    if as_json:
        click.echo(json.dumps(post, ensure_ascii=False))
    else:
        click.echo(format_indexed_post(post))


@cli.command()
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index folder.")
@click.option("--host", help="Address to listen on (default: the host setting, 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on (default: the port setting, 5000).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Web worker processes (default: the web_workers setting, else one per core).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Flask's development server with the debugger and reloader: never expose it.",
)
@click.pass_context
def serve(ctx, index_dir, host, port, workers, debug):
    """Serve the search page and its JSON API with gunicorn (one process per worker).

    Example: barcamp-search serve --index index --port 5000 --workers 2
    """
    from barcamp_search.web.serve import run_server  # gunicorn and flask only for this command

    settings = _settings(ctx, index=index_dir, host=host, port=port, web_workers=workers)
    ctx.exit(
        run_server(settings, settings.host, settings.port, settings.web_workers or None, debug)
    )


@cli.command("config")
@click.pass_context
def config_command(ctx):
    """Print every setting, its value and where the value comes from.

    Example: BARCAMP_SEARCH_INDEX=/tmp/ix barcamp-search config
    """
    settings = _settings(ctx)
    for name, env_name, _help in describe():
        click.echo(
            f"{name} = {getattr(settings, name)!s}   ({settings.source_of(name)}; {env_name})"
        )
    for archive in settings.archives:
        click.echo(f"archive {archive.options.name}: {archive.path}")


def main() -> None:
    cli(prog_name="barcamp-search")
