"""The language of a post and of each part of it (part of the "read" stage).

Input: what a reader found (metadata fields, the source path, the archive's
``lang`` setting) and the post's text cut in parts (the intro, then each
section). Output: a :class:`Languages`: the post's ISO 639-1 code, the code of
each section, and the spans where a part's text changes language.

The rule, first that applies:

1. the post's own metadata: ``lang`` or ``language`` (Pelican ``Lang:``,
   Hugo/Jekyll ``lang``/``language``), normalised to ISO 639-1 (``fr-CA`` ->
   ``fr``, ``English`` -> ``en``);
2. a language suffix of the file name: ``x.en.md`` (``mkdocs-static-i18n``),
   ``x.es.rst`` (Nikola);
3. the archive's ``lang`` setting;
4. detection from the text with Lingua (``lingua-language-detector``, low
   accuracy mode: its n-gram models for texts longer than a sentence, small
   enough to load in each parse worker in a fraction of a second; see the
   README for the comparison with py3langid and langdetect).

Whatever the post's language, its parts are detected paragraph run by
paragraph run, so a post that mixes languages by section ("-- English Text
below --", an English paragraph then its French translation) gives each
section its own language and says where the language changes. Precision
first: a run changes language only when it is long enough for a confident
answer (``MIN_RUN`` letters), short paragraphs ("Marcel und Oliver", a date)
go with their neighbours, and a post or section too short to tell keeps the
language of what contains it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from barcamp_search.model import LangSpan

# The languages detection may answer: those the indexer can analyse (a Snowball stemmer,
# or bigrams for Chinese, Japanese and Korean). Fewer candidates, fewer confusions
# (a French index page is not Catalan, an English calendar is not Swedish).
DETECTED = tuple("da de en es fi fr hu it nl no pt ro ru sv tr ja zh ko".split())
# The languages a part of a post may be in besides the post's own (Latin-script ones are
# what costs: Lingua compares a text only with the languages of its script).
NEAR = tuple("en fr de es it pt nl ja zh ko ru".split())
# ISO 639-1 codes a file suffix or a metadata field may use (a wider list: given
# languages are taken as given).
ISO_639_1 = frozenset(
    "af am ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu he hi hr hu "
    "hy id is it ja ka kk km kn ko la lt lv mk ml mn mr ms my nb ne nl nn no pa pl pt ro ru "
    "si sk sl so sq sr sv sw ta te th tl tr uk ur uz vi yo zh zu".split()
)
_NAMES = {
    "english": "en", "anglais": "en", "french": "fr", "français": "fr", "francais": "fr",
    "german": "de", "deutsch": "de", "spanish": "es", "español": "es", "espanol": "es",
    "italian": "it", "italiano": "it", "portuguese": "pt", "português": "pt",
    "portugues": "pt", "japanese": "ja", "日本語": "ja", "dutch": "nl", "nederlands": "nl",
}  # fmt: skip
_ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
# What says nothing of a language and misleads the detector: addresses, paths, code names.
_NOT_WORDS = re.compile(r"[^\s/_@]*[/_@\\][^\s]*")  # URLs, e-mails, paths, snake_case

MIN_RUN = 160  # letters a run of paragraphs needs to be given a language of its own
MIN_SWITCH = 250  # letters a run needs to change language from the run before it
MIN_TEXT = 40  # letters under which a post's text is not detected at all
CHUNK = 300  # characters of a run the detector reads (enough for a confident answer)
MAX_RUNS = 4  # runs detected per post, spread over it; the others keep the language before them


@dataclass(frozen=True)
class Languages:
    """The language of a post, of each of its sections, and where a part changes language."""

    post: str  # "" when neither metadata nor the text tells (too few words)
    sections: tuple[str, ...]  # one code per section, in order
    spans: tuple[LangSpan, ...] = ()  # only for parts holding more than one language
    given: bool = False  # from metadata, a suffix or the archive (not detected)


def normalize(value: Any) -> str | None:
    """A language as written in metadata -> its ISO 639-1 code, or None if it is none.

    ``fr``, ``fr-CA``, ``pt_BR``, ``EN`` -> ``fr``, ``fr``, ``pt``, ``en``;
    ``English``, ``Deutsch`` -> ``en``, ``de``; ``nb`` -> ``no``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    named = _NAMES.get(text.casefold())
    if named:
        return named
    match = _TAG.fullmatch(text)
    if not match:
        return None
    code = match.group(1).lower()
    code = _ALIASES.get(code, code)
    return code if code in ISO_639_1 else None


