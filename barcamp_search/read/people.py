"""Find the people of a meetup post in its prose: speakers, participants, reporters, hosts.

:func:`find_people` reads only ``Document.blocks``, ``ParsedSection.blocks`` and section
titles (readers never put code, comments or raw HTML into blocks), and applies small,
precise heuristics, one function each. Precision comes first: a missed name is better
than a wrong one. The names themselves (what a name looks like, clean-up, author fields)
are ``read/names.py``'s.

* Label lines (at the start of any line of a block): ``Intervenant(e)(s) :``,
  ``Orateur/Oratrice :``, ``Speaker(s):``, ``Presenter(s):``, ``Speaker bio: X``,
  ``Présenté(e) par X`` (speaker); ``Participant(s) :``, ``Présent(e)(s) (pour le
  moment) :`` (participant); ``Rapporteur/Rapporteuse :``, ``Meeting Minutes by:``,
  ``Compiled by:``, ``compte-rendu par:`` (reporter); ``Animateur/Animatrice :``,
  ``Animé(e) par X``, ``leading the meetup:`` (host). French spacing before the colon
  (none, space, NBSP, NNBSP) is accepted. A label with no value gives its role to the list
  items right after it (``Présent pour le moment :`` then ``* Stéphane (harobed) à
  19h``). A definition-list term ``Speaker``/``Speaker:`` takes the name from the next
  ``definition`` block. English *singular* labels (``Speaker: Dhanesh K, Architect at X``)
  keep only the part before the first comma (the rest is an affiliation) unless the value
  also holds ``and``/``&``; French labels always split on commas (python-nantes writes
  ``Intervenant : Damien Nicolas, Gordon``). After a speaker label only, a first name and
  a lowercase surname is a name (``Gaurav kamathe``).
* Section titles: ``Speaker: X`` and ``Speaker Bio`` (the name its text opens with) are
  of the **parent** section (the talk whose sub-heading it is); ``"Talk" presented by X``
  / ``Talk title by X`` of that section; ``Name: Talk title`` under a talk-like parent
  (``Main Presentation``), ``Talk - Name`` under a heading naming talks (``3 Talks: ...``)
  of that section; ``Compiled by X`` / ``Meeting Minutes by X`` (reporters; with no name,
  as ``Compiled by PythonPune``, the list under it names them). ``... sponsored by X`` and
  break/food titles are ignored.
* Talk lists (a section or post titled like ``Lightning talks``, ``Nos présentations``,
  or items after a label paragraph such as ``Flash presenters are going to be:``): items
  ``Name: title``, ``Name - title``, ``Name, title``, ``Name "title"``, ``Name on/sur
  title`` (2-4 capitalised words), ``title - Name`` / ``title, Name`` (the list's own order
  decides: the items where only one side is a name vote), ``title par/by Name``. Outside a
  talk list only ``title, par Name`` and ``title par Name (30min)`` items count. ``Name
  Product: a ...`` drops the product (``Olivier Bélanger Ounk: a Python audio ...``). A
  label value whose first part is a sentence, not a name, yields nobody.
* Prose: ``X a présenté``, ``X et Y ont présenté``, ``X nous présentera/montrera``, ``X
  nous a parlé de``, ``X a improvisé``, ``X presented the``, ``X gave/did a (lightning)
  talk`` (X must start the block or follow punctuation; a ``(@handle) de Company`` between
  X and the verb is skipped), ``(par X)``, ``présentation ... par X``, ``présentation
  (longue) de X``, ``donnée par X``, ``presented by X``, ``talk by X``, ``a talk from X``,
  ``Our main presenter will be X``, ``talk ... given/delivered by X``, a block ``"Title"
  by X``; ``animé(e) par X``, ``organisé(e) par X``, ``animated by X`` (host); ``Meeting
  minutes contributed by X``, ``compte-rendu par X`` (reporter); ``Thank you A, B & C for
  hosting ... and D for delivering talks`` (hosts, speakers; ``Thanks to X for hosting``
  is a venue); ``nos 6 sprinteurs : A, B, C`` (participants); a paragraph that is only a
  name (``** Vlad **``) followed by its bio (``Vlad Goloshuk is ...``), a speaker.

A person is named once per post, in the fullest form the post gives (``Jair`` and ``Jair
Vercosa`` are ``Jair Vercosa`` when no other ``Jair ...`` is there). A section's speakers
are its own; a section with none has those of its nearest ancestor, unless a sibling has
its own (:func:`section_speakers`).

Block quotes: label lines inside a ``quote`` block count (in reST an indented line is a
block quote by accident more often than a citation), prose forms do not (quoted text is an
abstract or someone else's words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from barcamp_search.model import (
    NAMES_SEPARATOR,
    Block,
    Document,
    ParsedSection,
    Person,
    ReadWarning,
    dedupe,
)
from barcamp_search.read.names import (
    PARENS,
    PARTICLES,
    STOP_WORDS,
    clean_name,
    fullest_forms,
    is_bad_word,
    is_cap_word,
    looks_like_name,
    read_name_run,
)

MAX_NAME_LENGTH = 100  # longer names (found here, or authors) are truncated
_SPACE = r"[ \t\u00a0\u202f]"
_PLURAL = r"(?:\(s\)|s)?"
_LABELS: tuple[tuple[str, str], ...] = (
    (r"speaker\s+bios?", "bio"),
    (
        rf"intervenant(?:\(e\)|e)?{_PLURAL}|orat(?:eur|rice){_PLURAL}|présentat(?:eur|rice){_PLURAL}",
        "speaker",
    ),
    (rf"speaker{_PLURAL}|presenter{_PLURAL}|special\s+guest{_PLURAL}", "speaker"),
    (
        rf"participant(?:\(e\)|e)?{_PLURAL}|présent(?:\(e\)|e)?{_PLURAL}(?:\s+pour\s+le\s+moment)?"
        rf"|(?:nos|les)\s+(?:\d+\s+)?sprint(?:eur|euse|er){_PLURAL}",
        "participant",
    ),
    (rf"rapport(?:eur|euse){_PLURAL}|reporter{_PLURAL}", "reporter"),
    (
        r"(?:meeting\s+)?minutes\s+by|(?:contributed|compiled)\s+by|compte[- ]rendu\s+par",
        "reporter",
    ),
    (rf"animat(?:eur|rice){_PLURAL}|(?:leading|hosting)\s+the\s+meetup", "host"),
)
_LABEL_RE = re.compile(
    r"^[\s\-*•–]*(?:"
    + "|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(_LABELS))
    + rf"){_SPACE}*:(?P<value>.*)$"
    + rf"|^[\s\-*•–]*(?P<par>présentée?|animée?){_SPACE}+par\s+(?P<pvalue>.*)$",
    re.IGNORECASE,
)
_THIS_TALK = re.compile(
    r"(?i)\b(?:this|that|cette|cet|ce)\s+(?:\w+\s+)?(?:presentation|"
    r"talk|présentation|exposé|conférence)"
)
_TALKY = re.compile(
    r"(?i)\b(?:presentations?|présentations?|talks?|conférences?|exposés?|presenters?|"
    r"preseters?|présentateurs?|speakers?|intervenants?|orateurs?|keynotes?|flash|lightning)\b"
)
_TAIL = re.compile(r"\s+(?:--?|–|—|\|)\s+.*$|\s*:\s+.*$|\s+(?:from|at|of|chez|@)\s+.*$")
_BOUNDARY_END = tuple(".,;:!?(•*–—-")
_BACKWARD_TRIGGERS = re.compile(
    r"\s(?:nous\s+|y\s+)?(?:a|ont)\s+présenté|\s(?:nous\s+|y\s+)?présenter(?:a|ont)\b|"
    r"\snous\s+(?:montrer|parler)(?:a|ont)\b|\snous\s+(?:a|ont)\s+(?:parlé|montré)\b|"
    r"\s(?:a|ont)\s+improvisé\b|\spresented\s+(?:the|a|an|his|her|their)\b|"
    r"\s(?:gave|did|delivered)\s+(?:a|an)\s+(?:\w+\s+){0,2}?(?:talk|presentation)\b|"
    r"\s(?:donnera|a\s+donné|fera|a\s+fait)\s+(?:une|un)\s+(?:\w+\s+)?(?:présentation|exposé|talk)\b"
)
_REPORTED_BY = (
    r"(?:(?:meeting\s+)?minutes|compte[- ]rendu|write[- ]up)"
    r"(?:\s+(?:contributed|compiled|written|taken|prepared|rédigée?|écrite?))?\s+(?:by|par)\s+"
    r"|(?:contributed|compiled)\s+by\s+"
)
# (trigger, role, fewest words a name needs after it, words one of which the text must hold:
# a substring test first spares most blocks the regular expression)
_FORWARD_TRIGGERS: tuple[tuple[re.Pattern[str], str, int, tuple[str, ...]], ...] = (
    (re.compile(r"\(par\s+(?=[^()]*\))"), "speaker", 1, ("(par",)),
    (
        re.compile(r"(?i)\bprésentations?\b[^.!?:;()]{0,60}?\bpar\s+"),
        "speaker",
        1,
        ("présentation",),
    ),
    (re.compile(r"(?i)\b(?:donnée?|présentée?)\s+par\s+"), "speaker", 1, ("donné", "présenté")),
    (
        re.compile(r"(?i)\bprésentations?\s+(?:(?:longues?|courtes?|éclairs?)\s+)?de\s+"),
        "speaker",
        2,
        ("présentation",),
    ),
    (
        re.compile(r"(?i)\banimée?\s+par\s+|\borganisée?s?\s+par\s+"),
        "host",
        1,
        ("animé", "organisé"),
    ),
    (re.compile(r"(?i)\banimated\s+by\s+"), "host", 1, ("animated",)),
    (re.compile(r"(?i)\bpresented\s+by\s+|\btalk\s+by\s+"), "speaker", 1, ("by",)),
    (re.compile(r"(?i)\b(?:talks?|presentation|keynote)\s+from\s+"), "speaker", 2, ("from",)),
    (
        re.compile(r"(?i)\b(?:main\s+)?(?:presenters?|speakers?)\s+(?:will\s+be|is|was)\s+"),
        "speaker",
        2,
        ("presenter", "speaker"),
    ),
    (
        re.compile(rf"(?i)(?:^|\b){_REPORTED_BY}"),
        "reporter",
        2,
        ("minutes", "compte", "write", "contributed", "compiled"),
    ),
    (re.compile(r"(?i)\bcompte[- ]rendu\s+par\s+"), "reporter", 1, ("compte",)),
    (
        re.compile(
            r"(?i)\b(?:talks?|presentations?|keynote|session|workshop|tutorial)\b"
            r"[^.!?;]{0,80}?\b(?:given|delivered)\s+by\s+"
        ),
        "speaker",
        1,
        ("given", "delivered"),
    ),
)
# "Thank you A, B & C for hosting ... and D for delivering talks"
_THANKS = re.compile(
    r"(?:\b[Tt]hank(?:s\s+to|\s+you|s)|\band)\s+"
    r"([^\W\d_][\w.'’-]*(?:(?:\s*,\s*|\s+&\s+|\s+)[^\W\d_][\w.'’-]*){0,11}?)"
    r"\s+for\s+((?i:hosting|organi[sz]ing|delivering|giving|presenting"
    r"|(?:the\s+)?(?:meeting\s+)?minutes))\b",
)
_THANKS_ROLES = {"hosting": "host", "organising": "host", "organizing": "host"}
_THANKS_ROLES |= {"minutes": "reporter", "meeting minutes": "reporter"}
# "nos 6 sprinteurs : A, B, C", "our participants: A, B"
_INLINE_LIST = re.compile(
    r"(?i)\b(?:nos|les|our|the)\s+(?:\d+\s+)?(?:sprinteu(?:r|se)s|sprinters|participants?|présents)"
    r"[ \t\u00a0\u202f]*:\s*(.+)"
)
_NOT_TALK_BY = re.compile(
    r"(?i)\b(?:sponsored|hosted|supported|organi[sz]ed|powered|compiled|"
    r"written|edited|provided|catered|courtesy|photos?)\s+by\s+\Z|"
    r"\b(?:break|lunch|dinner|tea|coffee|snacks|food|pizza|drinks)\b"
)
Found = tuple[str, str, int | None]  # (name, role, line)


def _line_of(block: Block, offset: int) -> int | None:
    return None if block.line is None else block.line + offset


def _truncate_name(name: str, line: int | None, warnings: list[ReadWarning]) -> str:
    if len(name) > MAX_NAME_LENGTH:
        message = f"name of {len(name)} characters truncated to {MAX_NAME_LENGTH}"
        warnings.append(ReadWarning(line, message))
        name = name[:MAX_NAME_LENGTH].rstrip()
    return name


def label_names(value: str, kind: str, label: str) -> list[str]:
    """Names of a label value: ``Damien Nicolas, Gordon``, ``Florent, Antoine et Pablo``."""
    if kind == "bio":
        text = PARENS.sub("", value).strip()
        lead = re.match(r"\s*((?:\S+\s+){0,3}?\S+)\s+(?:is|has|was|works|est|a)\s", text)
        if lead and looks_like_name(clean_name(lead.group(1))):
            return [clean_name(lead.group(1))]
    value = _TAIL.sub("", PARENS.sub("", value).strip())
    singular_en = label.casefold() in {"speaker", "presenter", "speaker bio"}
    if singular_en and "," in value and not re.search(r"(?i)\s(?:and|&)\s", value):
        value = value.split(",", 1)[0]
    names = []
    for i, part in enumerate(NAMES_SEPARATOR.split(value)):
        name = clean_name(part)
        if looks_like_name(name, max_words=6) or _lowercase_surname(name, kind):
            names.append(name)
        elif i == 0 and name.strip("?"):
            return []  # the value is a sentence, not a list of names
    return names


def _lowercase_surname(name: str, kind: str) -> bool:
    """``Gaurav kamathe`` after a speaker label: a first name and a lowercase surname."""
    words = name.split()
    return (
        kind == "speaker"
        and len(words) == 2
        and looks_like_name(words[0])
        and bool(re.fullmatch(r"[^\W\d_A-Z]{3,}", words[1]))
        and words[1] not in STOP_WORDS | PARTICLES | _LINK_WORDS
        and not is_bad_word(words[1])
    )


_LINK_WORDS = {"from", "at", "of", "on", "sur", "chez", "with", "avec", "pour", "for", "about"}


def _label_match(line: str) -> tuple[str, str, str] | None:
    """``(kind, label, value)`` for a label line, else None."""
    m = _LABEL_RE.match(line)
    if not m:
        return None
    if m.group("par"):
        kind = "host" if m.group("par").casefold().startswith("anim") else "speaker"
        return kind, m.group("par"), m.group("pvalue")
    for i, (_, kind) in enumerate(_LABELS):
        if m.group(f"g{i}"):
            return kind, m.group(f"g{i}"), m.group("value")
    return None


def _role(kind: str) -> str:
    return "speaker" if kind == "bio" else kind


def find_label_lines(block: Block) -> list[Found]:
    """``Intervenant : X`` / ``Speakers: A, B`` / ``Rapporteur : X`` at the start of a line."""
    found: list[Found] = []
    for offset, line in enumerate(block.text.split("\n")):
        match = _label_match(line)
        if match:
            kind, label, value = match
            line_no = _line_of(block, offset)
            found += [(n, _role(kind), line_no) for n in label_names(value, kind, label)]
    return found


def find_definition_label(term: Block, definition: Block | None) -> list[Found]:
    """Definition list ``Speaker:`` term whose next ``definition`` block holds the name."""
    if term.kind != "term" or definition is None or definition.kind != "definition":
        return []
    label = term.text.strip()
    match = _label_match(label if label.endswith(":") else label + ":")
    if not match or match[0] == "bio" or match[2].strip():
        return []
    first = next((ln for ln in definition.text.split("\n") if ln.strip()), "")
    return [(n, _role(match[0]), definition.line) for n in label_names(first, match[0], match[1])]


def find_forward_prose(text: str) -> list[tuple[str, str]]:
    """``(par X)``, ``présentation ... par X``, ``presented by X``, ``talk ... given by X``,
    ``a talk from X``, ``Our main presenter will be X``, ``animated by X`` (host),
    ``Meeting minutes contributed by X`` (reporter)."""
    found: list[tuple[str, str]] = []
    lowered = text.casefold()
    for pattern, role, fewest, needles in _FORWARD_TRIGGERS:
        if not any(needle in lowered for needle in needles):
            continue
        for m in pattern.finditer(text):
            tokens = text[m.end() : m.end() + 400].split()[:16]
            names, used = read_name_run(tokens)
            if used == len(tokens) and names:  # the text ends the name: "... by Ann Lee P."
                names[-1] = re.sub(r"(\s[^\W\d_])\.\Z", r"\1", names[-1])
            found += [(n, role) for n in names if looks_like_name(n) and len(n.split()) >= fewest]
    thanks = " for " in lowered and ("thank" in lowered or " and " in lowered)
    for m in _THANKS.finditer(text) if thanks else ():
        if m.group(0).startswith("Thanks to") and m.group(2).casefold() == "hosting":
            continue  # "Thanks to Acme for hosting": a venue, seldom a person
        parts = [clean_name(p) for p in NAMES_SEPARATOR.split(m.group(1))]
        if parts and all(looks_like_name(p) for p in parts):
            verb = re.sub(r"^the\s+", "", " ".join(m.group(2).casefold().split()))
            found += [(p, _THANKS_ROLES.get(verb, "speaker")) for p in parts]
    listed = ":" in text and any(w in lowered for w in ("sprint", "participant", "présents"))
    for m in _INLINE_LIST.finditer(text) if listed else ():
        found += [(n, "participant") for n in label_names(m.group(1), "participant", "")]
    return found


def find_backward_prose(text: str) -> list[tuple[str, str]]:
    """``X a présenté``, ``X et Y ont présenté``, ``X nous montrera``, ``X y présentera``."""
    found: list[tuple[str, str]] = []
    for m in _BACKWARD_TRIGGERS.finditer(text):
        # "Dejan Filipovic (@nuoyas) de Gandi nous présentera": no handle, no company
        head = text[max(0, m.start() - 400) : m.start()]
        head = PARENS.sub("", re.sub(r"\s*\([^()]*\)\s+(?:de|from|of|at|chez)\s+\S+\Z", "", head))
        before = head.split()[-14:]
        if (
            len(before) >= 3
            and re.fullmatch(r"[a-z0-9_.]+", before[-1])
            and all(is_cap_word(w) for w in before[-3:-1])
        ):
            before = before[:-1]  # ``Laurent Guérin ltguerin a présenté``: drop the handle
        for k in range(len(before)):
            if k and not before[k - 1].endswith(_BOUNDARY_END):
                continue
            names, used = read_name_run(before[k:], first_only=False)
            rest = before[k + used :]
            company = (  # "Claude Huchet de SysGrove donnera": the run ends at the company
                names
                and 2 <= len(rest) <= 3
                and rest[0].casefold() in {"de", "du", "from", "of", "chez"}
                and len(names[-1].split()) >= 2
            )
            if names and (used == len(before) - k or company):
                found += [(n, "speaker") for n in names if looks_like_name(n)]
                break
    return found


def find_quoted_title_by(text: str) -> list[tuple[str, str]]:
    """A whole block ``"Talk title" by Name`` (BayPiggies)."""
    m = re.fullmatch(r'\s*["“].+["”]\s+(?:presented\s+)?by\s+(.+?)\s*', text, re.DOTALL)
    if not m:
        return []
    names, used = read_name_run(m.group(1).split())
    return [(n, "speaker") for n in names if used == len(m.group(1).split()) and looks_like_name(n)]


def find_quoted_title_por(text: str) -> list[tuple[str, str]]:
    """A block opening with a quoted talk title and its speaker: ``'Entornos virtuales'
    por Miguel González (@migonzalvar). Veremos ...`` (pyvigo-es), ``« Titre » par X``.
    (English ``"Title" by X`` counts only as a whole block: books are "by" their authors.)"""
    m = re.match(r"\s*[\"“'‘«][^\"”'’»]{2,200}[\"”'’»]\s+(?:por|par)\s+(.*)", text, re.DOTALL)
    if not m:
        return []
    names, _ = read_name_run(m.group(1).split()[:16])
    return [(n, "speaker") for n in names if looks_like_name(n)]


def _dash_names(part: str | None) -> list[str]:
    """The names ``part`` (one side of a talk item) is made of, else []."""
    if not part:
        return []
    names, used = read_name_run(part.split())
    if used == len(part.split()) and names and all(2 <= len(n.split()) <= 4 for n in names):
        return [n for n in names if looks_like_name(n)]
    return []


def _names_last(blocks: list[Block]) -> bool:
    """Whether the ``A - B`` items of a list put the name last (``ZeroMQ - Name``): the
    items where only one side is a name decide."""
    votes = 0
    for block in blocks:
        text = " ".join(block.text.split())
        head = re.match(r"(.+?)(?:\s[-–—]|,)\s+", text)
        tail = re.fullmatch(r".+(?:\s[-–—]|,)\s+(.+?)\.?", text)
        if block.kind == "item" and head and tail:
            votes += bool(_dash_names(tail.group(1))) - bool(_dash_names(head.group(1)))
    return votes > 0


def find_talk_item(block: Block, talky: bool, names_last: bool = False) -> list[tuple[str, str]]:
    """Talk list items: ``Name: title``, ``Name - title``, ``Name, "title"``, ``Name on title``,
    ``title par/by Name``."""
    if block.kind != "item":
        return []
    text = " ".join(block.text.split())
    m = re.match(r"(.+?),?\s+(?=[\"“«])\S", text) or re.match(
        r"(.+?)(?:\s*:\s+|\s+(?:--?|–|—)\s+|\s+(?:on|sur)\s+|,\s*)\S", text
    )
    if (
        m
        and re.match(r"\s*:\s+(?:a|an|un|une)\s", text[m.end(1) :])
        and len(m.group(1).split()) == 3
    ):
        # "Olivier Bélanger Ounk: a Python audio scripting environment": Ounk is the talk
        return [
            (n, "speaker") for n in [m.group(1).rsplit(" ", 1)[0]] if talky and looks_like_name(n)
        ]
    # Québec-Python: ``ZeroMQ - Name``
    tail = re.fullmatch(r".+(?:\s[-–—]|,)\s+(.+?)\.?(?:\s*\([^()]*\))?", text)
    sides = [m.group(1) if m else None, tail.group(1) if tail else None]
    for part in reversed(sides) if names_last else sides:
        names = _dash_names(part) if talky else []
        if names:
            return [(n, "speaker") for n in names]
    m = re.fullmatch(r".*?(,)?\s+(?:par|by|por)\s+([^(),\"“”]+?)\s*(\([^()]*\))?\.?", text)
    if m and (talky or m.group(1) or m.group(3)) and not _NOT_TALK_BY.search(text[: m.start(2)]):
        tokens = m.group(2).split()
        names, used = read_name_run(tokens)
        if used == len(tokens):
            return [(n, "speaker") for n in names if looks_like_name(n)]
    return []


def find_title_people(
    section: ParsedSection, parent: ParsedSection | None
) -> list[tuple[str, str, str]]:
    """Section titles: ``Speaker: X`` (-> parent), ``... by X``, ``Name: title`` under a talk."""
    title = " ".join(section.title.split())
    match = _label_match(title)
    if match:
        target = parent.anchor if parent is not None else section.anchor
        return [(n, _role(match[0]), target) for n in label_names(match[2], match[0], match[1])]
    m = re.fullmatch(r".*\sby\s+(.+)", title)
    if m and not _NOT_TALK_BY.search(title[: m.start(1)]):
        tokens = PARENS.sub("", m.group(1)).split()  # "by Venkata Krishnan (Venkat)"
        names, used = read_name_run(tokens)
        if used == len(tokens):
            return [(n, "speaker", section.anchor) for n in names if looks_like_name(n)]
    m = re.fullmatch(rf"(?i)(?:{_REPORTED_BY})(.+)", title)
    if m:  # "Meeting Minutes by X", "Compiled by X"
        return [(n, "reporter", section.anchor) for n in label_names(m.group(1), "reporter", "")]
    if re.fullmatch(r"(?i)speaker\s+bios?", title) and section.blocks:
        target = parent.anchor if parent is not None else section.anchor
        return [(n, "speaker", target) for n in label_names(section.blocks[0].text, "bio", "")]
    dash = re.fullmatch(r".+\s[-–—]\s+(.+?)", title)
    if dash and parent is not None and _TALKY.search(parent.title):
        # "Automate AWS With Python - Moshe Zadka" under "3 Talks: ..."
        names, used = read_name_run(dash.group(1).split())
        if used == len(dash.group(1).split()) and all(2 <= len(n.split()) <= 4 for n in names):
            return [(n, "speaker", section.anchor) for n in names if looks_like_name(n)]
    if parent is not None and is_talk_list_title(parent.title):
        head = re.match(r"(.+?)\s*:\s+\S", title)
        if head:
            names, used = read_name_run(head.group(1).split())
            if used == len(head.group(1).split()) and all(2 <= len(n.split()) <= 4 for n in names):
                return [(n, "speaker", section.anchor) for n in names if looks_like_name(n)]
    return []


def is_talk_list_title(title: str | None) -> bool:
    """A section title naming a list of talks: ``Main Presentation``, ``Lightning talks``."""
    return title is not None and len(title.split()) <= 3 and bool(_TALKY.search(title))


def _is_talk_label(block: Block) -> bool:
    """A short paragraph introducing a talk list: ``Flash presentations :``."""
    last = re.split(r"(?<=[.!?])\s+", block.text.strip())[-1]
    return (
        block.kind == "paragraph"
        and last.endswith(":")
        and len(last.split()) <= 25
        and bool(_TALKY.search(last))
        and not _THIS_TALK.search(last)
    )


def _list_role(block: Block) -> str | None:
    """The role of the list items after a label with no value: ``Présents :``."""
    lines = block.text.strip().split("\n")
    match = _label_match(lines[-1].strip()) if lines else None
    if match and not match[2].strip() and match[0] != "bio":
        return _role(match[0])
    return None


def _title_role(title: str | None) -> str | None:
    """The role of a section's list items given by its title: ``Compiled by PythonPune``."""
    if title is None:
        return None
    title = " ".join(title.split())
    m = re.fullmatch(rf"(?i)(?:{_REPORTED_BY})(.+)", title)
    if m and not label_names(m.group(1), "reporter", ""):
        return "reporter"
    return _list_role(Block("paragraph", title + ("" if title.endswith(":") else " :")))


