"""What every view shares: this process's index, request arguments -> ``SearchQuery``,
the URLs of the search state, the interface language, the error shape.

- one ``SearchIndex`` per worker process, created lazily (so each forked gunicorn worker
  opens its own) and reopened by the core when the index has a new generation (checked at
  most every second);
- turning arguments into a ``SearchQuery`` (``query_from_args``), the one path shared by
  the search page, ``/api/search`` and the feed;
- errors: ``{"ok": false, "error": ..., "status": N}`` for machine endpoints, a friendly
  page otherwise.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import current_app, g, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from barcamp_search.config import Settings
from barcamp_search.errors import QueryError
from barcamp_search.facets import all_facets
from barcamp_search.search import SearchIndex, SearchQuery, SearchResults
from barcamp_search.web.i18n import plural, translate

EXTENSION = "barcamp_search"
RECHECK_SECONDS = 1.0
# Parameters of a search, as in the URL: a repeatable one per facet (``?tag=``, from the
# registry, barcamp_search.facets), then single values.
SINGLE_PARAMS = (
    "q",
    "lang",
    "from",
    "to",
    "sort",
    "page",
    "per_page",
    "typos",
    "synonyms",
    "instant",
)
MAX_VALUES = 20  # values of one repeatable parameter
MAX_VALUE_CHARS = 1000
MACHINE_PATHS = ("/api/", "/healthz", "/feed.atom", "/opensearch.xml")


class IndexHolder:
    """One ``SearchIndex`` per process, opened on first use.

    Gunicorn forks its workers: a handle opened before the fork would share
    file descriptors between processes, so the pid is part of the key.
    """

    def __init__(
        self,
        root: Path,
        recheck: float = RECHECK_SECONDS,
        synonyms: Any = None,
        people_aliases: Any = None,
    ) -> None:
        self.root = Path(root)
        self.recheck = recheck
        self.synonyms = synonyms
        self.people_aliases = people_aliases
        self._pid = 0
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex:
        with self._lock:
            if self._index is None or self._pid != os.getpid():
                self._index = SearchIndex(
                    self.root,
                    recheck=self.recheck,
                    synonyms=self.synonyms,
                    people_aliases=self.people_aliases,
                )
                self._pid = os.getpid()
            return self._index


def current_index() -> SearchIndex:
    """This process's ``SearchIndex``."""
    holder: IndexHolder = current_app.extensions[EXTENSION]
    return holder.get()


def current_settings() -> Settings:
    return current_app.config["SETTINGS"]


# --- arguments -> SearchQuery ---------------------------------------------------------------


