"""The ``barcamp-search`` command line: thin click commands over the core.

Each command builds its inputs, calls one core function and renders the
result: text or JSON on stdout; progress, logs and warnings on stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from barcamp_search import __version__
from barcamp_search.errors import BarcampSearchError
from barcamp_search.extract import ArchiveOptions, extract_archive, find_sources
from barcamp_search.posts import Post
from barcamp_search.workers import default_workers

logger = logging.getLogger("barcamp_search")


class _Group(click.Group):
    """Turns our errors into a message and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except BarcampSearchError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="barcamp-search")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose, quiet):
    """Full-text search over the archives of Python user groups.

    Example: barcamp-search extract examples/archive --json
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s: %(message)s")


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
def extract(paths, archive, site_url, url_pattern, lang, authors_are_speakers, include,
            exclude, workers, as_json):
    """Read archive files (or folders, searched recursively) and print their posts.

    Example: barcamp-search extract ../shared/corpora/python-nantes --json
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(f"No such file or folder: {', '.join(missing)}")
    started = time.perf_counter()
    counts = {"posts": 0, "skipped": 0, "warnings": 0}
    for path in paths:
        options = ArchiveOptions(
            name=archive or (path.resolve().name if path.is_dir() else path.resolve().parent.name),
            site_url=site_url, url_pattern=url_pattern, lang=lang,
            authors_are_speakers=authors_are_speakers,
            include=tuple(include), exclude=tuple(exclude),
        )
        root = path if path.is_dir() else path.parent
        sources = find_sources(path, options)
        for result in extract_archive(root, options, sources,
                                      workers=workers or default_workers()):
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


def format_post(post: Post) -> str:
    """A readable summary of one post."""
    lines = [
        click.style(post.title, bold=True),
        f"  {post.archive}/{post.source}  [{post.format}, {post.lang}, {post.status}]",
        f"  date: {post.date or '-'}   slug: {post.slug}",
    ]
    if post.url:
        lines.append(f"  url: {post.url}")
    for label, values in (("tags", post.tags), ("authors", post.authors),
                          ("categories", post.categories), ("speakers", post.speakers)):
        if values:
            lines.append(f"  {label}: {', '.join(values)}")
    for section in post.sections:
        speakers = f"  [{', '.join(section.speakers)}]" if section.speakers else ""
        lines.append(f"  {'  ' * section.level}#{section.anchor}  {section.title}{speakers}")
    lines.append(f"  {len(post.links)} links, {len(post.warnings)} warnings")
    return "\n".join(lines) + "\n"


def main() -> None:
    cli(prog_name="barcamp-search")
