"""Plain-text renderings for the CLI (no click, no whoosh): posts, results, stats."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from barcamp_search.model import Post
    from barcamp_search.search.engine import SearchResults

BOLD, YELLOW, DIM, RESET = "\033[1m", "\033[1;33m", "\033[2m", "\033[0m"


def format_post(post: Post) -> str:
    """A readable summary of one extracted post."""
    lines = [
        f"{BOLD}{post.title}{RESET}",
        f"  {post.archive}/{post.source}  [{post.format}, {post.lang}, {post.status}]",
        f"  date: {post.date or '-'}   slug: {post.slug}",
    ]
    if post.url:
        lines.append(f"  url: {post.url}")
    for label, values in (
        ("tags", post.tags),
        ("authors", post.authors),
        ("categories", post.categories),
        ("speakers", post.speakers),
    ):
        if values:
            lines.append(f"  {label}: {', '.join(values)}")
    for section in post.sections:
        speakers = f"  [{', '.join(section.speakers)}]" if section.speakers else ""
        lines.append(f"  {'  ' * section.level}#{section.anchor}  {section.title}{speakers}")
    lines.append(f"  {len(post.links)} links, {len(post.warnings)} warnings")
    return "\n".join(lines) + "\n"


def snippet_text(snippet: str) -> str:
    """HTML snippet -> terminal text, the matched words in bold yellow."""
    parts = re.split(r"(<mark>.*?</mark>)", snippet)
    out = []
    for part in parts:
        if part.startswith("<mark>"):
            out.append(YELLOW + html.unescape(part[6:-7]) + RESET)
        else:
            out.append(html.unescape(part))
    return "".join(out)


def format_results(results: SearchResults) -> str:
    query = results.query
    what = f' for "{query.text}"' if query.text else ""
    lines = [
        f"{results.total} posts{what} — page {query.page} of {results.pages} "
        f"({results.took_ms:.0f} ms)",
        "",
    ]
    if results.suggestion:
        lines[1:1] = [f"Did you mean: {results.suggestion}", ""]
    if results.corrected:
        lines[1:1] = [
            f"Showing results for: {results.corrected} (search instead for "
            f"{results.query.text!r} with --no-typos)"
        ]
    start = (query.page - 1) * query.per_page
    for number, hit in enumerate(results.hits, start + 1):
        meta = " · ".join(
            filter(None, [(hit.date or "")[:10], hit.archive, ", ".join(hit.authors)])
        )
        lines.append(f"{number:>3}. {BOLD}{hit.title}{RESET}")
        lines.append(f"     {DIM}{meta}{RESET}")
        if hit.url:
            lines.append(f"     {hit.url}")
        if hit.tags:
            lines.append(f"     tags: {', '.join(hit.tags)}")
        for section in hit.sections:
            if section.anchor:
                lines.append(f"     § {section.title}  #{section.anchor}")
            lines.append(f"       {snippet_text(section.snippet)}")
        lines.append("")
    for name, counts in results.facets.items():
        if counts:
            shown = ", ".join(f"{c.value} ({c.count})" for c in counts[:8])
            lines.append(f"{name}: {shown}")
    return "\n".join(lines)


def format_stats(data: dict[str, Any], root: Path) -> str:
    status = data.get("status") or {}
    lines = [
        f"index: {root} (generation {data['generation']}, {data['size_bytes'] / 1048576:.1f} MiB)",
        f"posts: {data['posts']}   sections: {data['sections']}",
        "archives: " + ", ".join(f"{k} ({v})" for k, v in data["archives"].items()),
    ]
    if status:
        lines.append(
            f"last run: {status.get('finished')} {status.get('result')}: "
            f"{status.get('added', 0)} new, {status.get('updated', 0)} changed, "
            f"{status.get('removed', 0)} removed, {len(status.get('failed', []))} "
            f"failed in {status.get('seconds', 0)} s"
        )
    return "\n".join(lines)


def format_indexed_post(post: dict[str, Any]) -> str:
    lines = [
        f"{BOLD}{post['title']}{RESET}",
        f"  {post['archive']}/{post['source']}  {post.get('date') or ''}",
    ]
    for key in ("url", "tags", "authors", "speakers", "categories"):
        value = post.get(key)
        if value:
            lines.append(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    if post.get("text"):
        lines += ["", post["text"]]
    for section in post.get("sections", []):
        lines += ["", f"§ {section['title']}  #{section['anchor']}", section["text"]]
    return "\n".join(lines)