def _whole_number(name: str, value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    if not re.fullmatch(r"\s*\d{1,9}\s*", value):
        raise QueryError(f'"{name}" must be a whole number (got {value[:20]!r}).')
    return int(value)


def _switch(value: str | None, default: bool) -> bool:
    """``1``/``0`` (also true/false, on/off, yes/no); absent or empty: the default."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in ("0", "false", "off", "no")


def query_from_args(
    args: MultiDict[str, str], per_page: int | None = None, **fixed: Any
) -> SearchQuery:
    """The ``SearchQuery`` of request arguments; ``QueryError`` for bad values.

    Empty values are ignored (an empty form field means "not given"), as are
    unknown parameters; the core checks bounds, dates and years.
    """
    filters: dict[str, tuple[str, ...]] = {}
    for param in filter_params():
        given = [v.strip() for v in args.getlist(param) if v.strip()]
        if len(given) > MAX_VALUES:
            raise QueryError(f'At most {MAX_VALUES} values of "{param}" (got {len(given)}).')
        filters[param] = tuple(dict.fromkeys(given))
    for param in SINGLE_PARAMS:
        for value in args.getlist(param):
            if len(value) > MAX_VALUE_CHARS:
                raise QueryError(f'"{param}" is too long (at most {MAX_VALUE_CHARS} characters).')
    for selected in filters.values():
        if any(len(v) > MAX_VALUE_CHARS for v in selected):
            raise QueryError(f"A filter value is too long (at most {MAX_VALUE_CHARS} characters).")
    default_per_page = per_page or current_settings().per_page
    values: dict[str, Any] = dict(
        filters=filters,
        text=args.get("q", ""),
        lang=(args.get("lang") or "").strip() or None,
        date_from=(args.get("from") or "").strip() or None,
        date_to=(args.get("to") or "").strip() or None,
        sort=(args.get("sort") or "").strip() or "relevance",
        page=_whole_number("page", args.get("page"), 1),
        per_page=_whole_number("per_page", args.get("per_page"), default_per_page),
        typos=_switch(args.get("typos"), True),
        synonyms=_switch(args.get("synonyms"), True),
        instant=_switch(args.get("instant"), False),
    )
    values.update(fixed)
    return SearchQuery(**values)


def filter_params() -> tuple[str, ...]:
    """The repeatable parameters: one per facet of the registry (``tag``, ``author``...)."""
    return tuple(facet.name for facet in all_facets())


def run_search(args: MultiDict[str, str] | None = None, **fixed: Any) -> SearchResults:
    """Run the search of these arguments (the request's by default)."""
    query = query_from_args(request.args if args is None else args, **fixed)
    return current_index().search(query)


# --- URLs of the search state ------------------------------------------------------------


def state_pairs(args: MultiDict[str, str] | None = None) -> list[tuple[str, str]]:
    """The request's search parameters (and ``ui``), in order, empty ones left out, and
    those this request marked transient (``keep_out``) too."""
    args = request.args if args is None else args
    known = (set(filter_params()) | set(SINGLE_PARAMS) | {"ui"}) - set(g.get("keep_out", ()))
    return [(k, v) for k, v in args.items(multi=True) if k in known and v.strip()]


def keep_out(*params: str) -> None:
    """Leave ``params`` out of every link this request renders: the results region fetched
    while typing asks with ``instant=1``, but its links are those of the search the address
    bar shows, where the query is no longer being typed."""
    g.keep_out = params


def url_with(
    endpoint: str = "search",
    add: Iterable[tuple[str, str]] = (),
    remove: Iterable[tuple[str, str | None]] = (),
    **replace: Any,
) -> str:
    """The current search's URL changed: pairs added or removed (value None: every value
    of that name), single parameters replaced (None drops them). Any change but a new
    page number goes back to page 1."""
    removed = list(remove)
    pairs = [
        (k, v)
        for k, v in state_pairs()
        if not any(k == rk and (rv is None or v == rv) for rk, rv in removed) and k not in replace
    ]
    if add or removed or set(replace) - {"page", "ui"}:
        if "page" not in replace:
            pairs = [(k, v) for k, v in pairs if k != "page"]
    pairs += [(k, v) for k, v in add if (k, v) not in pairs]
    pairs += [(k, str(v)) for k, v in replace.items() if v not in (None, "")]
    base = (
        url_for(endpoint, **request.view_args)
        if endpoint == request.endpoint and request.view_args
        else url_for(endpoint)
    )
    return base + ("?" + urlencode(pairs) if pairs else "")


def ui_lang() -> str:
    """The interface language of this request."""
    return g.get("ui", current_settings().ui_lang)


def ui_text(key: str, **values: Any) -> str:
    """An interface string in this request's language."""
    return translate(ui_lang(), key, **values)


def plural_text(key: str, n: int) -> str:
    """``post`` and 3 -> "3 posts" in this request's language."""
    return plural(ui_lang(), key, n)


def wants_json() -> bool:
    return request.path.startswith(MACHINE_PATHS)


def error_response(
    status: int,
    message: str,
    title_key: str | None = None,
    template: str = "error.html",
    **context: Any,
) -> Any:
    """The error shape for machine endpoints, a page for people."""
    if wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
        response.status_code = status
        return response
    keys = {
        400: "bad_request_title",
        404: "not_found_title",
        405: "method_title",
        503: "no_index_title",
    }
    title = ui_text(title_key or keys.get(status, "error_title"))
    return render_template(template, status=status, title=title, message=message, **context), status
