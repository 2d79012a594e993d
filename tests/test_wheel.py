"""The wheel ships the web page: templates and static files are package data
(``web/`` becomes ``barcamp_search.web``), and the app renders from an installed wheel
started in another working directory."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from barcamp_search.archive import Archive, ArchiveOptions
from barcamp_search.indexer.build import index_archives

from .conftest import ROOT, SAMPLE


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the sources (the checkout stays free of build/)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py"):  # setup.py compiles catalogs
        shutil.copy(ROOT / name, source / name)
    for name in ("barcamp_search", "web"):
        shutil.copytree(
            ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (built,) = (work / "dist").glob("barcamp_search-*.whl")
    return built


def test_wheel_contains_templates_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"barcamp_search/web/templates/{p.name}" for p in (ROOT / "web" / "templates").iterdir()
    }
    expected |= {f"barcamp_search/web/static/{p.name}" for p in (ROOT / "web" / "static").iterdir()}
    assert expected <= names
    assert "barcamp_search/web/__init__.py" in names
    assert "barcamp_search/web/app.py" in names and "barcamp_search/web/serve.py" in names
    assert not [n for n in names if n.startswith(("web/", "tests/"))]
    # the interface catalogs, each compiled in the build beside its source
    for lang in ("en", "fr", "de", "es", "it", "pt"):
        folder = f"barcamp_search/web/locales/{lang}/LC_MESSAGES"
        assert {f"{folder}/messages.po", f"{folder}/messages.mo"} <= names, lang
    metadata = zipfile.ZipFile(wheel).read("barcamp_search-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Dist: gunicorn" in metadata and "Requires-Dist: flask" in metadata


def test_installed_wheel_serves_pages_with_css_from_elsewhere(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    # the dependencies (flask, whoosh, ...) from the project's environment, by path only:
    # its .pth files (the editable install of the checkout) are not processed
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    index_archives(tmp_path / "index", [Archive(SAMPLE, ArchiveOptions("demo"))])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = """
import json, re, sys
from pathlib import Path
import barcamp_search
from barcamp_search.web.app import create_app, web_root
from barcamp_search.config import Settings
client = create_app(Settings(index=Path(sys.argv[1]))).test_client()
page = client.get("/search?q=micro-python")
html = page.get_data(as_text=True)
css = client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1))
script = client.get(re.search(r'<script src="([^"]+)"', html).group(1))
print(json.dumps({
    "package": barcamp_search.__file__, "web": str(web_root()),
    "status": page.status_code, "page": page.get_data(as_text=True),
    "css_status": css.status_code, "css": css.get_data(as_text=True),
    "css_type": css.mimetype, "js_status": script.status_code,
}))
for response in (page, css, script):
    response.close()
"""
    result = subprocess.run(
        [str(python), "-c", script, str(tmp_path / "index")],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["package"].startswith(str(venv))  # the wheel, not the checkout
    assert data["web"].startswith(str(venv)) and data["web"].endswith("barcamp_search/web")
    assert data["status"] == 200
    assert "3 posts for “micro-python”" in data["page"]
    # the assets under content-hashed URLs, served from the installed package
    assert re.search(
        r'<link rel="stylesheet" href="/static/style\.[0-9a-f]{12}\.css">', data["page"]
    )
    assert (data["css_status"], data["css_type"], data["js_status"]) == (200, "text/css", 200)
    assert data["css"] == (ROOT / "web" / "static" / "style.css").read_text()
