"""Views of the web app: read the arguments, ask the core, render HTML or JSON.

Every route answers GET (and HEAD) only. The search page, ``/api/search`` and
``/feed.atom`` share one path (``context.run_search``); the browse pages count
facets over the whole index; ``/post/<archive>/<slug>`` renders a post from its
stored plain text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import quote, urlencode

from flask import Flask, jsonify, render_template, request, url_for

from barcamp_search.errors import QueryError
from barcamp_search.facets import by_plural, counted_facets, facet_names
from barcamp_search.indexer.analysis import fold
from barcamp_search.search.engine import SORTS, Hit, SearchQuery, SearchResults
from barcamp_search.web.catalogs import language_name
from barcamp_search.web.context import (
    current_index,
    error_response,
    filter_params,
    keep_out,
    run_search,
    state_pairs,
    ui_lang,
    ui_text,
)
from barcamp_search.web.i18n import LANGUAGE_NAMES, LANGUAGES
from barcamp_search.web.render import highlight_words, safe_url

FACETS_SHOWN = 10  # values of a facet on the page; the rest on demand (/api/facets, ?more=)
FACETS_MORE = 1000
URI_COMPONENT_SAFE = (
    "!~*'()"  # with letters, digits and -_. : left as they are  # values of a facet shown on demand
)
SUGGEST_LIMIT = 20
FACET_LIMIT = 1000
SPEAKER_PAGE = 50
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CHIP_PARAMS = ("lang", "from", "to")  # after the facets' own parameters
SUGGESTION_KINDS = ("word", "tag", "speaker", "title")  # /api/suggest's kinds


def lower_ui(label: str) -> str:
    """A label lower-cased inside a sentence ("Browse: tags"), except in German, where
    nouns keep their capital ("Durchsuchen: Schlagwörter")."""
    return label if ui_lang() == "de" else label.lower()


def post_language_name(code: str) -> str:
    """A post language's name in itself ("Deutsch", "日本語"), or its code if unknown."""
    try:
        return language_name(code)
    except (ValueError, LookupError):
        return code


def register(app: Flask) -> None:
    """Add every route (GET only, no automatic OPTIONS) and the template helpers."""
    routes = [
        ("/", "index", search_page),
        ("/search", "search", search_page),
        ("/post/<archive>/<path:slug>", "post", post_page),
        *[
            (f"/{facet.plural}", facet.plural, browse_page)
            for facet in counted_facets()
            if facet.browse
        ],
        ("/speakers/<path:name>", "speaker", speaker_page),
        ("/timeline", "timeline", timeline_page),
        ("/api/search", "api_search", api_search),
        ("/api/search.csv", "api_search_csv", api_search_csv),
        ("/api/suggest", "api_suggest", api_suggest),
        ("/api/facets", "api_facets", api_facets),
        ("/feed.atom", "feed", feed),
        ("/opensearch.xml", "opensearch", opensearch),
        ("/healthz", "healthz", healthz),
    ]
    for rule, endpoint, view in routes:
        app.add_url_rule(
            rule, endpoint, cast(Any, view), methods=["GET"], provide_automatic_options=False
        )
    app.jinja_env.globals.update(
        hit_url=hit_url,
        facet_id=facet_id,
        facet_names=facet_names,
        back_to_search=back_to_search,
        section_url=section_url,
        facets_shown=counted_facets,
        browsable=browsable,
        FACETS_SHOWN=FACETS_SHOWN,
        SORTS=SORTS,
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        post_language_name=post_language_name,
        keep_pairs=keep_pairs,
        header_pairs=header_pairs,
        suggestion_kinds=SUGGESTION_KINDS,
    )
    app.jinja_env.filters["lower_ui"] = lower_ui
    app.jinja_env.filters["xml"] = lambda value: XML_ILLEGAL.sub("", str(value or ""))


def browsable() -> list[Any]:
    """The facets with a browsing page (for the navigation)."""
    return [facet for facet in counted_facets() if facet.browse]


# --- links -------------------------------------------------------------------------------


def post_link(archive: str, slug: str, anchor: str | None = None) -> str:
    """Our own page of a post. From a search it carries the whole search (query, filters,
    sort, page): the post highlights the words and its "Back to the search" link returns
    to exactly that search."""
    url = url_for("post", archive=archive, slug=slug)
    if request.endpoint in ("search", "index"):
        pairs = state_pairs()
    else:
        pairs = [(k, v) for k, v in state_pairs() if k in ("q", "ui")]
    return url + ("?" + urlencode(pairs) if pairs else "") + (f"#{anchor}" if anchor else "")


def back_to_search() -> str:
    """The search a post page was opened from (its parameters are that search's)."""
    pairs = [(k, v) for k, v in state_pairs() if k != "instant"]
    return url_for("search") + ("?" + urlencode(pairs) if pairs else "")


