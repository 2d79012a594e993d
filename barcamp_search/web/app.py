"""Web app stage: ``create_app(settings)`` builds the Flask app over a ``SearchIndex``.

Request arguments in, a ``SearchQuery`` to the core, ``SearchResults`` out as
HTML (Jinja templates from ``web/``, shipped in the wheel as
``barcamp_search.web``) or as the CLI's ``--json`` shape under ``/api``. The
views live in ``views.py``; this module holds what every view shares:

- one ``SearchIndex`` per worker process, created lazily (so each forked
  gunicorn worker opens its own) and reopened by the core when the index has a
  new generation (checked at most every second);
- turning arguments into a ``SearchQuery`` (``query_from_args``), the one path
  shared by the search page, ``/api/search`` and the feed;
- errors: ``{"ok": false, "error": ..., "status": N}`` for machine endpoints, a
  friendly page otherwise; ``QueryError`` is 400, a missing index 503;
- security headers (a Content-Security-Policy without ``unsafe-inline``) and
  GET/HEAD only: no endpoint changes anything;
- safe rendering of archive text: escaped, only http/https/mailto links, only
  our own ``<mark>``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, g, jsonify, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from barcamp_search.config import Settings, load_settings
from barcamp_search.errors import IndexMissing, IndexUnwritable, QueryError, SchemaMismatch
from barcamp_search.web.i18n import COOKIE, choose_language, format_date, plural, translate
from barcamp_search.facets import all_facets
from barcamp_search.search.engine import SearchIndex, SearchQuery

logger = logging.getLogger(__name__)

EXTENSION = "barcamp_search"
RECHECK_SECONDS = 1.0
# Parameters of a search, as in the URL: a repeatable one per facet (``?tag=``, from the
# registry, barcamp_search.facets), then single values.
SINGLE_PARAMS = ("q", "lang", "from", "to", "sort", "page", "per_page")
MAX_VALUES = 20  # values of one repeatable parameter
MAX_VALUE_CHARS = 1000
MACHINE_PATHS = ("/api/", "/healthz", "/feed.atom", "/opensearch.xml")
UNAVAILABLE = (IndexMissing, SchemaMismatch, IndexUnwritable)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SAFE_SCHEMES = re.compile(r"(?i)(?:https?://[^/?#\s]|mailto:[^\s])")
URL_IN_TEXT = re.compile(r"(?i)\b(?:https?://|mailto:)[^\s<>\"'`]+")
WORD = re.compile(r"\w+")


def web_root() -> Path:
    """The folder of templates/ and static/: ``barcamp_search.web`` as installed."""
    return Path(__file__).resolve().parent


class IndexHolder:
    """One ``SearchIndex`` per process, opened on first use.

    Gunicorn forks its workers: a handle opened before the fork would share
    file descriptors between processes, so the pid is part of the key.
    """

    def __init__(self, root: Path, recheck: float = RECHECK_SECONDS) -> None:
        self.root = Path(root)
        self.recheck = recheck
        self._pid = 0
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchIndex:
        with self._lock:
            if self._index is None or self._pid != os.getpid():
                self._index = SearchIndex(self.root, recheck=self.recheck)
                self._pid = os.getpid()
            return self._index


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask app; ``None`` resolves settings as the CLI does (flag-less)."""
    settings = settings if settings is not None else load_settings()
    web = web_root()
    app = Flask(__name__, template_folder=str(web / "templates"), static_folder=None)
    # Never debug unless the dev server asks for it (FLASK_DEBUG in the environment is ignored).
    app.config.update(DEBUG=False, SETTINGS=settings, SEND_FILE_MAX_AGE_DEFAULT=3600,
                      MAX_CONTENT_LENGTH=1024)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep to_json()'s order
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.static_folder = str(web / "static")
    app.add_url_rule("/static/<path:filename>", "static", app.send_static_file,
                     provide_automatic_options=False)
    app.extensions[EXTENSION] = IndexHolder(settings.index)

    app.before_request(_only_get)
    app.before_request(_pick_language)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, lambda e: error_response(400, str(e)))
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, _unavailable)
    app.register_error_handler(Exception, _unexpected)
    app.jinja_env.globals.update(_=ui_text, plural=_plural, url_with=url_with, LANG=ui_lang)
    app.jinja_env.filters.update(date=lambda value: format_date(value, ui_lang()),
                                 snippet=snippet_html, paragraphs=render_paragraphs,
                                 highlight=highlight, safe_url=safe_url)

    from barcamp_search.web import views

    views.register(app)
    return app


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


def query_from_args(args: MultiDict[str, str], per_page: int | None = None,
                    **fixed: Any) -> SearchQuery:
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
                raise QueryError(f'"{param}" is too long (at most {MAX_VALUE_CHARS} '
                                 "characters).")
    for selected in filters.values():
        if any(len(v) > MAX_VALUE_CHARS for v in selected):
            raise QueryError(f"A filter value is too long (at most {MAX_VALUE_CHARS} "
                             "characters).")
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
    )
    values.update(fixed)
    return SearchQuery(**values)


def filter_params() -> tuple[str, ...]:
    """The repeatable parameters: one per facet of the registry (``tag``, ``author``...)."""
    return tuple(facet.name for facet in all_facets())


def search_args(args: MultiDict[str, str] | None = None, **fixed: Any) -> Any:
    """Run the search of these arguments (the request's by default)."""
    query = query_from_args(request.args if args is None else args, **fixed)
    return current_index().search(query)


# --- URLs of the search state ------------------------------------------------------------

def state_pairs(args: MultiDict[str, str] | None = None) -> list[tuple[str, str]]:
    """The request's search parameters (and ``ui``), in order, empty ones left out."""
    args = request.args if args is None else args
    known = set(filter_params()) | set(SINGLE_PARAMS) | {"ui"}
    return [(k, v) for k, v in args.items(multi=True) if k in known and v.strip()]