def find_list_item_name(block: Block) -> str | None:
    """The person an item of a people list names: ``Stéphane (harobed) à 19h``."""
    text = PARENS.sub("", " ".join(block.text.split()))
    text = re.split(r"\s+(?:à|at|vers|from|de|chez|@)\s+|\s+[-–—:]\s+|,", text)[0]
    name = clean_name(text)
    return name if looks_like_name(name) else None


def find_bio_after_name(block: Block, after: Block | None) -> list[tuple[str, str]]:
    """A paragraph that is only a name (``** Vlad **``) followed by its bio
    (``Vlad Goloshuk is the Founder ...``): a speaker, in the bio's fuller form."""
    if block.kind != "paragraph" or after is None or after.kind != "paragraph":
        return []
    if len(block.text) > 80 or not block.text.strip():
        return []
    name = clean_name(block.text.replace("*", " "))
    if not looks_like_name(name) or "\n" in block.text.strip():
        return []
    lead = label_names(after.text, "bio", "")
    if lead and lead[0].split()[0] == name.split()[0]:
        return [(max(lead[0], name, key=len), "speaker")]
    return []


def _scan_blocks(blocks: Iterable[Block], title: str | None) -> list[Found]:
    blocks = list(blocks)
    found: list[Found] = []
    talky_label = False
    list_role = _title_role(title)
    names_last: bool | None = None  # read when a talk list needs it
    for i, block in enumerate(blocks):
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind != "item":
            talky_label = _is_talk_label(block)
            list_role = _list_role(block)
        elif list_role:
            name = find_list_item_name(block)
            found += [(name, list_role, block.line)] if name else []
        found += [(n, r, block.line) for n, r in find_bio_after_name(block, after)]
        found += find_label_lines(block)
        found += find_definition_label(block, blocks[i + 1] if i + 1 < len(blocks) else None)
        if block.kind == "quote":
            continue
        flat = " ".join(block.text.split())
        hits = find_backward_prose(flat) + find_forward_prose(flat) + find_quoted_title_by(flat)
        hits += find_quoted_title_por(flat) if "por" in flat or "par" in flat else []
        talky = talky_label or is_talk_list_title(title)
        if talky and block.kind == "item" and names_last is None:
            names_last = _names_last(blocks)
        hits += find_talk_item(block, talky, bool(names_last))
        found += [(n, role, block.line) for n, role in hits]
    return found


