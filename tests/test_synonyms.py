"""The synonym list: the shipped file, the matcher, the user's [synonyms] table."""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from barcamp_search.search.synonyms import (
    SynonymMatch,
    Synonyms,
    load_synonyms,
    normalise,
    shipped_synonyms,
)

from .conftest import FR_EN_ARCHIVES

ARCHIVES = FR_EN_ARCHIVES


def words(text: str) -> list[str]:
    """A query's plain words, as the caller passes them."""
    return text.lower().split()


def alternatives(text: str, synonyms: Synonyms | None = None) -> set[str]:
    """What the whole of ``text`` also finds, as strings of normalised words."""
    return {" ".join(alt) for alt in (synonyms or shipped_synonyms()).alternatives(text)}


def finds(query: str, target: str) -> bool:
    """Whether ``query`` also finds ``target`` (both written as a user would)."""
    return " ".join(normalise(target)) in alternatives(query)


# --- normalise ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intelligence Artificielle", ("intelligence", "artificielle")),
        ("INTELLIGENCE ARTIFICIELLE", ("intelligence", "artificielle")),
        ("Raspberry-Pi", ("raspberry", "pi")),
        ("l'atelier d’été", ("l", "atelier", "d", "ete")),
        ("Québec–Python", ("quebec", "python")),
        ("CI/CD", ("ci", "cd")),
        ("cœur", ("coeur",)),
        ("C++ C# node.js py.test", ("c++", "c#", "node.js", "py.test")),
        ("(numpy), [pandas][] «scipy».", ("numpy", "pandas", "scipy")),
        ("  - ' / ", ()),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


# --- the shipped list --------------------------------------------------------------------


def test_shipped_file_loads_and_is_large_enough():
    synonyms = load_synonyms()
    assert synonyms is shipped_synonyms()  # cached, and no user table: the same object
    assert len(synonyms.groups) >= 80
    assert len(synonyms) == len(synonyms.groups) + len(synonyms.one_way) >= 80


def test_shipped_entries_are_well_formed():
    synonyms = shipped_synonyms()
    for group in synonyms.groups:
        assert len(group) >= 2, group
        assert all(entry and all(entry) for entry in group), group
    for key, values in synonyms.one_way:
        assert key and all(key), key
        assert values and all(value and all(value) for value in values), key
        assert key not in values


def test_shipped_file_writes_each_spelling_once():
    """ "Montréal-Python" and "montreal python" are the same entry: write it once."""
    text = resources.files("barcamp_search.search").joinpath("synonyms.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    for number, group in enumerate(raw["groups"]):
        normalised = [normalise(entry) for entry in group]
        assert len(set(normalised)) == len(normalised), f"groups[{number}]: {group}"
    for key, values in raw["one_way"].items():
        normalised = [normalise(value) for value in values]
        assert len(set(normalised)) == len(normalised), key


def test_no_entry_is_in_two_groups():
    seen: dict[tuple[str, ...], int] = {}
    for number, group in enumerate(shipped_synonyms().groups):
        for entry in group:
            assert entry not in seen, f"{entry} is in groups {seen[entry]} and {number}"
            seen[entry] = number
    for key, _values in shipped_synonyms().one_way:
        assert key not in seen, f"one-way key {key} is also in groups[{seen[key]}]"


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("np", "numpy"),
        ("pd", "pandas"),
        ("rpi", "raspberry pi"),
        ("raspberry pi", "rpi"),
        ("bs4", "beautifulsoup"),
        ("sklearn", "scikit learn"),
        ("py", "python"),
        ("ia", "ai"),
        ("ai", "intelligence artificielle"),
        ("intelligence artificielle", "artificial intelligence"),
        ("talk", "presentation"),
        ("talk", "expose"),
        ("exposé", "talks"),
        ("apprentissage automatique", "machine learning"),
        ("machine learning", "apprentissage automatique"),
        ("base de données", "database"),
        ("databases", "base de donnees"),
        ("tests unitaires", "unit tests"),
        ("unit tests", "tests unitaires"),
        ("atelier", "workshop"),
        ("workshop", "atelier"),
        ("meetup", "rencontre"),
        ("rencontre", "meetup"),
        ("sprint", "sprints"),
        ("conférence", "conferences"),  # folded, "conférence" is "conference" already
        ("lightning talks", "presentations eclair"),
        ("mtlpy", "montreal python"),
        ("afpyro", "apero python"),
        ("pycon fr", "pyconfr"),
        ("logiciel libre", "free software"),
        ("k8s", "kubernetes"),
    ],
)
def test_issue_vocabulary(query, target):
    assert finds(query, target)


