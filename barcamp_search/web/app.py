"""The app factory: ``create_app(settings)`` builds the Flask app over a ``SearchIndex``.

Request arguments in, a ``SearchQuery`` to the core, ``SearchResults`` out as HTML
(Jinja templates from ``web/``, shipped in the wheel as ``barcamp_search.web``) or as the
CLI's ``--json`` shape under ``/api``. The views live in ``views``, what they share in
``context`` (the index of this process, arguments -> query, URLs, errors) and ``render``
(safe rendering of archive text). This module adds what wraps every request: GET/HEAD
only (no endpoint changes anything), the interface language, security headers (a
Content-Security-Policy without ``unsafe-inline``), and errors: ``QueryError`` is 400, a
missing index 503.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_compress import Compress
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from barcamp_search.config import Settings, load_settings
from barcamp_search.errors import IndexMissing, IndexUnwritable, QueryError, SchemaMismatch
from barcamp_search.search.engine import check_synonyms
from barcamp_search.web import views
from barcamp_search.web.assets import EXTENSION as ASSETS
from barcamp_search.web.assets import Assets, asset_url, serve_asset
from barcamp_search.web.context import (
    EXTENSION,
    IndexHolder,
    current_settings,
    error_response,
    plural_text,
    ui_lang,
    ui_text,
    url_with,
)
from barcamp_search.web.i18n import COOKIE, choose_language, format_date
from barcamp_search.web.render import (
    highlight,
    render_paragraphs,
    safe_url,
    snippet_html,
    title_html,
)

logger = logging.getLogger(__name__)

UNAVAILABLE = (IndexMissing, SchemaMismatch, IndexUnwritable)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# What Flask-Compress compresses (br, zstd or gzip, as the browser accepts): every text
# answer of ours (HTML, JSON, CSS, JS, Atom, OpenSearch, CSV), not the favicon's few bytes.
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "text/csv",
    "application/json",
    "application/atom+xml",
    "application/x-suggestions+json",
    "application/opensearchdescription+xml",
    "image/svg+xml",
]


def web_root() -> Path:
    """The folder of templates/ and static/: ``barcamp_search.web`` as installed."""
    return Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask app; ``None`` resolves settings as the CLI does (flag-less)."""
    settings = settings if settings is not None else load_settings()
    check_synonyms(settings.synonyms)  # a malformed [synonyms] table stops the start-up
    web = web_root()
    app = Flask(__name__, template_folder=str(web / "templates"), static_folder=None)
    # Never debug unless the dev server asks for it (FLASK_DEBUG in the environment is ignored).
    app.config.update(DEBUG=False, SETTINGS=settings, MAX_CONTENT_LENGTH=1024)
    app.config.update(
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=["br", "zstd", "gzip"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_MIN_SIZE=500,
    )
    Compress(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep to_json()'s order
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.static_folder = str(web / "static")
    app.extensions[ASSETS] = Assets(web / "static")
    app.add_url_rule(
        "/static/<path:filename>", "static", serve_asset, provide_automatic_options=False
    )
    app.extensions[EXTENSION] = IndexHolder(
        settings.index, synonyms=settings.synonyms, people_aliases=settings.people_aliases
    )

    app.before_request(_only_get)
    app.before_request(_pick_language)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, lambda e: error_response(400, str(e)))
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, _unavailable)
    app.register_error_handler(Exception, _unexpected)
    app.jinja_env.globals.update(
        _=ui_text, plural=plural_text, url_with=url_with, LANG=ui_lang, asset_url=asset_url
    )
    app.jinja_env.filters.update(
        date=lambda value: format_date(value, ui_lang()),
        snippet=snippet_html,
        title_html=title_html,
        paragraphs=render_paragraphs,
        highlight=highlight,
        safe_url=safe_url,
    )
    views.register(app)
    return app


def _only_get() -> None:
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(valid_methods=["GET", "HEAD"])


def _pick_language() -> None:
    g.ui, g.remember_ui = choose_language(
        request.args.get("ui"),
        request.cookies.get(COOKIE),
        request.accept_languages,
        current_settings().ui_lang,
    )


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if g.get("remember_ui"):
        response.set_cookie(
            COOKIE,
            g.ui,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        # the stylesheet and the script, announced before the page is parsed (a proxy
        # may turn this into 103 Early Hints)
        response.headers["Link"] = (
            f"<{asset_url('style.css')}>; rel=preload; as=style, "
            f"<{asset_url('app.js')}>; rel=preload; as=script"
        )
    return response


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
    return error_response(
        503, str(error), template="no_index.html", index=str(current_settings().index)
    )


def _unexpected(error: Exception) -> Any:
    logger.exception("unexpected error on %s", request.path)
    return error_response(500, "Internal error: it was logged.")