def find_people(doc: Document) -> tuple[tuple[Person, ...], tuple[ReadWarning, ...]]:
    """People named in the post's prose, in document order, deduplicated per section."""
    warnings: list[ReadWarning] = []
    persons: list[Person] = []
    seen: set[tuple[str, str, str | None]] = set()

    def add(name: str, role: str, section: str | None, line: int | None) -> None:
        name = _truncate_name(name, line, warnings)
        key = (name.casefold(), role, section)
        if name and key not in seen:
            seen.add(key)
            persons.append(Person(name, role, section))

    if doc.title:  # "Special Guest: Guido van Rossum" as the post title (BayPiggies)
        match = _label_match(" ".join(doc.title.split()))
        if match:
            for name in label_names(match[2], match[0], match[1]):
                add(name, _role(match[0]), None, None)
    for name, role, line in _scan_blocks(doc.blocks, doc.title):
        add(name, role, None, line)
    by_anchor = {s.anchor: s for s in doc.sections}
    for section in doc.sections:
        parent = by_anchor.get(section.parent) if section.parent else None
        for name, role, target in find_title_people(section, parent):
            add(name, role, target, section.line)
        for name, role, line in _scan_blocks(section.blocks, section.title):
            add(name, role, section.anchor, line)
    return fullest_forms(persons), tuple(warnings)


def section_speakers(doc: Document, persons: Iterable[Person]) -> dict[str, tuple[str, ...]]:
    """Speakers of each section: its own; a section without any has those of its nearest
    ancestor that has some, unless a sibling section has its own (then it is one talk
    among others, and its parent's speakers are its siblings')."""
    parents = {s.anchor: s.parent for s in doc.sections}
    own: dict[str, list[str]] = {}
    for p in persons:
        if p.role == "speaker" and p.section is not None:
            own.setdefault(p.section, []).append(p.name)
    has_talks = {parents.get(a) for a in own}  # parents with a child that has speakers
    result: dict[str, tuple[str, ...]] = {}
    for section in doc.sections:
        anchor: str | None = section.anchor
        chain: set[str] = set()
        while anchor is not None and anchor not in chain and not own.get(anchor):
            chain.add(anchor)
            if parents.get(anchor) in has_talks:
                anchor = None  # a talk among talks: nothing to inherit
                break
            anchor = parents.get(anchor)
        names = own.get(anchor, []) if anchor is not None and anchor not in chain else []
        result[section.anchor] = dedupe(names, key=str.casefold)
    return result
