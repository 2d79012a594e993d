"""The reference the benchmark compares barcamp-search with: the same job done with
SQLite FTS5 (standard library ``sqlite3``), on barcamp_search's own extractor output.

Build: one FTS5 row per section plus one per post intro (title, heading, body,
tags, authors, speakers; ``tokenize = "unicode61 remove_diacritics 2"``, no
stemming, no stop words), posts/tags/authors in plain tables for filters and
GROUP BY facets. The rows of a post are inserted together, so each post owns a
rowid range (``first_row``..``last_row``) that snippets use.

A query does what the search page needs, like ``SearchIndex.search``:

1. MATCH: words ANDed, ``"phrases"``, ``prefix*``; fuzzy (``word~``) has no
   FTS5 equivalent: the ``~`` is dropped and the word matched exactly (noted);
2. filters (tag=, author=, date=FROM..TO) by joins/WHERE on the post tables;
3. rows grouped by post, each post scored by its best row's ``bm25()``
   (column weights as our boosts: title 4, heading 2, body 1, tags 2,
   authors 1.5, speakers 2), kept in a temp table;
4. the total, the top 10 posts by score (no text: newest first), tag and
   author facet counts over ALL matching posts (GROUP BY), and ``snippet()``
   of the best 3 rows of each shown post (our page shows up to 3 sections).

Standalone use (builds into a temp file unless --db is given)::

    python bench/fts5_reference.py CORPUS_DIR [--db FILE] [--query "django orm"] [--tag T]
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKENIZER = "unicode61 remove_diacritics 2"
COLUMNS = ("title", "heading", "body", "tags", "authors", "speakers")
WEIGHTS = (4.0, 2.0, 1.0, 2.0, 1.5, 2.0)
SECTIONS_PER_POST = 3

SCHEMA = f"""
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    slug TEXT,
    title TEXT,
    date TEXT,
    day INTEGER,           -- YYYYMMDD, NULL when undated
    first_row INTEGER,     -- rowid range of the post's rows in docs
    last_row INTEGER
);
CREATE TABLE post_tags (post_id INTEGER NOT NULL, tag TEXT NOT NULL);
CREATE TABLE post_authors (post_id INTEGER NOT NULL, author TEXT NOT NULL);
CREATE VIRTUAL TABLE docs USING fts5(
    {", ".join(COLUMNS)}, post_id UNINDEXED, anchor UNINDEXED,
    tokenize = '{TOKENIZER}'
);
"""
INDEXES = """
CREATE INDEX post_tags_tag ON post_tags (tag, post_id);
CREATE INDEX post_tags_post ON post_tags (post_id);
CREATE INDEX post_authors_author ON post_authors (author, post_id);
CREATE INDEX post_authors_post ON post_authors (post_id);
CREATE INDEX posts_day ON posts (day);
"""


def connect(path: Path | str) -> sqlite3.Connection:
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
    con.execute("PRAGMA temp_store = MEMORY")
    con.execute("CREATE TEMP TABLE IF NOT EXISTS m (post_id INTEGER PRIMARY KEY, score REAL)")
    return con


def _day(iso: str | None) -> int | None:
    if not iso or len(iso) < 10:
        return None
    digits = iso[:10].replace("-", "")
    return int(digits) if digits.isdigit() else None


def build(db_path: Path, posts: list[Any]) -> dict[str, float | int]:
    """Insert extracted ``Post`` objects into a new database at ``db_path``.

    Returns counts and the seconds spent inserting (extraction is the caller's)."""
    db_path = Path(db_path)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(str(db_path))
    con.execute("PRAGMA journal_mode = OFF")  # a fresh file: nothing to roll back to
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(SCHEMA)
    rows = skipped = 0
    with con:
        for post_id, post in enumerate(posts, 1):
            if getattr(post, "status", "published") == "draft":
                skipped += 1
                continue
            tags = " ".join(post.tags)
            authors = " ".join(post.authors)
            docs = [
                (
                    post.title,
                    "",
                    " ".join(filter(None, [post.summary, post.text])),
                    tags,
                    authors,
                    " ".join(post.speakers),
                    post_id,
                    "",
                )
            ]
            for section in post.sections:
                docs.append(
                    (
                        post.title,
                        section.title,
                        section.text,
                        tags,
                        authors,
                        " ".join(section.speakers or post.speakers),
                        post_id,
                        section.anchor,
                    )
                )
            first = rows + 1
            con.executemany(
                "INSERT INTO docs (rowid, title, heading, body, tags, authors, speakers, "
                "post_id, anchor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + i, *doc) for i, doc in enumerate(docs)],
            )
            rows += len(docs)
            con.execute(
                "INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    post_id,
                    post.source,
                    post.slug,
                    post.title,
                    post.date,
                    _day(post.date),
                    first,
                    rows,
                ),
            )
            con.executemany(
                "INSERT INTO post_tags VALUES (?, ?)", [(post_id, t) for t in post.tags]
            )
            con.executemany(
                "INSERT INTO post_authors VALUES (?, ?)", [(post_id, a) for a in post.authors]
            )
        con.executescript(INDEXES)
        con.execute("INSERT INTO docs (docs) VALUES ('optimize')")
    con.execute("ANALYZE")
    con.close()
    return {
        "insert_seconds": time.perf_counter() - started,
        "rows": rows,
        "posts": len(posts) - skipped,
        "skipped_drafts": skipped,
        "bytes": db_path.stat().st_size,
    }


