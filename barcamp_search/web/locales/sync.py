"""Bring the interface catalogs in line with ``i18n.STRINGS``, and list what is untranslated.

    python -m barcamp_search.web.locales.sync            # update every catalog, list the gaps
    python -m barcamp_search.web.locales.sync --check    # change nothing; exit 1 if a catalog
                                                         # is out of date or has gaps
    python -m barcamp_search.web.locales.sync --add nl   # start a catalog for a new language

Every key of ``STRINGS`` becomes an entry: ``msgctxt`` the key, ``msgid`` its English text;
a ``<key>_one`` / ``<key>_other`` pair becomes one plural entry (context ``<key>``,
``msgid_plural``, as many ``msgstr[i]`` as the language's CLDR plural forms). English and
French come from ``STRINGS`` as they are (the French "many" form, for whole millions, is
kept when a translator wrote one); every other language keeps its translations. An entry
whose English changed keeps its old translation marked fuzzy (the old English shown as
``#| msgid``), which the compiled catalog leaves out until someone checks it; keys gone
from ``STRINGS`` are dropped; new keys arrive untranslated.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import denormalize, write_po

from barcamp_search.web.catalogs import LOCALES, available, po_path, read_catalog
from barcamp_search.web.i18n import STRINGS

FROM_STRINGS = ("en", "fr")  # the languages whose texts live in STRINGS: (English, French)
PROJECT = "barcamp-search"
WIDTH = 100
HEADERS = {
    "en": "# barcamp-search interface: English, the source text of every entry.\n"
    "# Written from barcamp_search/web/i18n.py (STRINGS) by locales/sync.py: edit STRINGS.",
    "fr": "# barcamp-search interface: French.\n"
    "# Written from barcamp_search/web/i18n.py (STRINGS) by locales/sync.py: edit STRINGS,\n"
    '# except the plural form for whole millions (msgstr[1], "1 000 000 de billets"), kept here.',
}
MACHINE_HEADER = (
    "# barcamp-search interface: {name} ({code}).\n"
    "# Machine-assisted translation, not yet reviewed by a native speaker: corrections\n"
    "# from native speakers are welcome (edit a msgstr, keep the {{placeholders}}).\n"
    "# msgctxt is the key in barcamp_search/web/i18n.py, msgid the English text."
)


@dataclass(frozen=True)
class Entry:
    """One catalog entry: singular texts are strings, plural ones (one, other) pairs."""

    context: str
    english: str | tuple[str, str]
    french: str | tuple[str, str]


def entries() -> list[Entry]:
    """The entries of ``STRINGS``, in its order (a plural pair where its ``_one`` stands)."""
    found: list[Entry] = []
    for key, (english, french) in STRINGS.items():
        base, _, form = key.rpartition("_")
        if form in ("one", "other") and f"{base}_one" in STRINGS and f"{base}_other" in STRINGS:
            if form == "one":
                other = STRINGS[f"{base}_other"]
                found.append(Entry(base, (english, other[0]), (french, other[1])))
            continue
        found.append(Entry(key, english, french))
    return found


def plural_tags(lang: str) -> list[str]:
    """CLDR's plural categories of ``lang`` in the order of its gettext forms."""
    order = ("zero", "one", "two", "few", "many", "other")
    tags = Locale.parse(lang).plural_form.tags | {"other"}  # "other" is implicit in CLDR
    return [tag for tag in order if tag in tags]


def header_comment(lang: str) -> str:
    if lang in HEADERS:
        return HEADERS[lang]
    return MACHINE_HEADER.format(name=Locale.parse("en").languages.get(lang, lang), code=lang)


def new_catalog(lang: str, old: Catalog | None) -> Catalog:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    machine = lang not in FROM_STRINGS
    return Catalog(
        locale=lang,
        domain="messages",
        header_comment=old.header_comment if old is not None else header_comment(lang),
        project=PROJECT,
        version="1",
        msgid_bugs_address="https://github.com/ (barcamp-search issues)",
        creation_date=old.creation_date if old is not None else now,
        revision_date=old.revision_date if old is not None else now,
        last_translator=(
            old.last_translator
            if old is not None
            else "machine-assisted, not reviewed"
            if machine
            else "barcamp-search developers"
        ),
        language_team=("machine-assisted, review by native speakers welcome" if machine else None),
        fuzzy=False,
    )


