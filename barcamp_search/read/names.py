"""What a person's name looks like, and how it is cleaned: the words a name may hold,
honorifics and ranks, name runs in prose, the fullest form of a name in one post, and the
people of an author field (dates and roles dropped).

Used by ``read/people.py`` (people found in a post's prose) and ``read/assemble.py``
(author fields). Pure functions over strings and :class:`Person` tuples.
"""

from __future__ import annotations

import re

from barcamp_search.model import Person, clean_text, dedupe

PARTICLES = {
    "de",
    "du",
    "des",
    "d'",
    "van",
    "von",
    "der",
    "den",
    "di",
    "da",
    "del",
    "della",
    "le",
    "la",
    "dos",
    "das",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
    "y",
}
HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "professor", "mme", "mlle", "m"}
# military and police ranks are no part of a name ("Lt Col CR Sundar" is "CR Sundar")
RANKS = {
    "lt",
    "col",
    "capt",
    "cpt",
    "maj",
    "gen",
    "sgt",
    "cdr",
    "cmdr",
    "wg",
    "sqn",
    "ldr",
    "brig",
}
RANKS |= {"colonel", "captain", "lieutenant", "commander", "general", "sergeant", "brigadier"}
STOP_WORDS = set(
    """il elle ils elles nous vous on ce cet cette ces le la les un une des du l notre
nos votre mon ma son sa leur chacun tout tous qui puis ensuite enfin et mais si quand lors
personne aucun inconnu anonyme intervenant intervenante intervenants intervenantes orateur
orateurs oratrice participant participants rapporteur rapporteuse animateur animatrice speaker
speakers presenter presenters
this that these those the a an he she we they it i you our my his her their everyone someone
nobody who then next first finally also and but or if when there here today tonight
unknown anonymous none tbd tba todo lundi mardi mercredi jeudi vendredi samedi dimanche
monday tuesday wednesday thursday friday saturday sunday janvier février mars avril mai juin
juillet août septembre octobre novembre décembre january february march april june july
august september october november december main flash lightning talk talks présentation
presentation introduction intro session workshop atelier keynote meetup barcamp afpyro
python django flask pyramid pelican ipython jupyter pygame postgresql postgres mysql
sqlalchemy celery numpy scipy pandas asyncio docker linux windows google microsoft github
pycon pyconfr afpy sage twisted plone zope openerp odoo ansible salt fabric sentry
micropython cpython pypy aws open source web data team group architect developer engineer
professor founder ceo cto student manager consultant director head staff contributor me moi
us hand example examples design default night building using making writing learning doing
creating install use read download see check join visit register tech inc labs corp ltd llc
software foundation association systems solutions technologies community cinemas best
practices tips tricks basics part overview lessons learned future state deep dive getting started
beyond new what why how quick guide demo q&a questions discussion discussions""".split()
)
NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*\Z")
URL_OR_EMAIL = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
PARENS = re.compile(r"\s*(?:\([^()]*\)|\[[^\]]*\]|\([^()]*$)")


def is_cap_word(word: str) -> bool:
    return bool(NAME_WORD.match(word)) and word[0].isupper()


def is_bad_word(word: str) -> bool:
    """Pronouns, articles, dates, tech names (``*python*``, ``*py``), role words."""
    if re.fullmatch(r"[^\W\d_]\.", word):
        return False  # an initial: ``A.``
    key = word.casefold().strip(".'’")
    if re.search(r"['’]s\Z", word) or (word.isalpha() and word.isupper() and 2 < len(word) <= 6):
        return True  # ``GUI's``, acronyms (``SFL``, ``IRTT``)
    return (
        key in STOP_WORDS
        or "python" in key
        or (len(key) > 3 and key.endswith("py"))
        or bool(re.match(r"Py[A-Z]", word))
    )


def looks_like_name(name: str, max_words: int = 4) -> bool:
    """1-``max_words`` capitalised words (particles inside), no stop/tech word, no digit."""
    words = name.split()
    if not 1 <= len(words) <= max_words or any(c in name for c in '?@#/:"<>=0123456789'):
        return False
    for i, word in enumerate(words):
        if word.casefold() in PARTICLES and i < len(words) - 1:
            continue
        if not NAME_WORD.match(word) or not word[0].isupper() or is_bad_word(word):
            return False
    return True


def clean_name(raw: str) -> str:
    """Strip parentheses, URLs/e-mails, honorifics, quotes and trailing punctuation."""
    text = clean_text(URL_OR_EMAIL.sub("", PARENS.sub("", raw)))
    text = text.strip(" \"'“”«»*_`<>,;:!-–—")
    words = text.split()
    while len(words) > 1 and words[0].casefold().rstrip(".") in (HONORIFICS - {"m"}) | RANKS:
        words = words[1:]
    text = " ".join(words)
    if text.endswith(".") and not re.search(r"(?:^|[\s.])\w\.$", text):
        text = text[:-1].rstrip()
    return text