# --- queries ---------------------------------------------------------------------------------

_TOKEN = re.compile(r'"[^"]*"?|\S+')


def match_expression(text: str) -> tuple[str | None, list[str]]:
    """Our query text -> an FTS5 MATCH expression (None: no text) and notes."""
    notes: list[str] = []
    parts: list[str] = []
    for token in _TOKEN.findall(text):
        if token.startswith('"'):
            phrase = token.strip('"').strip()
            if phrase:
                parts.append('"' + phrase.replace('"', '""') + '"')
            continue
        fuzzy = re.fullmatch(r"(.+?)~\d*", token)
        if fuzzy:
            notes.append(f"fuzzy {token!r} has no FTS5 equivalent: matched as {fuzzy.group(1)!r}")
            token = fuzzy.group(1)
        if token.endswith("*") and len(token) > 1:
            parts.append('"' + token[:-1].replace('"', '""') + '" *')
        else:
            parts.append('"' + token.replace('"', '""') + '"')
    return (" AND ".join(parts) or None), notes


@dataclass(frozen=True)
class Result:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    notes: list[str]


def _filters(
    tags: tuple[str, ...], authors: tuple[str, ...], date_from: str | None, date_to: str | None
) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for tag in tags:
        where.append("p.id IN (SELECT post_id FROM post_tags WHERE tag = ?)")
        params.append(tag.lower())
    for author in authors:
        where.append("p.id IN (SELECT post_id FROM post_authors WHERE author = ?)")
        params.append(author)
    if date_from or date_to:  # undated posts never pass a date filter
        where.append("p.day BETWEEN ? AND ?")
        params += [_day(date_from) or 0, _day(date_to) or 99999999]
    return where, params


