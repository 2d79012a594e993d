"""The interface's gettext catalogs, read with Babel: strings, CLDR plurals, numbers, dates.

One catalog per language, ``locales/<code>/LC_MESSAGES/messages.po`` beside this file; a
language is available when its catalog is there (adding a language is adding a catalog).
Each entry's ``msgctxt`` is the key of ``i18n.STRINGS`` and its ``msgid`` the English text
(``msgid_plural`` too for a ``<key>_one`` / ``<key>_other`` pair, whose context is ``<key>``),
so translators read English and an entry whose English changed no longer matches: it shows
the English until it is translated again (``locales/sync.py`` marks it fuzzy).

Compiled: the build (``setup.py``) compiles every ``messages.po`` to ``messages.mo`` with
Babel; where there is no ``.mo`` or it is older than its ``.po`` (a source checkout, an
editable install), the ``.po`` is compiled the same way in memory, once per process.
Untranslated and fuzzy entries are left out of the compiled catalog, as ``msgfmt`` does,
so they fall back to the English text.

Plurals follow the catalog's ``Plural-Forms``, which Babel writes from CLDR's rules
(``Locale.plural_form``): French and Portuguese count 0 and 1 as singular, German, Italian,
Spanish and English 1 only, and French, Spanish, Italian and Portuguese have a third form for
whole millions ("1 000 000 de billets").
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
SOURCE = "en"  # the language of the msgids, listed first
# The locale whose CLDR date formats a language uses: the English interface writes
# "15 February 2025", as it always has, rather than en-US's "February 15, 2025".
DATE_LOCALES = {"en": "en_GB"}


def po_path(lang: str, root: Path = LOCALES) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available(root: Path = LOCALES) -> tuple[str, ...]:
    """The languages with a catalog: English first, then by code."""
    found = [p.name for p in root.iterdir() if po_path(p.name, root).is_file()]
    return tuple(sorted(found, key=lambda code: (code != SOURCE, code)))


def language_name(lang: str) -> str:
    """The language's name in itself, as a menu shows it: "Deutsch", "Español"."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def compile_catalog(path: Path) -> bytes:
    """The ``.mo`` of a ``.po``: Babel's compiler, untranslated and fuzzy entries left out
    (a plural entry only when every form is translated)."""
    catalog = read_catalog(path)
    incomplete = [
        (message.id, message.context)
        for message in catalog
        if message.id and isinstance(message.string, tuple | list) and not all(message.string)
    ]
    for msgid, context in incomplete:
        catalog.delete(msgid, context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@functools.cache
def translations(lang: str, root: Path = LOCALES) -> Translations:
    """The compiled catalog of ``lang`` (the build's ``.mo``, else the ``.po`` compiled now)."""
    po = po_path(lang, root)
    mo = po.with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        data = mo.read_bytes()
    else:
        data = compile_catalog(po)
    return Translations(io.BytesIO(data), domain=DOMAIN)


def gettext(lang: str, key: str, english: str) -> str:
    """The translation of the entry ``key`` (whose English is ``english``), else the English."""
    return str(translations(lang).pgettext(key, english))


def ngettext(lang: str, key: str, singular: str, plural: str, n: int) -> str:
    """The form of the plural entry ``key`` for ``n`` by the language's CLDR rule."""
    return str(translations(lang).npgettext(key, singular, plural, n))


def plural_category(lang: str, n: int) -> str:
    """CLDR's plural category of ``n`` in ``lang``: "one", "many", "other"..."""
    return Locale.parse(lang).plural_form(n)


def format_number(n: int, lang: str) -> str:
    """``n`` with the language's digit grouping: 1,200 / 1 200 / 1.200."""
    return format_decimal(n, locale=lang)


def format_date(value: date, lang: str) -> str:
    """A date in the language's long CLDR format: "15. Februar 2025", "15 de febrero de 2025"."""
    return babel_format_date(value, format="long", locale=DATE_LOCALES.get(lang, lang))


# --- what i18n.py needs: its STRINGS keys read through the catalogs ---------------------


def plural_pair(key: str, strings: Mapping[str, Sequence[str]]) -> str | None:
    """``post`` for ``post_one`` or ``post_other`` when both are keys: the plural entry."""
    base, _, form = key.rpartition("_")
    if form in ("one", "other") and f"{base}_one" in strings and f"{base}_other" in strings:
        return base
    return None


def text(lang: str, key: str, strings: Mapping[str, Sequence[str]]) -> str:
    """The catalog's text of the key ``key`` of ``strings`` (key -> (English, ...)), not yet
    formatted; ``<key>_one`` / ``<key>_other`` are the singular and plural of one entry."""
    base = plural_pair(key, strings)
    if base is None:
        return gettext(lang, key, strings[key][0])
    one, other = strings[f"{base}_one"][0], strings[f"{base}_other"][0]
    return ngettext(lang, base, one, other, 1 if key.endswith("_one") else 2)


def plural_text(lang: str, key: str, n: int, strings: Mapping[str, Sequence[str]]) -> str:
    """The form of the plural entry ``key`` (``<key>_one`` / ``<key>_other``) for ``n``."""
    return ngettext(lang, key, strings[f"{key}_one"][0], strings[f"{key}_other"][0], n)


def format_iso_date(value: str | None, lang: str) -> str | None:
    """An ISO date or date-time (its first ten characters) in ``lang``'s long format; None
    without a date; the ten characters as they are when they are no date ("2025-13-01")."""
    if not value or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        day = date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return value[:10]
    return format_date(day, lang)