@pytest.mark.parametrize(
    ("long_form", "abbreviation"),
    [
        ("python", "py"),
        ("numpy", "np"),
        ("continuous integration", "ci"),
        ("intégration continue", "ci"),
        ("machine learning", "ml"),
        ("database", "db"),
        ("pull request", "pr"),
        ("montréal-python", "mp"),
    ],
)
def test_ambiguous_abbreviations_are_one_way(long_form, abbreviation):
    assert alternatives(abbreviation), abbreviation
    assert abbreviation not in alternatives(long_form)


@pytest.mark.parametrize(
    "common_word",
    [
        "pi",
        "ci",
        "on",
        "la",
        "de",
        "le",
        "et",
        "a",
        "it",
        "python",
        "go",
        "os",
        "son",
        "site",
        "cours",
        "lieu",
    ],
)
def test_common_words_have_no_synonyms(common_word):
    """A word of every other sentence would turn every query into a broad OR."""
    entries = {entry for group in shipped_synonyms().groups for entry in group}
    assert (common_word,) not in entries
    if common_word != "ci":  # "ci" alone is a one-way key: it finds continuous integration
        assert not alternatives(common_word)


# --- find --------------------------------------------------------------------------------


def test_multi_word_longest_match():
    [match] = shipped_synonyms().find(words("raspberry pi 4"))
    assert (match.start, match.end) == (0, 2)
    assert ("rpi",) in match.alternatives
    # "python user group" is an entry and so is "user group": the longest wins
    [match] = shipped_synonyms().find(words("python user group nantes"))
    assert (match.start, match.end) == (0, 3)
    assert ("groupe", "d", "utilisateurs", "python") in match.alternatives


def test_matches_are_greedy_non_overlapping_left_to_right():
    synonyms = Synonyms.from_table({"groups": [["a b", "x"], ["b c d", "y"], ["c", "z"]]})
    assert synonyms.find(["a", "b", "c", "d"]) == [
        SynonymMatch(0, 2, (("x",),)),
        SynonymMatch(2, 3, (("z",),)),
    ]
    assert synonyms.find(["q", "b", "c", "d", "c"]) == [
        SynonymMatch(1, 4, (("y",),)),
        SynonymMatch(4, 5, (("z",),)),
    ]


def test_find_several_and_positions():
    matches = shipped_synonyms().find(words("np et rpi pour le machine learning"))
    assert [(m.start, m.end) for m in matches] == [(0, 1), (2, 3), (5, 7)]
    assert matches[0].alternatives == (("numpy",),)


def test_a_word_the_normaliser_splits_matches_whole_only():
    synonyms = shipped_synonyms()
    [match] = synonyms.find(["raspberry-pi"])
    assert (match.start, match.end) == (0, 1)
    [match] = synonyms.find(["Raspberry-Pi", "zero"])
    assert (match.start, match.end) == (0, 1)
    assert synonyms.find(["celui-ci"]) == []  # "ci" inside a word is not the word "ci"
    assert synonyms.find(["raspberry"]) == []  # the entry would run past the query
    assert synonyms.find(["-", "rpi"]) == [SynonymMatch(1, 2, synonyms.alternatives("rpi"))]
    [match] = synonyms.find(["ci/cd"])
    assert ("continuous", "delivery") in match.alternatives  # not only what "ci" finds
    assert synonyms.find([]) == []


def test_accent_and_case_folding():
    synonyms = shipped_synonyms()
    for query in (
        ["intelligence", "artificielle"],
        ["Intelligence", "Artificielle"],
        ["INTELLIGENCE", "ARTIFICIÉLLE"],
    ):
        [match] = synonyms.find(query)
        assert (match.start, match.end) == (0, 2)
        assert match.alternatives == (("ia",), ("ai",), ("artificial", "intelligence"))
    assert synonyms.alternatives("Base de Donnees") == synonyms.alternatives("base de données")


def test_two_way_and_one_way():
    synonyms = Synonyms.from_table(
        {
            "groups": [["rpi", "Raspberry Pi", "raspi"]],
            "one_way": {"py": ["python"], "rpi": ["raspberry"]},
        }
    )
    assert synonyms.alternatives("rpi") == (("raspberry", "pi"), ("raspi",), ("raspberry",))
    assert synonyms.alternatives("raspi") == (("rpi",), ("raspberry", "pi"))
    assert synonyms.alternatives("py") == (("python",),)
    assert synonyms.alternatives("python") == ()  # one-way is one-way
    assert synonyms.alternatives("raspberry") == ()


def test_synonyms_are_immutable():
    synonyms = shipped_synonyms()
    with pytest.raises(dataclasses.FrozenInstanceError):
        synonyms.groups = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        synonyms._table[("x",)] = ()  # type: ignore[index]


# --- the user's table --------------------------------------------------------------------