def hit_url(hit: Hit) -> str:
    """The post's published URL, or our page of it when its archive has no site URL."""
    return safe_url(hit.url) or post_link(hit.archive, hit.slug)


def section_url(hit: Hit, anchor: str | None, url: str | None = None) -> str:
    """Deep link to a section of a hit: ``url#anchor``."""
    own = safe_url(url)
    if own:
        return own
    anchor = quote(anchor, safe="-._~") if anchor else None
    published = safe_url(hit.url)
    if published:
        return published + (f"#{anchor}" if anchor else "")
    return post_link(hit.archive, hit.slug, anchor)


def facet_id(name: str, value: str) -> str:
    """The id of a facet value's link, the same on every page: the value percent-encoded
    as JavaScript's ``encodeURIComponent`` does (app.js makes the same ids), so it has no
    space and stands as it is in a URL's #fragment."""
    return f"f-{name}-{quote(value, safe=URI_COMPONENT_SAFE)}"


def keep_pairs(*dropped: str) -> list[tuple[str, str]]:
    """The current search parameters but ``dropped`` ones (and the page), for forms."""
    return [(k, v) for k, v in state_pairs() if k not in dropped and k != "page"]


def header_pairs() -> list[tuple[str, str]]:
    """Hidden fields of the header's search box: a new query keeps the filters."""
    if request.endpoint in ("search", "index"):
        return keep_pairs("q")
    return [("ui", v) for k, v in state_pairs() if k == "ui"]


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: first, last, and ``around`` each side (None for a gap)."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window


# --- pages -------------------------------------------------------------------------------


def search_page() -> Any:
    """The search page, or with ``fragment=1`` only its results region (results, facets,
    chips, paging) and the footer's links, which the page's script swaps in while the query
    is typed (``instant=1``) and on Back/Forward between searches it committed."""
    fragment = _switch_on("fragment")
    if fragment:
        keep_out("instant")
    more = request.args.get("more", "").strip()
    # one value past those shown tells whether there are more (the selected ones always
    # come too); ?more=<facet> (the link without JavaScript) asks for all of them
    limit = FACETS_MORE if more in facet_names() else FACETS_SHOWN + 1
    results = run_search(facet_limit=limit)
    pages = min(results.pages, 1000)
    facets = {
        name: sorted(counts, key=lambda c: not c.selected)
        for name, counts in results.facets.items()
    }
    chip_params = (*filter_params(), *CHIP_PARAMS)
    chips = [(k, v) for k, v in state_pairs() if k in chip_params]
    is_home = request.endpoint == "index" and not [k for k, _ in state_pairs() if k != "ui"]
    return render_template(
        "search_fragment.html" if fragment else "search.html",
        home=home_summary() if is_home else None,
        more=more,
        results=results,
        facets=facets,
        chips=chips,
        pages=pages,
        window=page_window(results.query.page, pages),
        words=highlight_words(results.query.text),
    )


def home_summary() -> dict[str, Any]:
    """What the index holds, for the home page's sentence: posts, archives, years, speakers."""
    everything = current_index().search(SearchQuery(per_page=1, facet_limit=100_000))
    years = sorted(int(c.value) for c in everything.facets.get("year", ()) if c.value.isdigit())
    return {
        "posts": everything.total,
        "archives": len(everything.facets.get("archive", ())),
        "speakers": len(everything.facets.get("speaker", ())),
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
    }


def post_page(archive: str, slug: str) -> Any:
    post = current_index().post(archive, slug)
    if post is None:
        message = ui_text("post_not_found", slug=slug[:200], archive=archive[:200])
        return error_response(404, message)
    return render_template("post.html", post=post, words=highlight_words(request.args.get("q")))


BROWSE_PAGE = 100  # rows of a browsing page


