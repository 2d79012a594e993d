"""Static assets under content-hashed URLs: ``web/static/`` files in, ``/static/<name>``
answers out.

Each file of ``static/`` is read once, when the app is created, and also answered under
a name carrying the first 12 hex digits of its SHA-256 (``style.3f2a…9c.css``). Pages
link to the hashed names (``asset_url``), which are cached one year as ``immutable``: a
changed file gets a new name, so browsers never keep a stale one and never ask again for
a fresh one. The plain names still answer, cached one hour, for links made elsewhere
(the OpenSearch description, old pages in caches).

The bytes are answered from memory, not streamed from disk, so Flask-Compress compresses
them like any page (br, zstd or gzip).
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, request, url_for

EXTENSION = "barcamp_search_assets"
IMMUTABLE = "public, max-age=31536000, immutable"  # one year
PLAIN = "public, max-age=3600"
HASH_DIGITS = 12
TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    """One static file: its bytes, type, digest and hashed name."""

    name: str
    data: bytes
    mimetype: str
    digest: str

    @property
    def hashed_name(self) -> str:
        stem, dot, suffix = self.name.rpartition(".")
        return f"{stem}.{self.digest}.{suffix}" if dot else f"{self.name}.{self.digest}"


class Assets:
    """The static files of one app, by plain and by hashed name."""

    def __init__(self, folder: Path) -> None:
        self.by_name: dict[str, Asset] = {}
        self.by_hashed_name: dict[str, Asset] = {}
        for path in sorted(Path(folder).iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            mimetype = TYPES.get(path.suffix) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            )
            digest = hashlib.sha256(data).hexdigest()[:HASH_DIGITS]
            asset = Asset(path.name, data, mimetype, digest)
            self.by_name[asset.name] = asset
            self.by_hashed_name[asset.hashed_name] = asset

    def answer(self, filename: str) -> Response:
        """The response for ``/static/<filename>``: hashed names cached for good."""
        asset = self.by_hashed_name.get(filename)
        cache = IMMUTABLE
        if asset is None:
            asset = self.by_name.get(filename)
            cache = PLAIN
        if asset is None:
            abort(404)
        response = Response(asset.data, mimetype=asset.mimetype)
        response.headers["Cache-Control"] = cache
        response.set_etag(asset.digest)
        response.make_conditional(request)
        return response


def serve_asset(filename: str) -> Response:
    """The view of ``/static/<path:filename>``."""
    assets: Assets = current_app.extensions[EXTENSION]
    return assets.answer(filename)


def asset_url(name: str, external: bool = False) -> str:
    """The hashed URL of a static file (its plain URL if there is no such file)."""
    assets: Assets = current_app.extensions[EXTENSION]
    asset = assets.by_name.get(name)
    filename = asset.hashed_name if asset else name
    return url_for("static", filename=filename, _external=external)