def test_user_table_is_added_to_the_shipped_list():
    config = tomllib.loads("""
[synonyms]
groups = [["pyvideo", "python videos"], ["rpi", "framboise"]]
[synonyms.one_way]
dj = ["django"]
"pi zero" = "raspberry pi zero"
""")
    synonyms = load_synonyms(config["synonyms"])
    shipped = shipped_synonyms()
    assert len(synonyms) == len(shipped) + 4
    assert alternatives("pyvideo", synonyms) == {"python videos"}
    assert alternatives("dj", synonyms) == {"django"}
    assert alternatives("pi zero", synonyms) == {"raspberry pi zero"}
    # a user group beside a shipped one: the entry finds both, shipped first
    assert synonyms.alternatives("rpi")[-1] == ("framboise",)
    assert ("raspberry", "pi") in synonyms.alternatives("rpi")
    assert alternatives("np", synonyms) == {"numpy"}  # the shipped list still applies
    assert shipped.alternatives("pyvideo") == ()  # and is not changed
    assert load_synonyms({}) is shipped
    assert load_synonyms({"groups": [], "one_way": {}}) is shipped


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([["a", "b"]], "synonyms: must be a table"),
        ({"group": []}, "synonyms: unknown key 'group'"),
        ({"groups": "a b"}, "synonyms: groups must be a list"),
        ({"groups": [["a", "b"], "c"]}, "synonyms: groups[1] must be a list of at least two"),
        ({"groups": [["a", "b"], {"c": 1}]}, "synonyms: groups[1] must be a list of words"),
        ({"groups": [["a", "b"], ["c"]]}, "synonyms: groups[1] must be a list of at least two"),
        (
            {"groups": [["Raspberry Pi", "raspberry-pi"]]},
            "groups[0] must be a list of at least two",
        ),
        ({"groups": [["a", 3]]}, "synonyms: groups[0][1] must be a non-empty string, not 3"),
        ({"groups": [["a", " - "]]}, "synonyms: groups[0][1] must be a non-empty string"),
        ({"one_way": [["py", "python"]]}, "synonyms: one_way must be a table"),
        ({"one_way": {"py": 3}}, "synonyms: one_way.py must be a list of words, not int"),
        ({"one_way": {"py": []}}, "synonyms: one_way.py must be a list of at least one other"),
        ({"one_way": {"py": ["PY"]}}, "synonyms: one_way.py must be a list of at least one other"),
        ({"one_way": {"py": ["python", None]}}, "synonyms: one_way.py[1] must be a non-empty"),
        ({"one_way": {"pi zero": [""]}}, "synonyms: one_way.'pi zero'[0] must be a non-empty"),
        ({"one_way": {"--": ["x"]}}, "synonyms: one_way.-- has no word in its key"),
        ({"one_way": {1: ["x"]}}, "synonyms: one_way key 1 must be a string"),
        ([], "synonyms: must be a table"),
    ],
)
def test_user_table_errors_name_the_entry(table, message):
    with pytest.raises(ValueError) as error:
        load_synonyms(table)
    assert message in str(error.value)


# --- grounded in the real archives -------------------------------------------------------


@functools.cache
def _archive_text(corpora: Path) -> str:
    texts = []
    for name in ARCHIVES:
        for path in sorted((corpora / name).rglob("*")):
            if path.suffix in (".md", ".rst", ".markdown") and path.is_file():
                texts.append(" ".join(normalise(path.read_text("utf-8", errors="replace"))))
    assert texts
    return " " + " | ".join(texts) + " "


@pytest.fixture
def archive_text(corpora: Path) -> str:
    """Every post of the French/English archives, normalised, one long padded string
    (read once per run; skipped when ../shared/corpora is absent)."""
    return _archive_text(corpora)


def occurs(entry: tuple[str, ...] | str, text: str) -> bool:
    words_ = normalise(entry) if isinstance(entry, str) else entry
    return f" {' '.join(words_)} " in text


def test_shipped_groups_are_grounded_in_the_archives(archive_text: str):
    groups = shipped_synonyms().groups
    unseen = [group for group in groups if not any(occurs(e, archive_text) for e in group)]
    assert len(unseen) <= 0.2 * len(groups), [" / ".join(map(" ".join, g)) for g in unseen]


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("np", "numpy"),
        ("rpi", "raspberry pi"),
        ("bs4", "beautifulsoup"),
        ("apprentissage automatique", "machine learning"),
        ("tests unitaires", "unit tests"),
        ("unit tests", "tests unitaires"),
        ("base de données", "database"),
        ("database", "base de données"),
        ("atelier", "workshop"),
        ("workshop", "atelier"),
        ("rencontre", "meetup"),
        ("meetup", "rencontre"),
        ("afpyro", "apéro python"),
    ],
)
def test_measured_queries_reach_words_the_archives_use(archive_text, query, target):
    """The issue's measured cases: the alternative really is in some post."""
    assert finds(query, target)
    assert occurs(target, archive_text)