def suffix_language(source: str) -> str | None:
    """The language suffix of a file name: ``x.en.md`` -> ``en``, ``x.es.rst`` -> ``es``."""
    suffixes = PurePosixPath(source).suffixes
    if len(suffixes) < 2:
        return None
    code = suffixes[-2][1:].lower()
    return _ALIASES.get(code, code) if code in ISO_639_1 else None


def given_language(fields: dict[str, Any], source: str, default: str | None) -> str | None:
    """The language metadata gives (field, then file suffix, then the archive's setting)."""
    for key in ("lang", "language"):
        code = normalize(fields.get(key))
        if code:
            return code
    return suffix_language(source) or normalize(default)


Part = tuple[str | None, str, Sequence[str]]  # (section anchor or None, text, prose pieces)


def post_languages(given: str | None, title: str, parts: Sequence[Part]) -> Languages:
    """Decide the languages of one post.

    ``given`` is what the metadata says (see :func:`given_language`); ``parts`` the
    post's text before its first section (anchor None), then each section: its text
    and its prose pieces (the reader's blocks: paragraphs, list items...; code is no
    prose and is never detected). Pieces are grouped into runs of ``MIN_RUN`` letters
    and each run is detected; the post's title is read with its first run.
    """
    cut = [_runs(text, pieces) for _anchor, text, pieces in parts]
    # Which runs to detect: the first, and up to MAX_RUNS spread over the post.
    eligible = [
        (i, j) for i, runs in enumerate(cut) for j, run in enumerate(runs) if run[2] >= MIN_RUN
    ]
    if len(eligible) > MAX_RUNS:
        step = (len(eligible) - 1) / (MAX_RUNS - 1)
        eligible = [eligible[round(k * step)] for k in range(MAX_RUNS)]
    chosen = set(eligible)
    runs_by_part: list[list[tuple[int, int, str | None, int]]] = []
    heading = title or " "  # read with the first run: the post's language is what it starts with
    near = given
    for i, runs in enumerate(cut):
        detected: list[tuple[int, int, str | None, int]] = []
        for j, (start, end, letters, sample) in enumerate(runs):
            lang = None
            if (i, j) in chosen:
                if heading:  # the first run: the post's language, among all
                    lang = detect((heading + "\n\n" + sample)[:CHUNK], given)
                    near = given or lang
                    heading = ""
                else:
                    lang = detect(sample[:CHUNK], near)
            detected.append((start, end, lang, letters))
        runs_by_part.append(detected)
    # The post: as given, else the language it starts with (a translation follows its
    # original: "-- English text below --").
    post = given
    if post is None:
        post = next((run[2] for runs in runs_by_part for run in runs if run[2]), None)
    if post is None:
        # a title alone is not enough ("Core Python Programming, 2nd Edition By Wesley
        # Chun" reads as Dutch): the text must have MIN_TEXT letters of its own
        body = " ".join(" ".join(pieces) for _a, _t, pieces in parts)
        sample = f"{title} {body}"
        post = (detect(sample[:CHUNK]) if _letter_count(body) >= MIN_TEXT else None) or ""
    section_langs: list[str] = []
    spans: list[LangSpan] = []
    for index, (part_runs, (anchor, _text, _pieces)) in enumerate(
        zip(runs_by_part, parts, strict=True)
    ):
        filled = _fill(part_runs, post or "en")
        merged = _merge(filled)
        if len(merged) > 1:
            spans.extend(LangSpan(anchor, start, end, lang) for start, end, lang in merged)
        if index:
            section_langs.append(_main(filled, part_runs) if filled else post)
    return Languages(post, tuple(section_langs), tuple(spans), given is not None)