def read_name_run(tokens: list[str], first_only: bool = True) -> tuple[list[str], int]:
    """Read ``A B, C et D E`` from the start of ``tokens``: (names, tokens consumed)."""
    groups: list[list[str]] = [[]]
    used, i = 0, 0
    while i < len(tokens):
        if groups[-1] and tokens[i].startswith("("):
            break  # "Luis Rovirosa (Backend Developer)": the parentheses end the name
        tok = tokens[i].lstrip('("“«*')
        core = tok.rstrip(',;:.!?)"”»*')
        trail = tok[len(core) :]
        if re.fullmatch(r"[^\W\d_]", core) and trail.startswith("."):
            core, trail = core + ".", trail[1:]
        cur = groups[-1]
        if tok.casefold() in {"et", "and", "&"} and cur:
            groups.append([])
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        title_word = core.casefold().rstrip(".") in HONORIFICS | RANKS
        if not cur and title_word and is_cap_word(nxt.rstrip(",.;:)")):
            i += 1
            continue
        if core.casefold() in {"de", "du"} and len(cur) >= 2:
            break  # "Claude Huchet de SysGrove": a first and a last name, then a company
        particle = core.casefold() in PARTICLES and cur and is_cap_word(nxt.rstrip(",.;:)"))
        if not (particle or (is_cap_word(core) and not is_bad_word(core))):
            break
        if len(cur) >= 4:  # five capitalised words: a title, not a name
            groups.pop()
            used = min(used, i - len(cur))
            break
        cur.append(core)
        i += 1
        used = i
        if not trail:
            continue
        if trail[0] in ",;" and not trail[1:]:
            groups.append([])
            continue
        break
    names = [" ".join(g) for g in groups if g]
    conj = any(t.casefold() in {"et", "and", "&"} for t in tokens[:used])
    if not conj and len(names) > 1:
        names = names[:1] if first_only else names[-1:]
    return names, used


def is_short_form(short: str, full: str) -> bool:
    """``Jair`` of ``Jair Vercosa``; ``Dinesh Joshi`` of ``Dinesh A. Joshi``."""
    a, b = short.casefold().split(), full.casefold().split()
    if len(a) >= len(b) or a[0] != b[0]:
        return False
    if len(a) == 1:
        return True
    it = iter(b)
    return a[-1] == b[-1] and all(word in it for word in a)


def fullest_forms(persons: list[Person]) -> tuple[Person, ...]:
    """A person once per post, in the fullest form the post gives (when only one fits): a
    first name (``Jair``), a name without its middle initial, or a surname alone
    (``Azeez``) is the one full name of the post it begins or ends."""
    by_first: dict[str, list[str]] = {}
    for name in dedupe([p.name for p in persons], key=str.casefold):
        by_first.setdefault(name.split()[0].casefold(), []).append(name)
    fuller: dict[str, str] = {}
    for name in (n for group in by_first.values() if len(group) < 200 for n in group):
        names = by_first[name.split()[0].casefold()]
        candidates = dedupe([n for n in names if is_short_form(name, n)], key=str.casefold)
        longest = [n for n in candidates if not any(is_short_form(n, m) for m in candidates)]
        if len(longest) == 1:
            fuller[name] = longest[0]
    # "Azeez" of "Hafizul Azeez": a single word that is the last word of one full name only
    by_last: dict[str, list[str]] = {}
    for group in by_first.values():
        for name in group:
            if len(name.split()) >= 2:
                by_last.setdefault(name.split()[-1].casefold(), []).append(name)
    for group in by_first.values():
        for name in group:
            fulls = by_last.get(name.casefold(), []) if len(name.split()) == 1 else []
            if name not in fuller and len({f.casefold() for f in fulls}) == 1:
                fuller[name] = fulls[0]
    seen: set[tuple[str, str, str | None]] = set()
    kept: list[Person] = []
    for person in persons:
        name = fuller.get(person.name, person.name)
        key = (name.casefold(), person.role, person.section)
        if key not in seen:
            seen.add(key)
            kept.append(Person(name, person.role, person.section))
    return tuple(kept)


# --- author fields -------------------------------------------------------------------

_MONTHS = (
    r"jan(?:uary|vier)?|feb(?:ruary)?|févr(?:ier)?|fevrier|mar(?:ch|s)?|apr(?:il)?|avr(?:il)?|"
    r"may|mai|june?|juin|july?|juil(?:let)?|aug(?:ust)?|août|aout|sept?(?:ember|embre)?|"
    r"oct(?:ober|obre)?|nov(?:ember|embre)?|dec(?:ember)?|déc(?:embre)?"
)
# "Reviewed June 2008", "October, 2008", "Jan 2008", "2008-10-02" at the end of an author
_DAY_YEAR = r"(?:\d{1,2}(?:st|nd|rd|th)?,?\s*)?\d{4}\b"
_AUTHOR_DATE = re.compile(
    r"(?i)[\s,;-]*(?:"
    rf"\b(?:reviewed|reviewer|revu|updated)\b[\s,:]*(?:(?:{_MONTHS})\b\.?,?\s*)?(?:{_DAY_YEAR})?"
    rf"|(?:\d{{1,2}}\s+)?\b(?:{_MONTHS})\b\.?,?\s*{_DAY_YEAR}"
    r"|\b\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?\b"
    r")\s*$"
)
_ROLE_ACCOUNTS = {"admin", "administrator", "administrateur", "webmaster", "staff", "editor"}


def clean_author(name: str) -> tuple[str | None, str | None]:
    """An author value without the date or role written into it: ``(person, warning)``.

    ``Emile van Sebille October 2008`` -> ``Emile van Sebille``; ``Reviewed June 2008``,
    account names (``baypiggie_member``, ``Admin``) and the group itself
    (``Québec-Python``) -> no person. The warning says what was dropped (None when the
    value was a plain name)."""
    stripped = _AUTHOR_DATE.sub("", name).strip(" ,;-")
    words = stripped.split()
    if (
        not words
        or stripped.casefold() in _ROLE_ACCOUNTS
        or (len(words) == 1 and ("_" in stripped or stripped.islower()))
        or not any(c.isalpha() for c in stripped)
        or "python" in stripped.casefold()  # the group itself: "Québec-Python"
    ):
        return None, f"author {name!r} is not a person; dropped"
    if stripped != name:
        return stripped, f"author {name!r}: {name[len(stripped) :].strip(' ,')!r} dropped"
    return name, None