def translated(lang: str, entry: Entry, previous: Message | None) -> Message:
    """The entry in ``lang``: from STRINGS (English, French) or the previous catalog."""
    is_plural = isinstance(entry.english, tuple)
    msgid: str | tuple[str, str] = entry.english
    flags = ["python-brace-format"] if "{" in "".join(entry.english) else []
    tags = plural_tags(lang)
    string: str | tuple[str, ...]
    fuzzy = False
    previous_id: list[str] = []
    if lang in FROM_STRINGS:
        source = entry.english if lang == "en" else entry.french
        if isinstance(source, tuple):
            kept = previous.string if previous is not None and previous.id == msgid else ()
            forms = list(kept) if isinstance(kept, tuple | list) else []
            string = tuple(
                source[0]
                if tag == "one"
                else source[1]
                if tag == "other" or i >= len(forms) or not forms[i]
                else forms[i]
                for i, tag in enumerate(tags)
            )
        else:
            string = source
    elif previous is None or isinstance(previous.id, tuple | list) != is_plural:
        string = tuple("" for _ in tags) if is_plural else ""
    else:
        if is_plural:
            forms = _forms(previous.string)
            string = tuple(forms[i] if i < len(forms) else "" for i in range(len(tags)))
        else:
            string = str(previous.string or "")
        fuzzy = previous.fuzzy or previous.id != msgid
        if previous.id != msgid:
            previous_id = list(previous.previous_id) or _forms(previous.id)
        elif previous.fuzzy:
            previous_id = list(previous.previous_id)
    message = Message(
        msgid,
        string,
        flags=flags + (["fuzzy"] if fuzzy and any(_forms(string)) else []),
        context=entry.context,
    )
    if message.fuzzy and previous_id:
        message.previous_id = previous_id
    return message


def _forms(string: object) -> list[str]:
    return list(string) if isinstance(string, tuple | list) else [str(string or "")]


def is_missing(message: Message) -> bool:
    """Untranslated (a form empty) or fuzzy: shown in English until someone checks it."""
    return message.fuzzy or not all(_forms(message.string))


def previous_msgids(path: Path) -> dict[str, list[str]]:
    """The ``#| msgid`` (and ``#| msgid_plural``) of each fuzzy entry, by context: Babel
    writes them but does not read them back."""
    found: dict[str, list[str]] = {}
    block: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#| "):
            block.append(line[3:])
        elif line.startswith("msgctxt ") and block:
            items: list[str] = []
            for part in block:
                if part.startswith(("msgid ", "msgid_plural ")):
                    items.append(part.split(" ", 1)[1])
                elif items:
                    items[-1] += "\n" + part
            found[denormalize(line[len("msgctxt ") :])] = [denormalize(i) for i in items]
            block = []
        elif not line.startswith("#"):
            block = []
    return found


def build(lang: str, root: Path = LOCALES) -> tuple[bytes, list[str]]:
    """The catalog of ``lang`` as it should be written, and its missing entries' keys."""
    path = po_path(lang, root)
    old = read_catalog(path) if path.is_file() else None
    previous = {m.context: m for m in old if m.id and m.context} if old is not None else {}
    for context, previous_id in (previous_msgids(path) if old is not None else {}).items():
        if context in previous:
            previous[context].previous_id = previous_id
    catalog = new_catalog(lang, old)
    missing: list[str] = []
    for entry in entries():
        message = translated(lang, entry, previous.get(entry.context))
        catalog[message.id] = message
        # Catalog.__setitem__ copies fields, not the previous msgid: set it on the stored one
        stored = catalog.get(message.id, message.context)
        if stored is not None and message.previous_id:
            stored.previous_id = message.previous_id
        if is_missing(message):
            missing.append(entry.context)
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=WIDTH,
        no_location=True,
        ignore_obsolete=True,
        include_previous=True,
    )
    return buffer.getvalue(), missing


def sync(root: Path = LOCALES, write: bool = True) -> tuple[dict[str, list[str]], list[str]]:
    """Update (or, ``write=False``, only compare) every catalog: (missing keys per language,
    the languages whose file is not what ``STRINGS`` makes of it)."""
    missing: dict[str, list[str]] = {}
    stale: list[str] = []
    for lang in available(root):
        content, gaps = build(lang, root)
        path = po_path(lang, root)
        if path.read_bytes() != content:
            stale.append(lang)
            if write:
                path.write_bytes(content)
        if gaps:
            missing[lang] = gaps
    return missing, stale


def add(lang: str, root: Path = LOCALES) -> Path:
    """Start the catalog of a new language (every entry untranslated)."""
    Locale.parse(lang)  # an unknown code fails here, before any file is written
    path = po_path(lang, root)
    if path.exists():
        raise SystemExit(f"{path} exists already")
    path.parent.mkdir(parents=True, exist_ok=True)
    content, _ = build(lang, root)
    path.write_bytes(content)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on gaps")
    parser.add_argument("--add", metavar="CODE", help="start the catalog of a new language")
    parser.add_argument("--root", type=Path, default=LOCALES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.add:
        print(f"created {add(args.add, args.root)}")
    missing, stale = sync(args.root, write=not args.check)
    for lang in stale:
        print(f"{lang}: {'out of date' if args.check else 'updated'}")
    for lang, keys in missing.items():
        print(f"{lang}: {len(keys)} missing: {', '.join(keys)}")
    if not missing:
        print(f"every catalog translates all {len(entries())} entries")
    return 1 if args.check and (missing or stale) else 0


if __name__ == "__main__":
    sys.exit(main())
