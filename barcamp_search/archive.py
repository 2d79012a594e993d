"""What an archive is: its folder (``Archive``) and how to read it (``ArchiveOptions``).

The settings (``config``), the read stage (``extract``, ``assemble``) and the indexer
all use these two; this module imports nothing of ours, so none of them has to import
another to get them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The site generators whose conventions the read stage knows (read/generators.py).
GENERATORS = ("pelican", "hugo", "jekyll", "nikola", "mkdocs", "sphinx")


@dataclass(frozen=True)
class ArchiveOptions:
    """How to read one archive: its name and the few per-archive conventions."""

    name: str
    site_url: str | None = None
    url_pattern: str | None = None  # e.g. "{slug}.html" (default), "{path}.html"
    lang: str | None = None  # default language of the posts; None = guess per post
    authors_are_speakers: bool | tuple[str, ...] = False  # True, or globs of sources
    include: tuple[str, ...] = ()  # globs of sources to read (default: all)
    exclude: tuple[str, ...] = ()  # globs of sources to leave out
    # "mkdocs", "nikola", "jekyll", "hugo", "pelican", "sphinx"; None = guessed from the
    # folder (read.generators.detect_generator) and per file
    generator: str | None = None


@dataclass(frozen=True)
class Archive:
    """An archive to index: its folder and how to read it."""

    path: Path
    options: ArchiveOptions
