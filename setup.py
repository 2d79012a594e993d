"""Build hook: compile the interface catalogs (``.po`` -> ``.mo``) into the built package.

Everything else about the package is in ``pyproject.toml``. The compiler is Babel's, through
``barcamp_search/web/catalogs.py`` (loaded by path: the package itself is not importable
while it is being built), so the build and a source checkout compile alike.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def load_catalogs():
    spec = importlib.util.spec_from_file_location(
        "_barcamp_catalogs", HERE / "barcamp_search" / "web" / "catalogs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_catalogs(package_dir: Path) -> list[Path]:
    """Write ``messages.mo`` beside every ``messages.po`` under ``package_dir``."""
    catalogs = load_catalogs()
    written = []
    for po in sorted((package_dir / "web" / "locales").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(catalogs.compile_catalog(po))
        written.append(mo)
    return written


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):  # an editable install reads the .po
            compile_catalogs(Path(self.build_lib) / "barcamp_search")


setup(cmdclass={"build_py": BuildWithCatalogs})