def url_with(endpoint: str = "search", add: Iterable[tuple[str, str]] = (),
             remove: Iterable[tuple[str, str | None]] = (), **replace: Any) -> str:
    """The current search's URL changed: pairs added or removed (value None: every value
    of that name), single parameters replaced (None drops them). Any change but a new
    page number goes back to page 1."""
    removed = list(remove)
    pairs = [(k, v) for k, v in state_pairs()
             if not any(k == rk and (rv is None or v == rv) for rk, rv in removed)
             and k not in replace]
    if add or removed or set(replace) - {"page", "ui"}:
        if "page" not in replace:
            pairs = [(k, v) for k, v in pairs if k != "page"]
    pairs += [(k, v) for k, v in add if (k, v) not in pairs]
    pairs += [(k, str(v)) for k, v in replace.items() if v not in (None, "")]
    base = url_for(endpoint, **request.view_args) if endpoint == request.endpoint and \
        request.view_args else url_for(endpoint)
    return base + ("?" + urlencode(pairs) if pairs else "")


# --- safe rendering of archive text --------------------------------------------------------

def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http, https or mailto URL without spaces or controls, else None."""
    if not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None
    return url if SAFE_SCHEMES.match(url) else None


def fold(text: str) -> str:
    """Lower case without accents: "Évènement" -> "evenement"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(text: str | None) -> frozenset[str]:
    """Words of a query worth highlighting (folded): no operators, no field names."""
    if not text:
        return frozenset()
    text = re.sub(r"\b\w+:", " ", text[:1000])
    words = {fold(w) for w in WORD.findall(text) if w not in ("AND", "OR", "NOT")}
    return frozenset(w for w in words if len(w) >= 2)


def highlight(text: str, words: frozenset[str] = frozenset()) -> Markup:
    """``text`` escaped, words starting with one of ``words`` wrapped in ``<mark>``."""
    if not words:
        return escape(text)
    parts: list[str] = []
    position = 0
    for match in WORD.finditer(text):
        token = fold(match.group())
        if any(token == w or (len(w) >= 3 and token.startswith(w)) for w in words):
            parts.append(str(escape(text[position:match.start()])))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def linkify(text: str, words: frozenset[str] = frozenset()) -> Markup:
    """Escaped text where http, https and mailto URLs become links (nothing else does)."""
    parts: list[Markup] = []
    position = 0
    for match in URL_IN_TEXT.finditer(text):
        url = match.group().rstrip(".,;:!?)]}»")
        end = match.start() + len(url)
        href = safe_url(url)
        if href is None:
            continue
        parts.append(highlight(text[position:match.start()], words))
        parts.append(Markup('<a href="{}" rel="nofollow noopener noreferrer">{}</a>').format(
            href, highlight(url, words)))
        position = end
    parts.append(highlight(text[position:], words))
    return Markup("").join(parts)


def render_paragraphs(text: str | None, words: frozenset[str] = frozenset()) -> list[Markup]:
    """Plain text as paragraphs (split on blank lines), each escaped and linkified."""
    if not text:
        return []
    blocks = re.split(r"\n\s*\n", text)
    return [linkify(" ".join(block.split()), words) for block in blocks if block.strip()]


def snippet_html(snippet: str) -> Markup:
    """A core snippet as markup. The core escapes the text and adds only ``<mark>``; check
    it anyway, and escape the whole snippet if anything else looks like markup."""
    if re.search(r"[<>\"]", re.sub(r"</?mark>", "", snippet)):
        logger.warning("snippet with unexpected markup escaped: %.80r", snippet)
        return escape(snippet)
    return Markup(snippet)  # noqa: S704 - checked above: escaped text and <mark> only


# --- requests and responses ----------------------------------------------------------------

def ui_lang() -> str:
    """The interface language of this request."""
    return g.get("ui", current_settings().ui_lang)


def ui_text(key: str, **values: Any) -> str:
    """An interface string in this request's language."""
    return translate(ui_lang(), key, **values)


def _plural(key: str, n: int) -> str:
    return plural(ui_lang(), key, n)


def _only_get() -> None:
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(valid_methods=["GET", "HEAD"])


def _pick_language() -> None:
    g.ui, g.remember_ui = choose_language(request.args.get("ui"), request.cookies.get(COOKIE),
                                          request.accept_languages, current_settings().ui_lang)


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if g.get("remember_ui"):
        response.set_cookie(COOKIE, g.ui, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def wants_json() -> bool:
    return request.path.startswith(MACHINE_PATHS)


def error_response(status: int, message: str, title_key: str | None = None,
                   template: str = "error.html", **context: Any) -> Any:
    """The error shape for machine endpoints, a page for people."""
    if wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
        response.status_code = status
        return response
    keys = {400: "bad_request_title", 404: "not_found_title", 405: "method_title",
            503: "no_index_title"}
    title = ui_text(title_key or keys.get(status, "error_title"))
    return render_template(template, status=status, title=title, message=message,
                           **context), status


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    if status == 405:
        response = error_response(405, "Method not allowed: only GET and HEAD are answered.")
    elif status == 404:
        response = error_response(404, f"Nothing at {request.path[:200]}.")
    else:
        response = error_response(status, error.description or error.name)
    if isinstance(error, MethodNotAllowed):
        response = current_app.make_response(response)
        response.headers["Allow"] = "GET, HEAD"
    return response


def _unavailable(error: Exception) -> Any:
    return error_response(503, str(error), template="no_index.html",
                          index=str(current_settings().index))


def _unexpected(error: Exception) -> Any:
    logger.exception("unexpected error on %s", request.path)
    return error_response(500, "Internal error: it was logged.")
