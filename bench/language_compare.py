"""Compare language detectors on the shared archives (the README's "Language detection").

    python bench/language_compare.py {py3langid,langdetect,lingua,lingua-low} [CHARS]

Reads every post of the eleven archives of ../shared/corpora with the extractor, then
detects each post's language from its title, intro and sections (first CHARS
characters, 3,000 by default; no metadata) and prints the right answers per archive,
the load time, the time per post and the peak RSS. The detectors are not dependencies
of the project: install the one to try (``pip install py3langid langdetect``).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from barcamp_search.archive import ArchiveOptions
from barcamp_search.model import Post
from barcamp_search.read.extract import extract_archive

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
DEFAULT = {
    "python-nantes": "fr", "mtlpy": None, "mtlpy-rst-2012": "en", "baypiggies": "en",
    "afpyro": "fr", "chennaipy": "en", "pythonpune": "en", "quebecpython": "fr",
    "pyvigo-es": "es", "pybiella-it": "it", "goepy-de": "de",
}  # fmt: skip
LANGS = "da de en es fi fr hu it nl no pt ro ru sv tr ja zh ko".split()


def detector(which: str):  # noqa: ANN201 - a callable of the library tried
    if which.startswith("lingua"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, "NB" if c == "no" else c.upper()) for c in LANGS]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        if which == "lingua-low":
            builder = builder.with_low_accuracy_mode()
        found = builder.with_preloaded_language_models().build()

        def lingua(text: str) -> str:
            lang = found.detect_language_of(text)
            return lang.iso_code_639_1.name.lower().replace("nb", "no") if lang else "?"

        return lingua
    if which == "py3langid":
        import py3langid

        py3langid.set_languages(LANGS)
        return lambda text: py3langid.classify(text)[0]
    if which == "langdetect":
        from langdetect import DetectorFactory, detect

        DetectorFactory.seed = 0

        def langdetect(text: str) -> str:
            try:
                return detect(text)[:2]
            except Exception:  # noqa: BLE001 - "no features in text"
                return "?"

        return langdetect
    raise SystemExit(f"unknown detector {which!r}")


def main() -> None:
    which = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    posts: list[tuple[str, str, str]] = []  # archive, expected, sample
    for name, default in DEFAULT.items():
        for post in extract_archive(CORPORA / name, ArchiveOptions(name), workers=2):
            if not isinstance(post, Post):
                continue
            expected = "en" if post.source.endswith(".en.md") else default or post.lang
            parts = [post.title, post.text] + [f"{s.title}\n{s.text}" for s in post.sections]
            posts.append((name, expected, "\n".join(parts)[:limit]))
    started = time.perf_counter()
    detect = detector(which)
    detect("warm up the detector with a sentence")
    loaded = time.perf_counter()
    right: dict[str, list[int]] = {}
    for name, expected, sample in posts:
        counts = right.setdefault(name, [0, 0])
        counts[0] += detect(sample) == expected
        counts[1] += 1
    done = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{which}: load {loaded - started:.2f} s, {1000 * (done - loaded) / len(posts):.2f} "
        f"ms/post, peak RSS {rss:.0f} MB (extractor included)"
    )
    for name, (good, total) in right.items():
        print(f"  {name:15} {good}/{total}")
    print(f"  total {sum(g for g, _ in right.values())}/{len(posts)}")


if __name__ == "__main__":
    main()