def search(
    con: sqlite3.Connection,
    text: str = "",
    tags: tuple[str, ...] = (),
    authors: tuple[str, ...] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    per_page: int = 10,
    facet_limit: int = 30,
) -> Result:
    """One search page: total, top posts with snippets, tag and author facets."""
    match, notes = match_expression(text)
    where, params = _filters(tags, authors, date_from, date_to)
    con.execute("DELETE FROM temp.m")
    weights = ", ".join(str(w) for w in WEIGHTS)
    if match:
        con.execute(
            f"WITH r AS MATERIALIZED ("
            f"SELECT post_id, bm25(docs, {weights}) AS score FROM docs WHERE docs MATCH ?) "
            f"INSERT INTO temp.m (post_id, score) "
            f"SELECT r.post_id, min(r.score) FROM r JOIN posts p ON p.id = r.post_id "
            f"{' WHERE ' + ' AND '.join(where) if where else ''} "
            f"GROUP BY r.post_id",
            [match, *params],
        )
        order = "m.score ASC"  # bm25() is lower for better matches
    else:
        con.execute(
            "INSERT INTO temp.m (post_id, score) SELECT p.id, 0 FROM posts p"
            + (" WHERE " + " AND ".join(where) if where else ""),
            params,
        )
        order = "p.day IS NULL, p.day DESC, p.source"
    total = con.execute("SELECT count(*) FROM temp.m").fetchone()[0]
    top = con.execute(
        f"SELECT p.id, p.source, p.title, p.date, p.first_row, p.last_row, m.score "
        f"FROM temp.m m JOIN posts p ON p.id = m.post_id ORDER BY {order} LIMIT ?",
        (per_page,),
    ).fetchall()
    facets = {
        "tag": con.execute(
            "SELECT t.tag, count(*) AS n FROM temp.m m JOIN post_tags t ON t.post_id = m.post_id "
            "GROUP BY t.tag ORDER BY n DESC, t.tag LIMIT ?",
            (facet_limit,),
        ).fetchall(),
        "author": con.execute(
            "SELECT a.author, count(*) AS n FROM temp.m m "
            "JOIN post_authors a ON a.post_id = m.post_id "
            "GROUP BY a.author ORDER BY n DESC, a.author LIMIT ?",
            (facet_limit,),
        ).fetchall(),
    }
    hits = []
    for post_id, source, title, date, first, last, score in top:
        sections: list[tuple[str, str]] = []
        if match:
            sections = con.execute(
                "SELECT heading, snippet(docs, 2, '<mark>', '</mark>', ' … ', 24) FROM docs "
                "WHERE docs MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rank LIMIT ?",
                (match, first, last, SECTIONS_PER_POST),
            ).fetchall()
        hits.append(
            {
                "post": post_id,
                "source": source,
                "title": title,
                "date": date,
                "score": -score if score else 0.0,
                "sections": sections,
            }
        )
    return Result(total, hits, facets, notes)


def extract_posts(root: Path, workers: int | None = None) -> tuple[list[Any], float, int]:
    """barcamp_search's extractor over a folder: (posts, seconds, failures)."""
    from barcamp_search.archive import ArchiveOptions
    from barcamp_search.config import default_workers
    from barcamp_search.model import Post
    from barcamp_search.read.extract import extract_archive

    started = time.perf_counter()
    posts: list[Any] = []
    failed = 0
    for result in extract_archive(
        Path(root), ArchiveOptions("bench", lang="fr"), workers=workers or default_workers()
    ):
        if isinstance(result, Post):
            posts.append(result)
        else:
            failed += 1
    return posts, time.perf_counter() - started, failed


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--db", type=Path, help="database file (default: a temp file)")
    parser.add_argument("--query", default="python")
    parser.add_argument("--tag", action="append", default=[])
    parser.add_argument("--author", action="append", default=[])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "fts5.sqlite"
        posts, seconds, failed = extract_posts(args.corpus)
        stats = build(db, posts)
        print(
            f"extracted {len(posts)} posts ({failed} failed) in {seconds:.2f} s, "
            f"inserted {stats['rows']} rows in {stats['insert_seconds']:.2f} s, "
            f"{stats['bytes'] / 1e6:.1f} MB",
            file=sys.stderr,
        )
        con = connect(db)
        started = time.perf_counter()
        result = search(con, args.query, tuple(args.tag), tuple(args.author))
        took = (time.perf_counter() - started) * 1000
        print(f"{result.total} posts for {args.query!r} ({took:.1f} ms) {result.notes}")
        for hit in result.hits:
            print(f"  {hit['score']:.3f}  {hit['title']}")
            for heading, snippet in hit["sections"]:
                print(f"      § {heading}: {snippet[:150]}")
        for name, counts in result.facets.items():
            print(f"{name}: " + ", ".join(f"{v} ({n})" for v, n in counts[:8]))
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