def browse_page() -> Any:
    """Every value of a facet with its post count, most used first, a page of
    ``BROWSE_PAGE`` at a time (``?per_page=``); ``?filter=`` keeps the values containing
    that text (case and accents aside)."""
    facet = by_plural(request.endpoint or "tags").name
    results = current_index().search(SearchQuery(per_page=1, facet_limit=100_000))
    every = results.facets[facet]
    wanted = request.args.get("filter", "")[:200].strip()
    folded = fold(wanted)
    counts = [c for c in every if folded in fold(c.value)] if wanted else list(every)
    size = _bounded("per_page", BROWSE_PAGE, 1, 1000)
    pages = max(1, -(-len(counts) // size))
    number = _bounded("page", 1, 1, 100_000)
    shown = counts[(number - 1) * size : number * size]
    return render_template(
        "browse.html",
        facet=facet,
        counts=shown,
        total=len(every),
        matching=len(counts),
        wanted=wanted,
        page=number,
        pages=pages,
        window=page_window(number, pages),
        per_page=size if size != BROWSE_PAGE else None,
        title_key=f"browse_{request.endpoint}",
    )


def speaker_page(name: str) -> Any:
    page = _bounded("page", 1, 1, 1000)
    engine = current_index()
    results = engine.search(
        SearchQuery(
            speakers=(name,), sort="newest", page=page, per_page=SPEAKER_PAGE, facet_limit=10
        )
    )
    if results.total == 0:
        return error_response(404, ui_text("speaker_none", name=name[:200]))
    talks = []
    spellings = engine.spellings("speaker", name)  # the person's names in the posts
    names = {n.casefold() for n in spellings}
    for hit in results.hits:
        post = engine.post(hit.archive, hit.slug) or {}
        sections = [
            s
            for s in post.get("sections", [])
            if names & {p.casefold() for p in s.get("speakers", [])}
        ]
        talks.append((hit, sections))
    pages = results.pages
    return render_template(
        "speaker.html",
        name=name,
        variants=spellings[1:],  # other spellings gathered under this person
        results=results,
        talks=talks,
        pages=pages,
        window=page_window(page, pages),
    )


def year_span(years: Iterable[str]) -> list[str]:
    """Every year from the first to the last, gaps included, unless a stray date makes the
    range absurdly wide (then the years with posts only)."""
    numbers = sorted({int(y) for y in years})
    if numbers and numbers[-1] - numbers[0] < MAX_SPAN:
        return [str(y) for y in range(numbers[0], numbers[-1] + 1)]
    return [str(y) for y in numbers]


def timeline_page() -> Any:
    """Posts per year of each archive, each chart on its own scale and over its own years
    (so none opens on empty years); an archive's total is its facet count (undated posts
    included, and shown apart)."""
    engine = current_index()
    counts = engine.timeline()
    everything = engine.search(SearchQuery(per_page=1, facet_limit=100_000))
    totals = {c.value: c.count for c in everything.facets.get("archive", ())}
    charts = []
    for archive in sorted(set(counts) | set(totals)):
        by_year = counts.get(archive, {})
        dated = sum(by_year.values())
        highest = max(by_year.values(), default=0)
        span = year_span(by_year)
        charts.append(
            {
                "archive": archive,
                "total": max(totals.get(archive, 0), dated),
                "undated": max(totals.get(archive, 0) - dated, 0),
                "highest": highest,
                "bars": [
                    bar(i, year, by_year.get(year, 0), highest or 1) for i, year in enumerate(span)
                ],
                "width": max(len(span), 1) * BAR_STEP + 8,
            }
        )
    years = year_span(y for by_year in counts.values() for y in by_year)
    return render_template(
        "timeline.html",
        charts=charts if years else [],
        years=years,
        counts=counts,
        height=CHART_HEIGHT + 40,
    )


BAR_STEP, BAR_WIDTH, CHART_HEIGHT, MAX_SPAN = 40, 30, 120, 60


def bar(position: int, year: str, count: int, highest: int) -> dict[str, Any]:
    """Geometry of one bar of the timeline's SVG (top margin 20 for the count)."""
    height = round(CHART_HEIGHT * count / highest) if count else 0
    return {
        "year": year,
        "count": count,
        "x": 4 + position * BAR_STEP,
        "width": BAR_WIDTH,
        "y": 20 + CHART_HEIGHT - height,
        "height": height,
        "label_x": 4 + position * BAR_STEP + BAR_WIDTH // 2,
    }


# --- machine endpoints ---------------------------------------------------------------------


def _bounded(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"\d{1,9}", value) or not low <= int(value) <= high:
        raise QueryError(
            f'"{name}" must be a whole number from {low} to {high} (got {value[:20]!r}).'
        )
    return int(value)


def api_search() -> Any:
    return jsonify(run_search().to_json())


CSV_PAGE = 100  # the core's largest page
CSV_ROWS = 5000
CSV_COLUMNS = (
    "rank",
    "title",
    "date",
    "archive",
    "lang",
    "authors",
    "speakers",
    "tags",
    "url",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One cell: lists joined with "; ", and a text a spreadsheet would take for a
    formula (archive text is untrusted) prefixed with an apostrophe (OWASP's advice)."""
    text = "; ".join(value) if isinstance(value, list | tuple) else str(value or "")
    return "'" + text if text.startswith(FORMULA_START) else text


def api_search_csv() -> Any:
    """Every post of the search (up to ``CSV_ROWS``), in its order, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rank, number = 0, 1
    while rank < CSV_ROWS:
        results = run_search(page=number, per_page=CSV_PAGE, facet_limit=1)
        for hit in results.hits:
            rank += 1
            link = safe_url(hit.url) or url_for(
                "post", archive=hit.archive, slug=hit.slug, _external=True
            )
            row: tuple[Any, ...] = (rank, hit.title, (hit.date or "")[:10], hit.archive)
            row += (hit.lang, hit.authors, hit.speakers, hit.tags, link)
            writer.writerow([csv_cell(value) for value in row])
        if number >= results.pages or not results.hits:
            break
        number += 1
    text = results.query.text.strip()
    name = re.sub(r"[^\w-]+", "-", text, flags=re.ASCII).strip("-")[:60] or "all"
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="barcamp-search-{name}.csv"',
    }
    return "\ufeff" + out.getvalue(), 200, headers


def _switch_on(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    return bool(value) and value not in ("0", "false", "off", "no")


def api_suggest() -> Any:
    """Completions of ``q``: ``{"query", "suggestions": [{"value", "kind"}...]}`` (a title
    of one post adds its ``archive``, ``slug`` and ``url``), or with ``format=opensearch``
    the OpenSearch suggestions format ``[query, [values...]]`` browsers ask for."""
    limit = _bounded("limit", 8, 1, SUGGEST_LIMIT)
    prefix = request.args.get("q", "")
    shape = request.args.get("format", "").strip() or "json"
    if shape not in ("json", "opensearch"):
        raise QueryError(f'"format" must be json or opensearch (got {shape[:20]!r}).')
    suggestions = current_index().complete(prefix, limit)
    for item in suggestions:
        if "url" in item:
            item["url"] = completion_url(item)
    if shape == "opensearch":
        body = json.dumps([prefix, [item["value"] for item in suggestions]], ensure_ascii=False)
        return body, 200, {"Content-Type": "application/x-suggestions+json; charset=utf-8"}
    return jsonify({"query": prefix, "suggestions": suggestions})


def completion_url(item: dict[str, str]) -> str:
    """Where choosing a post title goes: its published URL when it is a safe link, else
    its page here (the core's ``/post/...`` path, under this app's root)."""
    url = item["url"]
    if not url.startswith("/"):
        return safe_url(url) or url_for("post", archive=item["archive"], slug=item["slug"])
    return request.script_root + url


def api_facets() -> Any:
    facet = request.args.get("facet", "").strip()
    if facet not in facet_names():
        raise QueryError(
            f'Unknown facet "{facet[:50]}". Available facets: {", ".join(facet_names())}'
        )
    limit = _bounded("limit", 50, 1, FACET_LIMIT)
    results: SearchResults = run_search(per_page=1, page=1, facet_limit=limit)
    return jsonify(
        {
            "facet": facet,
            "query": results.query.text,
            "total": results.total,
            "values": [
                {"value": c.value, "count": c.count, "selected": c.selected}
                for c in results.facets[facet]
            ],
        }
    )


def atom_date(value: str | None) -> str | None:
    """An ISO date as RFC 3339 (naive dates are taken as UTC)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def feed() -> Any:
    results = run_search(per_page=20, sort="newest")
    entries: list[dict[str, Any]] = []
    for hit in results.hits:
        link = safe_url(hit.url) or url_for(
            "post", archive=hit.archive, slug=hit.slug, _external=True
        )
        entries.append(
            {
                "hit": hit,
                "link": link,
                "updated": atom_date(hit.date),
                "id": url_for("post", archive=hit.archive, slug=hit.slug, _external=True),
            }
        )
    fallback = datetime.now(UTC).replace(microsecond=0).isoformat()
    if not entries or not all(e["updated"] for e in entries):  # undated: the last run
        status = current_index().stats().get("status") or {}
        fallback = atom_date((status.get("finished") or "").replace("+0000", "+00:00")) or fallback
    updated = max((e["updated"] for e in entries if e["updated"]), default=fallback)
    text = results.query.text.strip()
    title = ui_text("feed_title", query=text or ui_text("feed_all"))
    body = render_template(
        "feed.atom.xml",
        entries=entries,
        title=title,
        updated=updated,
        fallback=fallback,
        self_url=request.url,
        html_url=url_for("search", _external=True) + _query_string(),
    )
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


def _query_string() -> str:
    raw = request.query_string.decode("ascii", "replace")
    return f"?{raw}" if raw else ""


def opensearch() -> Any:
    body = render_template("opensearch.xml")
    return body, 200, {"Content-Type": "application/opensearchdescription+xml; charset=utf-8"}


def healthz() -> Any:
    stats = current_index().stats()
    status = stats.get("status") or {}
    return jsonify(
        {
            "ok": True,
            "generation": stats["generation"],
            "posts": stats["posts"],
            "sections": stats["sections"],
            "archives": stats["archives"],
            "last_indexed": status.get("finished"),
            "last_result": status.get("result"),
        }
    )
