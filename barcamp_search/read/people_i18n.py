"""Speakers named the way Spanish, Portuguese, Italian, German and Japanese posts name them
(part of the "read" stage; issue 15).

Input: a reader's :class:`~barcamp_search.model.Document` (its prose blocks and links).
Output: :class:`~barcamp_search.model.Person` values with the role ``"speaker"`` and the
anchor of the section they were found in. Not yet called by ``assemble`` (``people.py``
is being rewritten for issue 13): ``find_speakers`` is meant to be merged with
``people.find_people``'s results, see the end of this docstring.

The forms, precision first (a wrong name is worse than a missing one):

* a quoted talk title, then ``por``/``de``/``di``/``da``/``von`` and a name:
  ``'Entornos virtuales' por Miguel González (@migonzalvar).``
* a label line: ``Ponente: X``, ``Palestrante: X``, ``Relatore: X``, ``Referent: X``
  (and their plurals and feminines; several names split as author fields are);
* ``Vortrag von X``, ``Präsentation von X``;
* ``X stellt … vor`` at the start of a sentence: ``Marcel stellt Google App Engine vor``;
* Italian/Spanish ``con X`` and Spanish ``por X`` where ``X`` is the text of a link to a
  person's profile (LinkedIn, GitHub, Twitter/X, Mastodon):
  ``con [Marco Zamboni](https://www.linkedin…)``;
* a sentence that is only ``Por`` and a name, closing a talk line:
  ``Codenamize: presentación de la librería. Por José Juan Montes.``;
* Japanese ``X さん`` right after a talk title in brackets: ``「Python で並行処理」 山田さん``.

A name is one to four words, each capitalised (particles such as ``de``, ``da``, ``van``
allowed inside), no digits, at most 60 characters; one word is enough only for the German
``stellt … vor`` form, where the groups write first names.

Hooking it in (for the owner of ``people.py``/``assemble.py``): in ``assemble._people``
(or wherever ``find_people`` is called), add ``find_speakers(document)`` to the persons
found, dropping a name ``find_people`` already has (casefold), before
``section_speakers``; no language is needed (the forms are unambiguous enough to be
tried on every post).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from barcamp_search.model import Document, Person

MAX_NAME = 60
_PARTICLES = frozenset("de da di del della dos das do van von der den du la le y e".split())
# Words that start a German sentence in capitals but are no name.
_NOT_NAMES = frozenset(
    "er sie es man wer wir ihr das der die dies diese dieser jeder jemand niemand "
    "heute morgen danach dann außerdem zudem hier dort auch".split()
)
# Between names on a label line: commas, "y", "e", "und", "et", "and", "&".
_NAMES_SEPARATOR = re.compile(r"\s*(?:,|;|&|\s(?:y|e|und|et|and)\s)\s*")
_PROFILE_HOSTS = ("linkedin.com", "github.com", "twitter.com", "x.com", "mastodon", "about.me")

_NAME = r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,5}"
_QUOTED_BY = re.compile(
    r"[\"'“‘«„][^\"'“”‘’«»„\n]{3,160}[\"'”’»“]\s*[:,–-]?\s*"
    r"(?:por|de|di|da|von|par|by)\s+(?P<name>" + _NAME + ")"
)
_LABEL = re.compile(
    r"^\s*(?:ponentes?|palestrantes?|relatori|relatore|relatrice|referent(?:in|en|innen)?|"
    r"sprecher(?:in)?|oradora?|oradores)\s*:\s*(?P<names>[^\n]{2,200})$",
    re.IGNORECASE | re.MULTILINE,
)
_TALK_BY = re.compile(r"\b(?:Vortrag|Präsentation|Vorträge)\s+von\s+(?P<name>" + _NAME + ")")
_STELLT_VOR = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<name>[A-ZÄÖÜ][\w-]+(?:\s+[A-ZÄÖÜ][\w-]+){0,2})\s+"
    r"(?:stellt|stellte|stellen)\s+[^.!?\n]{1,160}?\bvor\b",
    re.MULTILINE,
)
_CON = re.compile(r"\b(?:[Cc]on|[Pp]or)\s+")  # followed by a linked profile's name
# "…como usarlas desde Python. Por David de la Iglesia." (a talk line ending with its speaker)
_SENTENCE_POR = re.compile(r"(?:^|(?<=[.:]\s))Por\s+(?P<name>" + _NAME + r")(?=\.(?:\s|$))")
_SAN = re.compile(r"[」』】]\s*[-–—:：、]?\s*(?P<name>[^\s、。「」『』（）()【】]{1,12}?)\s*さん")


def find_speakers(document: Document) -> tuple[Person, ...]:
    """The speakers the forms above name in a document's prose, with their sections."""
    profile_names = {
        link.text.strip(): link.section for link in document.links if _is_profile(link.url)
    }
    found: list[Person] = []
    seen: set[tuple[str, str | None]] = set()
    parts = [(None, document.blocks)] + [(s.anchor, s.blocks) for s in document.sections]
    for anchor, blocks in parts:
        for block in blocks:
            for name in _names_in(block.text, profile_names):
                key = (name.casefold(), anchor)
                if key not in seen:
                    seen.add(key)
                    found.append(Person(name, "speaker", anchor))
    return tuple(found)


def _names_in(text: str, profile_names: dict[str, str | None]) -> list[str]:
    names: list[str] = []
    for match in _QUOTED_BY.finditer(text):
        names.extend(_name(match.group("name")))
    for match in _LABEL.finditer(text):
        for part in _NAMES_SEPARATOR.split(match.group("names")):
            names.extend(_name(part))
    for match in _SENTENCE_POR.finditer(text):
        names.extend(_name(match.group("name")))
    for match in _TALK_BY.finditer(text):
        names.extend(_name(match.group("name")))
    for match in _STELLT_VOR.finditer(text):
        names.extend(_name(match.group("name"), single=True))
    for match in _CON.finditer(text):
        rest = text[match.end() :]
        names.extend(n for p in profile_names if p and rest.startswith(p) for n in _name(p))
    for match in _SAN.finditer(text):
        name = match.group("name").strip()
        if name and not any(ch.isdigit() for ch in name):
            names.append(name)
    return names


def _name(raw: str, single: bool = False) -> list[str]:
    """The name ``raw`` starts with (capitalised words, particles between them), or
    nothing when it does not start with one."""
    text = re.split(r"\s*[(\[{<:;,]|\s+[-–—]\s+|\.\s|\.$", raw.strip())[0].strip(" .*_")
    words: list[str] = []
    for word in text.split():
        if word.casefold() in _PARTICLES and words:
            words.append(word)
            continue
        if not word[0].isupper() or any(ch.isdigit() for ch in word):
            break  # "Anna Schmidt über asyncio": the name ends here
        words.append(word)
    while words and words[-1].casefold() in _PARTICLES:  # "X y" cut at a conjunction
        words.pop()
    if not words or len(words) > 4 or (len(words) == 1 and not single):
        return []
    if words[0].casefold() in _NOT_NAMES:
        return []
    name = " ".join(words)
    return [name] if len(name) <= MAX_NAME else []


def _is_profile(url: str) -> bool:
    host = urlsplit(url).netloc.lower()
    return any(marker in host for marker in _PROFILE_HOSTS)
