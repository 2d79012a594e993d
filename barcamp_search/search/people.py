"""People across posts and archives: each post's people names -> one name per person.

The search stage reads each post's speakers and authors as the index holds them (as the
post writes them) and groups the spellings of one person under one display name, so the
speaker and author facets and the speakers page list a person once. Pure functions: no
Whoosh, no Flask, no click.

Grouping rule (strong evidence only; a wrong merge is worse than a duplicate):

* **Same letters** (everywhere): names equal once case, accents, spaces, hyphens and dots
  are ignored are one person (``Vijay Kumar`` / ``vijay  kumar`` / ``Vijaykumar``,
  ``Stéphane`` / ``Stephane``).
* **Within one archive** only, for names of two words or more:

  - a trailing initial: ``Vijay Kumar B`` is ``Vijay Kumar`` (when that name is there);
  - an initial that matches: ``Mathieu F.`` is ``Mathieu Fournier`` when the archive has
    exactly one ``Mathieu F…`` (two candidates: left apart);
  - one letter more: ``Vijayakumar`` is ``Vijay Kumar`` (a letter inserted, 9 letters or
    more, one of the two written as two words or more; never a letter *changed*:
    ``Ashok Kumar`` and ``Ashik Kumar`` stay two people; ``Christopher`` and
    ``Christophe`` stay two first names);
  - two letters swapped in the surname of the same first name (``Gaurav Sherawat`` is
    ``Gaurav Sehrawat``; 9 letters or more).

* A first name alone is never merged with a full name across posts (two people may share
  it); within one post the extractor already keeps the fullest form.
* **Aliases** from the config file's ``[people.aliases]`` table win over every rule:
  ``"Vijayakumar B" = "Vijay Kumar"`` merges a spelling into a person; a name mapped to
  itself (``"Alex Martin" = "Alex Martin"``) is kept apart from any automatic group.

The display name of a group is its most used spelling (ties: the one without an initial,
capitalised, with accents, in more words, longer, then the first in alphabetical order); an alias
target is always the display name of its group.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_INSERTION_LETTERS = 9  # "one letter more" merges only names at least this long


def letters_key(name: str) -> str:
    """Case, accents, spaces, hyphens, dots, apostrophes ignored: ``Jean-Éric`` -> ``jeaneric``."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s]+", name.strip()) if w]


def _is_initial(word: str) -> bool:
    return bool(re.fullmatch(r"[^\W\d_]\.?", word))


def _fullness(name: str) -> tuple[int, ...]:
    """Sort key preferring, among equally used spellings, the one a person writes:
    no initial, capitalised, accents kept, words apart."""
    words = _words(name)
    return (
        sum(_is_initial(w) for w in words),
        not name[:1].isupper(),
        -sum(unicodedata.decomposition(c) != "" for c in name),
        -len(words),
        -len(name),  # a typo more often drops a letter than adds one ("Raymon")
    )


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class PeopleGroups:
    """Every spelling -> its person's display name, and each display name's spellings."""

    display: Mapping[str, str]  # spelling as written -> display name
    variants: Mapping[str, tuple[str, ...]]  # display name -> every spelling, display first

    def name_of(self, spelling: str) -> str:
        return self.display.get(spelling, spelling)


def group_people(
    per_post: Sequence[tuple[str, ...]],
    archives: Sequence[str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> PeopleGroups:
    """Group the spellings of ``per_post`` (each post's names; ``archives[i]`` the archive
    of post ``i``) by the rule of this module."""
    aliases = {k.strip(): v.strip() for k, v in (aliases or {}).items() if k.strip()}
    posts: Counter[str] = Counter()
    archive_names: dict[str, set[str]] = {}
    for i, values in enumerate(per_post):
        archive = archives[i] if archives is not None and i < len(archives) else ""
        for value in dict.fromkeys(values):
            posts[value] += 1
            archive_names.setdefault(archive, set()).add(value)
    union = _Union()
    pinned = {name for name in posts if name in aliases}
    by_key: dict[str, str] = {}
    for name in sorted(posts):
        if name in pinned:
            continue
        key = letters_key(name) or name
        if key in by_key:
            union.join(by_key[key], name)
        else:
            by_key[key] = name
    for names in archive_names.values():
        _group_archive(sorted(n for n in names if n not in pinned), union)
    groups: dict[str, list[str]] = {}
    for name in posts:
        groups.setdefault(union.find(name), []).append(name)
    display: dict[str, str] = {}
    for members in groups.values():
        best = min(members, key=lambda n: (-posts[n], *_fullness(n), n))
        for member in members:
            display[member] = best
    for name, target in aliases.items():
        if name in posts:
            display[name] = name if target == name else display.get(target, target)
    variants: dict[str, list[str]] = {}
    for name in sorted(display, key=lambda n: (-posts[n], n)):
        variants.setdefault(display[name], []).append(name)
    return PeopleGroups(
        display,
        {shown: tuple(dict.fromkeys([shown, *names])) for shown, names in variants.items()},
    )


def _group_archive(names: list[str], union: _Union) -> None:
    """The within-archive rules: trailing initial, matching initial, one letter more."""
    full = [n for n in names if len(_words(n)) >= 2 and not _is_initial(_words(n)[-1])]
    by_key = {letters_key(n): n for n in full}
    by_first: dict[str, list[str]] = {}
    for name in full:
        words = _words(name)
        by_first.setdefault(letters_key(words[0]), []).append(name)
    for name in names:
        words = _words(name)
        if len(words) < 2 or not _is_initial(words[-1]):
            continue
        # "Vijay Kumar B" -> "Vijay Kumar"
        stem = " ".join(words[:-1])
        if len(words) >= 3 and letters_key(stem) in by_key:
            union.join(by_key[letters_key(stem)], name)
            continue
        # "Mathieu F." -> the one "Mathieu F…" of the archive
        if len(words) == 2:
            initial = letters_key(words[-1])
            candidates = {
                letters_key(n)
                for n in by_first.get(letters_key(words[0]), [])
                if len(_words(n)) == 2 and letters_key(_words(n)[1]).startswith(initial)
            }
            if len(candidates) == 1:
                union.join(by_key[candidates.pop()], name)
    # "Vijayakumar" -> "Vijay Kumar" (one of the two has two words or more)
    # (each key's one-letter deletions looked up: linear in the names, not quadratic)
    keys: dict[str, list[str]] = {}
    for name in names:
        if not any(_is_initial(w) for w in _words(name)):  # "M. Muralidharan": no letter more
            keys.setdefault(letters_key(name), []).append(name)
    for key, spellings in keys.items():
        for shorter in {key[:i] + key[i + 1 :] for i in range(len(key))}:
            others = keys.get(shorter, [])
            if (
                others
                and len(shorter) >= MIN_INSERTION_LETTERS
                and any(len(_words(n)) >= 2 for n in spellings + others)
            ):
                union.join(spellings[0], others[0])
        # "Gaurav Sherawat" -> "Gaurav Sehrawat": two letters swapped, same first word
        if len(key) < MIN_INSERTION_LETTERS or not all(len(_words(n)) >= 2 for n in spellings):
            continue
        for i in range(len(key) - 1):
            swapped = key[:i] + key[i + 1] + key[i] + key[i + 2 :]
            others = [
                n
                for n in keys.get(swapped, [])
                if swapped != key
                and len(_words(n)) >= 2
                and letters_key(_words(n)[0]) == letters_key(_words(spellings[0])[0])
            ]
            if others:
                union.join(spellings[0], others[0])