def _runs(text: str, pieces: Sequence[str]) -> list[tuple[int, int, int, str]]:
    """Runs of prose pieces: (start, end) in ``text``, letters, the run's prose. Pieces
    join the run before them until it has ``MIN_RUN`` letters, then start the next one (a
    "-- English text --" line opens the run it announces); the runs cover the whole text
    (code between pieces goes with the run before)."""
    if not pieces:
        pieces = [p for p in _PARAGRAPHS.split(text) if p.strip()]
    runs: list[list[Any]] = []  # [start, letters, [pieces]]
    cursor = 0
    for piece in pieces:
        letters = _letter_count(piece)
        if not letters:
            continue
        found = text.find(piece.strip()[:40], cursor)
        position = found if found >= 0 else cursor
        cursor = max(cursor, position)
        if runs and runs[-1][1] < MIN_RUN:
            runs[-1][1] += letters
            runs[-1][2].append(piece)
        else:
            runs.append([position if runs else 0, letters, [piece]])
    result: list[tuple[int, int, int, str]] = []
    for index, (start, letters, run_pieces) in enumerate(runs):
        end = runs[index + 1][0] if index + 1 < len(runs) else len(text)
        result.append((start, end, letters, "\n\n".join(run_pieces)))
    return result


def _fill(runs: list[tuple[int, int, str | None, int]], default: str) -> list[tuple[int, int, str]]:
    """Undecided runs take the language of the run before them (the first: ``default``);
    so does a run too short (under ``MIN_SWITCH`` letters) to be trusted with a change,
    unless the next decided run says the same."""
    filled: list[tuple[int, int, str]] = []
    previous = default
    for index, (start, end, lang, letters) in enumerate(runs):
        if lang and lang != previous and letters < MIN_SWITCH:
            following = next((run[2] for run in runs[index + 1 :] if run[2]), None)
            lang = lang if following == lang else None
        previous = lang or previous
        filled.append((start, end, previous))
    return filled


def _merge(runs: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[tuple[int, int, str]] = []
    for start, end, lang in runs:
        if merged and merged[-1][2] == lang:
            merged[-1] = (merged[-1][0], end, lang)
        else:
            merged.append((start, end, lang))
    return merged


def _main(filled: list[tuple[int, int, str]], runs: list[tuple[int, int, str | None, int]]) -> str:
    """The language of most of a part's letters."""
    weights: dict[str, int] = {}
    for (_start, _end, lang), run in zip(filled, runs, strict=True):
        weights[lang] = weights.get(lang, 0) + run[3]
    return max(weights, key=lambda k: weights[k])


def _letter_count(text: str) -> int:
    """Letters of ``text`` (a URL's too: a cheap count, only used to size runs)."""
    return len(_NOT_LETTERS.sub("", text))


def detect(text: str, near: str | None = None) -> str | None:
    """The language of a piece of text (ISO 639-1), or None when the detector cannot tell.

    ``near``: the language of the post it belongs to; the text is then only compared with
    that one and ``NEAR`` (the languages a part of a post is written in when it is not
    the post's), which halves the cost of a detection."""
    candidates = DETECTED if near is None else tuple(dict.fromkeys((near, *NEAR)))
    found = _detector(candidates).detect_language_of(_NOT_WORDS.sub(" ", text))
    if found is None:
        return None
    code: str = found.iso_code_639_1.name.lower()
    return _ALIASES.get(code, code)


@lru_cache(maxsize=8)
def _detector(candidates: tuple[str, ...] = DETECTED) -> Any:
    """Lingua's detector for these languages, built once per process (models load lazily).

    One thread: the parse pool already runs one worker per core, and Lingua's own thread
    pool (rayon) would only make them contend (measured: more CPU per detection)."""
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    known = [c for c in candidates if c in DETECTED]
    codes = [getattr(IsoCode639_1, "NB" if c == "no" else c.upper()) for c in known]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def warm_up() -> None:
    """Build the detector and load its models (a parse worker's warm-up)."""
    detector = _detector()
    detector.detect_language_of("Python meetup: talks, slides and beer after the talks")
