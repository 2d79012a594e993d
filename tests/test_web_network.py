"""What the web app sends over the network: compressed answers (Flask-Compress: br, zstd
or gzip as the browser accepts), static assets under content-hashed URLs cached one year,
the stylesheet and script announced in a Link header."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.config import Settings
from barcamp_search.indexer.build import index_archives
from barcamp_search.web.app import create_app, web_root

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("network") / "index"
    index_archives(root, [Archive(SAMPLE, ArchiveOptions("demo"))])
    return create_app(Settings(index=root)).test_client()


def hashed(name: str) -> str:
    data = (web_root() / "static" / name).read_bytes()
    stem, suffix = name.rsplit(".", 1)
    return f"/static/{stem}.{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"


TEXT_ANSWERS = [
    ("/search?q=python", "text/html"),
    ("/api/search?q=python", "application/json"),
    ("/api/facets?facet=tag", "application/json"),
    ("/feed.atom", "application/atom+xml"),
    ("/tags", "text/html"),
    ("/timeline", "text/html"),
]


@pytest.mark.parametrize(("url", "mimetype"), TEXT_ANSWERS)
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_text_answers_are_compressed(client, url, mimetype, encoding):
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.mimetype == mimetype
    assert "Content-Encoding" not in plain.headers
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    decode = gzip.decompress if encoding == "gzip" else brotli.decompress
    body = decode(response.data)
    if mimetype == "text/html":  # the time the search took differs from one answer to the next
        body = re.sub(rb"\d+ ms", b"", body)
        assert body == re.sub(rb"\d+ ms", b"", plain.data)
    elif url.startswith("/api/search"):  # so does took_ms
        assert {**json.loads(body), "took_ms": 0} == {**json.loads(plain.data), "took_ms": 0}
    else:
        assert body == plain.data
    assert len(response.data) < len(plain.data) / 2
    assert int(response.headers["Content-Length"]) == len(response.data)


def test_the_browser_choice_of_encoding_is_followed(client):
    response = client.get("/search?q=python", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    response = client.get("/search?q=python", headers={"Accept-Encoding": "gzip;q=1, br;q=0"})
    assert response.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [("style.css", "text/css"), ("app.js", "text/javascript"), ("favicon.svg", "image/svg+xml")],
)
def test_hashed_assets_are_cached_for_a_year(client, name, mimetype):
    url = hashed(name)
    body = client.get("/search?q=python").get_data(as_text=True)
    assert f'"{url}"' in body  # the page links to the hashed name
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (web_root() / "static" / name).read_bytes()
    # the plain name still answers, for links made elsewhere, cached one hour only
    plain = client.get(f"/static/{name}", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.data == response.data
    assert plain.headers["Cache-Control"] == "public, max-age=3600"
    # a revalidation with the ETag is a 304
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_assets_are_compressed(client, encoding):
    for name in ("style.css", "app.js"):
        source = (web_root() / "static" / name).read_bytes()
        response = client.get(hashed(name), headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        decode = gzip.decompress if encoding == "gzip" else brotli.decompress
        assert decode(response.data) == source
        assert len(response.data) < len(source) / 2
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_stale_or_unknown_hash_is_a_404(client):
    assert client.get("/static/style.000000000000.css").status_code == 404
    assert client.get("/static/nope.css").status_code == 404
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_pages_announce_their_stylesheet_and_script(client):
    response = client.get("/search?q=python")
    assert response.headers["Link"] == (
        f"<{hashed('style.css')}>; rel=preload; as=style, "
        f"<{hashed('app.js')}>; rel=preload; as=script"
    )
    assert "Link" not in client.get("/api/search").headers


def test_every_static_file_is_served(client):
    names = sorted(p.name for p in Path(web_root() / "static").iterdir() if p.is_file())
    assert names == ["app.js", "favicon.svg", "style.css"]
    for name in names:
        assert client.get(hashed(name)).status_code == 200
