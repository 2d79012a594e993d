"""Tests for barcamp_search.read.people: hand-built Documents first, then real corpus posts."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from barcamp_search.model import Block, Document, ParsedSection, Person
from barcamp_search.read.names import clean_name, looks_like_name
from barcamp_search.read.people import (
    MAX_NAME_LENGTH as MAX_NAME,
)
from barcamp_search.read.people import find_people, section_speakers

# --- helpers -----------------------------------------------------------------


def para(text: str, kind: str = "paragraph", line: int | None = None) -> Block:
    return Block(kind, text, line)


def section(
    anchor: str,
    title: str,
    *blocks: Block,
    parent: str | None = None,
    level: int = 1,
    line: int | None = None,
) -> ParsedSection:
    return ParsedSection(anchor, title, level, parent, "", tuple(blocks), line)


def doc(*blocks: Block, sections: tuple[ParsedSection, ...] = ()) -> Document:
    return Document(
        title="Post", fields={}, text="", blocks=tuple(blocks), sections=sections, links=()
    )


def people_of(*texts: str, kind: str = "paragraph") -> list[tuple[str, str]]:
    persons, _ = find_people(doc(*(para(t, kind) for t in texts)))
    return [(p.name, p.role) for p in persons]


def names_of(*texts: str, kind: str = "paragraph") -> list[str]:
    return [name for name, _ in people_of(*texts, kind=kind)]


# --- label lines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Intervenant : Florent", [("Florent", "speaker")]),
        (
            "Intervenant : Damien Nicolas, Gordon",
            [("Damien Nicolas", "speaker"), ("Gordon", "speaker")],
        ),
        (
            "Participants : Florent, Antoine et Pablo",
            [("Florent", "participant"), ("Antoine", "participant"), ("Pablo", "participant")],
        ),
        ("Participants : Mathieu F., ?, ?, ?", [("Mathieu F.", "participant")]),
        (
            "Participants : Jean D., Georges G., Jean-Baptiste, ?",
            [
                ("Jean D.", "participant"),
                ("Georges G.", "participant"),
                ("Jean-Baptiste", "participant"),
            ],
        ),
        ("Participant : Reine", [("Reine", "participant")]),
        ("Rapporteur : Pablo", [("Pablo", "reporter")]),
        ("Rapporteuse : Zoé Martin", [("Zoé Martin", "reporter")]),
        ("Animateur : Georges", [("Georges", "host")]),
        ("Animé par Georges", [("Georges", "host")]),
        ("Présentée par Claire Dupont", [("Claire Dupont", "speaker")]),
        ("Présenté par Marc Petit", [("Marc Petit", "speaker")]),
        ("Intervenante : Élodie Martin", [("Élodie Martin", "speaker")]),
        (
            "Intervenants : Farid, Gaëlle et Hugo",
            [("Farid", "speaker"), ("Gaëlle", "speaker"), ("Hugo", "speaker")],
        ),
        ("Intervenant(e)(s) : Anne Roy", [("Anne Roy", "speaker")]),
        ("Orateur : Paul Henri", [("Paul Henri", "speaker")]),
        ("Oratrice : Lucie Blanc", [("Lucie Blanc", "speaker")]),
        ("Speaker: Vijay Kumar", [("Vijay Kumar", "speaker")]),
        ("Presenter: Jeff Fischer", [("Jeff Fischer", "speaker")]),
        ("Speakers: Shrayas & Karthik", [("Shrayas", "speaker"), ("Karthik", "speaker")]),
        (
            "Speaker: Abhijeet Kendurkar and Rohan Purekar",
            [("Abhijeet Kendurkar", "speaker"), ("Rohan Purekar", "speaker")],
        ),
        (
            "Speakers: Akshay Gaikwad, Amol Kahat, Bhavin Gandhi, Chandan Kumar, "
            "Vishal Vijayraghavan",
            [
                ("Akshay Gaikwad", "speaker"),
                ("Amol Kahat", "speaker"),
                ("Bhavin Gandhi", "speaker"),
                ("Chandan Kumar", "speaker"),
                ("Vishal Vijayraghavan", "speaker"),
            ],
        ),
        (
            "Speakers: Moshe Zadka, Al Sweigart, Asheesh Laroia and Philip James",
            [
                ("Moshe Zadka", "speaker"),
                ("Al Sweigart", "speaker"),
                ("Asheesh Laroia", "speaker"),
                ("Philip James", "speaker"),
            ],
        ),
        ("Speaker Bio: Monte Davidoff", [("Monte Davidoff", "speaker")]),
        ("Speaker bio: William Deegan", [("William Deegan", "speaker")]),
        (
            "Speaker bio: Doug Purcell is an indie software engineer and publisher.",
            [("Doug Purcell", "speaker")],
        ),
    ],
)
def test_label_lines(text: str, expected: list[tuple[str, str]]) -> None:
    assert people_of(text) == expected


@pytest.mark.parametrize("space", ["", " ", "\u00a0", "\u202f"])
def test_french_spacing_before_colon(space: str) -> None:
    assert names_of(f"Intervenant{space}: Alice Dupont") == ["Alice Dupont"]


def test_label_on_a_later_line_of_a_block() -> None:
    assert people_of("Un atelier sur Django.\nRapporteur : Yoann") == [("Yoann", "reporter")]


def test_label_value_tails_are_dropped() -> None:
    assert names_of("Speaker: Ryan Kuhl - a talk about SQLAlchemy, tuning and you") == ["Ryan Kuhl"]
    assert names_of("Intervenant : Gaël : Pyramid, le framework") == ["Gaël"]
    assert names_of("Speaker: Pradhvan Bisht (blog,\ntwitter)") == ["Pradhvan Bisht"]
    assert names_of("Speaker: Dev Null (dev@example.org)") == ["Dev Null"]


def test_english_singular_label_keeps_the_name_before_the_affiliation() -> None:
    assert names_of("Speaker: Dhanesh Kasinathan, Architect at Pramathi") == ["Dhanesh Kasinathan"]
    assert names_of("Speaker: Poruri Sai Rahul, Scientific Developer") == ["Poruri Sai Rahul"]
    assert names_of("Speaker: Dr. R. Senthilkumar, Assistant Professor, IRTT, Erode") == [
        "R. Senthilkumar"
    ]


def test_honorifics_are_removed() -> None:
    assert names_of("Speaker: Mr. Rengaraj") == ["Rengaraj"]
    assert names_of("Speaker: Professor Amritanshu Prasad") == ["Amritanshu Prasad"]


@pytest.mark.parametrize(
    "text",
    [
        "Speaker:",
        "Intervenant :",
        "Intervenant : ?",
        "Participants : ?, ?, ?",
        "Speaker: @nuoyas",
        "Speaker: TBD",
        "Speaker: Vengatesh introduced Vagrant, a tool for creating and",
        "Speaker: Ravi from",  # a lowercase word after a first name: only a surname counts
        "Speaker: Ravi python",
        "Intervenant : le meilleur d'entre nous, sans doute",
        "Intervenant : with no space before the colon; Intervenante, Intervenants : A, B et C",
        "Intervenants : merci à tous, Alice Martin et Bob",
        "Speakers: we are still looking for speakers",
        "Participants : 25 personnes",
        "Intervenants : Python, Django et Flask",
        "L'intervenant devait migrer une vieille application vers Django.",
    ],
)
def test_label_lines_that_name_nobody(text: str) -> None:
    assert people_of(text) == []


def test_overlong_name_is_truncated_with_a_warning() -> None:
    persons, warnings = find_people(doc(para("Intervenant : " + "N" * 3000, line=33)))
    assert [p.name for p in persons] == ["N" * MAX_NAME]
    assert len(warnings) == 1 and warnings[0].line == 33
    assert "truncated" in warnings[0].message and "3000" in warnings[0].message


def test_overlong_sentence_value_is_not_a_name() -> None:
    persons, warnings = find_people(doc(para("Speaker: " + "word " * 700)))
    assert persons == () and warnings == ()


def test_definition_list_speaker() -> None:
    blocks = (
        para("Topic:", "term"),
        para("Python Language", "definition"),
        para("Speaker:", "term"),
        para("Guido van Rossum", "definition"),
        para("Speaker Bio", "term"),
        para("Guido van Rossum is the author of the Python language.", "definition"),
    )
    assert people_of_blocks(blocks) == [("Guido van Rossum", "speaker")]
    blocks = (
        para("Speakers", "term"),
        para("Moshe Zadka, Al Sweigart, Asheesh Laroia, and Philip James", "definition"),
    )
    assert [n for n, _ in people_of_blocks(blocks)] == [
        "Moshe Zadka",
        "Al Sweigart",
        "Asheesh Laroia",
        "Philip James",
    ]


def people_of_blocks(blocks: tuple[Block, ...]) -> list[tuple[str, str]]:
    persons, _ = find_people(doc(*blocks))
    return [(p.name, p.role) for p in persons]


# --- prose ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Laurent Guérin ltguerin a présenté\n"Bootstraping d\'une application web"',
            ["Laurent Guérin"],
        ),
        (
            'Céline Libéral et Zoé Belleton ont présenté "PyGame avec Python 3".',
            ["Céline Libéral", "Zoé Belleton"],
        ),
        (
            "Lors de ce meetup, Raphaël Braud nous a présenté GrapheekDB, une base de graphe.",
            ["Raphaël Braud"],
        ),
        ("Présentation d'asyncio (par Gaël) : La bibliothèque asyncio fournit ...", ["Gaël"]),
        (
            "Laurent Peuch nous montrera les différents outils de debug en Python.",
            ["Laurent Peuch"],
        ),
        ("Nicolas Pettiaux nous présentera une application Django.", ["Nicolas Pettiaux"]),
        ("Cédric y présentera Django", ["Cédric"]),
        (
            "Une présentation sur Flask sera donnée par Guillaume Ayoub. Flask est un framework.",
            ["Guillaume Ayoub"],
        ),
        (
            "Compte-rendu de la présentation de Pyramid par Gaël et de l'intervention de Hugo.",
            ["Gaël"],
        ),
        (
            "La présentation principale sera donnée par Sébastien Labbé et Franco\nSaliola.",
            ["Sébastien Labbé", "Franco Saliola"],
        ),
        (
            "The first talk of the evening was given by Krishnan in Python Test\nAutomation.",
            ["Krishnan"],
        ),
        ('First talk was given by Abishek Postgresql "EXPLAIN".', ["Abishek"]),
        ("This month, we'll have a talk by Roni Dover on open source software.", ["Roni Dover"]),
        ('"SQLAlchemy and You" by Ryan Kuhl', ["Ryan Kuhl"]),
        ("The talk was presented by Guido van Rossum at PyCon.", ["Guido van Rossum"]),
        ("KS Sreeram gave a talk on writing parsers.", ["KS Sreeram"]),
        # issue 13: the company and handle between the name and the verb are no name
        ("• Léon Marchal (@lmarchal) de\n  Acmeware nous présentera Celery", ["Léon Marchal"]),
        ('Our main presenter will be Irène Vasseur on "Sonic, un studio".', ["Irène Vasseur"]),
        ("Lucie a improvisé un micro-talk sur les regex.", ["Lucie"]),
        ("Ensuite Paul Ferrand nous a parlé de Cython.", []),  # not at a clause start
        ("Ensuite, Paul Ferrand nous a parlé de Cython.", ["Paul Ferrand"]),
        ("There will also be a lightning talk from\nOmar Haddad.", ["Omar Haddad"]),
        ("Nadia presented the various features of tox.", ["Nadia"]),
        ("Rahul did a quick lightning talk on asciinema.", ["Rahul"]),
        ("* Une présentation longue de **Élise Pagé** sur le recadrage", ["Élise Pagé"]),
        ("'Entornos de prueba' por Rocío Méndez (@rmendez). Veremos cómo", ["Rocío Méndez"]),
        ("« Les tests » par Aline Roux : une heure de pytest", ["Aline Roux"]),
        ('"Lessons learnt" por Luis Ramos (Backend Developer | Acme)', ["Luis Ramos"]),
        ("Marie Lenoir de Acmeware donnera une présentation sur Alembic.", ["Marie Lenoir"]),
        ("Paul Durand fera une présentation éclair sur Plone.", ["Paul Durand"]),
    ],
)
def test_prose_forms(text: str, expected: list[str]) -> None:
    assert names_of(text) == expected


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Meeting minutes contributed by **Anil Rao K**."], [("Anil Rao K", "reporter")]),
        (["Meeting Minutes by: Anil Rao"], [("Anil Rao", "reporter")]),
        (["Compiled by: Anil Rao, Mei Lin"], [("Anil Rao", "reporter"), ("Mei Lin", "reporter")]),
        (["Le compte-rendu par Zoé suit."], [("Zoé", "reporter")]),
        (["lire un compte rendu rédigé par Acmeware"], []),  # one word: a company as often
        (["Leading the meetup: Hana Sato"], [("Hana Sato", "host")]),
        (["La soirée, organisée par Pablo, a permis"], [("Pablo", "host")]),
        (["The evening will be animated by Davide Russo of the AUF"], [("Davide Russo", "host")]),
        (
            ["Thank you Ana, Rui & Leo for hosting the May meetup and Ivo for delivering talks."],
            [("Ana", "host"), ("Rui", "host"), ("Leo", "host"), ("Ivo", "speaker")],
        ),
        (
            ["Thank you Ana Lima and Rui Costa for Organizing\nthe June meetup"],
            [("Ana Lima", "host"), ("Rui Costa", "host")],
        ),
        (["Thanks to Acmeware for providing the venue"], []),
        (["Thanks Rafi for meeting minutes."], [("Rafi", "reporter")]),
        (["Thanks Rafi for Sponsoring the tea."], []),
        (["Thank you Ana Lima for tirelessly designing the logo"], []),
        (
            ["Présent pour le moment :", "Stéphane (stef) à 19h", "Gawel"],
            [("Stéphane", "participant"), ("Gawel", "participant")],
        ),
        (
            ["Présents : Ana, Rui et Leo"],
            [("Ana", "participant"), ("Rui", "participant"), ("Leo", "participant")],
        ),
        (
            ["Merci à nos 3 sprinteurs : Ana, Rui Costa et Leo !"],
            [("Ana", "participant"), ("Rui Costa", "participant"), ("Leo", "participant")],
        ),
        (["Speaker: Ravi kamal"], [("Ravi kamal", "speaker")]),
        (["Speaker: Lt Col RK Menon"], [("RK Menon", "speaker")]),
        (["Capt. Nemo a présenté Nautilus."], [("Nemo", "speaker")]),
    ],
)
def test_reporters_hosts_participants_and_ranks(
    texts: list[str], expected: list[tuple[str, str]]
) -> None:
    blocks = [para(texts[0])] + [para(t, "item") for t in texts[1:]]
    persons, _ = find_people(doc(*blocks))
    assert [(p.name, p.role) for p in persons] == expected


def test_a_people_list_under_a_compiled_by_heading() -> None:
    d = doc(
        sections=(
            section("news", "News", para("Ana Lima wrote a post", "item")),
            section(
                "compiled", "Compiled by PyGroup", para("Ana Lima", "item"), para("Rui C", "item")
            ),
        )
    )
    persons, _ = find_people(d)
    assert [(p.name, p.role) for p in persons] == [("Ana Lima", "reporter"), ("Rui C", "reporter")]


def test_talk_list_items_of_issue_13() -> None:
    label = para("Flash presenters are going to be, in the room of the building on the left:")
    items = [
        'Irène Vasseur "Quick REST with Flask"',
        "Hugo Marchal, the business value of tests",
        "Léon Dubois Sonic: a Python audio scripting environment",  # Sonic is the talk
    ]
    assert names_of(label.text, *items, kind="item") == []  # items need their label
    persons, _ = find_people(doc(label, *(para(t, "item") for t in items)))
    assert [p.name for p in persons] == ["Irène Vasseur", "Hugo Marchal", "Léon Dubois"]


def test_title_dash_name_items_are_read_the_way_the_list_writes_them() -> None:
    items = ["Les idiomes - Ana Lima", "Module Quantities - Rui Costa", "Fabric - Leo Alves"]
    d = Document("Nos présentations", {}, "", tuple(para(t, "item") for t in items), (), ())
    persons, _ = find_people(d)
    assert [p.name for p in persons] == ["Ana Lima", "Rui Costa", "Leo Alves"]


def test_a_name_paragraph_followed_by_a_bio_is_a_speaker() -> None:
    d = doc(
        para("** Vlad **"), para("Vlad Petrov is the founder of Acme. Vlad is an AI evangelist.")
    )
    persons, _ = find_people(d)
    assert [(p.name, p.role) for p in persons] == [("Vlad Petrov", "speaker")]
    assert find_people(doc(para("** Vlad **"), para("Acme is a company.")))[0] == ()


def test_speaker_bio_heading_names_the_parents_speaker() -> None:
    d = doc(
        sections=(
            section("talk", "Reducing training time"),
            section("bio", "Speaker Bio", para("Mia Chen works at Acme."), parent="talk", level=2),
        )
    )
    persons, _ = find_people(d)
    assert persons == (Person("Mia Chen", "speaker", "talk"),)


def test_a_person_once_per_post_in_the_fullest_form() -> None:
    d = doc(
        para("Speaker: Jair"),
        para("Jair Vercosa a présenté Django."),
        para("Speaker: Dinesh Joshi"),
        para("Speaker bio: Dinesh A. Joshi has been an engineer."),
        para("Participants : Ana, Ana Lima, Ana Costa"),  # two Anas: left as written
    )
    persons, _ = find_people(d)
    assert [(p.name, p.role) for p in persons] == [
        ("Jair Vercosa", "speaker"),
        ("Dinesh A. Joshi", "speaker"),
        ("Ana", "participant"),
        ("Ana Lima", "participant"),
        ("Ana Costa", "participant"),
    ]


def test_a_surname_alone_is_the_one_full_name_it_ends() -> None:
    d = doc(para("Speaker: Hafiz Rahman"), para("Thanks Rahman for meeting minutes."))
    persons, _ = find_people(d)
    assert [(p.name, p.role) for p in persons] == [
        ("Hafiz Rahman", "speaker"),
        ("Hafiz Rahman", "reporter"),
    ]
    two = doc(para("Speakers: Hafiz Rahman, Ali Rahman"), para("Thanks Rahman for minutes."))
    assert ("Rahman", "reporter") in [(p.name, p.role) for p in find_people(two)[0]]


def test_sibling_talks_do_not_inherit_their_headings_speakers() -> None:
    d = doc(
        sections=(
            section("talks", "Three talks", para("Speakers: Ana Lima, Rui Costa and Leo Alves")),
            section("t1", "Automate AWS - Ana Lima", parent="talks", level=2),
            section("t2", "Regular expressions - Rui Costa", parent="talks", level=2),
            section("t3", "uWSGI", parent="talks", level=2),
            section("t1a", "Abstract", parent="t1", level=3),
        )
    )
    persons, _ = find_people(d)
    assert section_speakers(d, persons) == {
        "talks": ("Ana Lima", "Rui Costa", "Leo Alves"),
        "t1": ("Ana Lima",),
        "t2": ("Rui Costa",),
        "t3": (),
        "t1a": ("Ana Lima",),
    }


def test_animé_par_in_prose_is_a_host() -> None:
    assert people_of("Notre premier barcamp, animé par Georges nous\na permis d'aborder") == [
        ("Georges", "host")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Il a présenté Django.",
        "Elle nous présentera asyncio.",
        "Python a présenté de nouvelles fonctionnalités.",
        "Django nous montrera la voie.",
        "Ce soir Alice a présenté Flask.",  # the name does not start a clause
        "Le CTO de\n  Gandi nous présentera Celery",
        "Le routeur permet par exemple de résoudre des URL (par exemple ici).",
        "Pelican a été écrit initialement par Alexis Métaireau.",
        "The sprint was hosted by Google, who also supported us.",
        "A student can be represented by a list.",
        "The abstract given by REBASE shows the sequence.",
        "Nous présenterons les principaux concepts du framework.",
        '"Core Python" by Ana Lima is the book of the month.',  # a book is "by" its author
    ],
)
def test_prose_that_names_nobody(text: str) -> None:
    assert people_of(text) == []


def test_prose_is_ignored_in_block_quotes_but_label_lines_count() -> None:
    quoted = (
        para("Intervenant : Jules Citation", "quote"),
        para("Olivier Bélanger a présenté sa thèse.", "quote"),
    )
    assert people_of_blocks(quoted) == [("Jules Citation", "speaker")]


# --- talk lists and section titles ---------------------------------------------


def test_talk_list_items_after_a_talk_label_paragraph() -> None:
    blocks = (
        para("Flash presentations :"),
        para("Joao S. O. Bueno: Status of Python on Free Graphics Software", "item"),
        para("Sébastien Labbé and Franco Saliola on cryptography with Sage", "item"),
        para("Simon Law: Cygwinreg and ctypes -- Using the Windows registry", "item"),
        para("18h00: Doors opening", "item"),
    )
    assert [n for n, _ in people_of_blocks(blocks)] == [
        "Joao S. O. Bueno",
        "Sébastien Labbé",
        "Franco Saliola",
        "Simon Law",
    ]


def test_name_colon_items_need_a_talk_context() -> None:
    blocks = (
        para("To get the most value out of this presentation:"),
        para("Install PyCharm: http://example.org", "item"),
        para("Open Source: why it matters", "item"),
    )
    assert people_of_blocks(blocks) == []
    assert (
        people_of_blocks((para("Les infos pratiques :"), para("Jean Dupont: Introduction", "item")))
        == []
    )


def test_talk_list_items_under_a_talk_list_section() -> None:
    d = doc(
        sections=(
            section(
                "speakers",
                "Speakers",
                para("Karen Dalton - Strategies for Making People Feel Welcome", "item"),
                para("Zen of Python: A quick lightning talk", "item"),
                para("Colonel: Demoed a few of his websites", "item"),
                para("Pizza sponsored by Jane Doe", "item"),
                para(
                    'Jean-Lou Dupont, "Message Switch" pour une architecture "Design by Actor"',
                    "item",
                ),
            ),
            section(
                "talk-1",
                "Talk 1: Ethernet – A Brief History",
                para("Key Takeaways: the frame format", "item"),
            ),
        )
    )
    persons, _ = find_people(d)
    assert persons == (
        Person("Karen Dalton", "speaker", "speakers"),
        Person("Jean-Lou Dupont", "speaker", "speakers"),
    )


def test_title_dash_name_items_in_a_talk_list() -> None:
    d = doc(
        sections=(
            section(
                "pres",
                "Les présentations",
                para("Pyramid VS Django - Bernard Chhun", "item"),
                para("ZeroMQ - Yannick Hold-Geoffroy", "item"),
                para("The Insider Scoop to Beautiful Soup - Doug Purcell (lightning talk)", "item"),
                para("Data Pipelines - Best Practices", "item"),
            ),
            section("other", "Programme", para("Lettuce - Gregory Eric Sanderson", "item")),
        )
    )
    persons, _ = find_people(d)
    assert [p.name for p in persons] == ["Bernard Chhun", "Yannick Hold-Geoffroy", "Doug Purcell"]


def test_par_items() -> None:
    d = doc(
        sections=(
            section(
                "toulouse",
                "Toulouse",
                para("la manipulation des types de base du langage, par Alexandre Guy", "item"),
                para("OpenPyXL : réalisation de la librairie par Eric Gazoni (30min)", "item"),
                para(
                    "plumbum et un serveur distant pour tester les scripts proposés par Fabien",
                    "item",
                ),
            ),
        )
    )
    persons, _ = find_people(d)
    assert [p.name for p in persons] == ["Alexandre Guy", "Eric Gazoni"]


def test_heading_speaker_goes_to_the_parent_section() -> None:
    d = doc(
        sections=(
            section("talk-1", "Talk 1: Ethernet – A Brief History"),
            section("speaker-shrayas", "Speaker: Shrayas", parent="talk-1", level=2),
            section("details", "Details", para("Frames."), parent="talk-1", level=2),
            section("speaker-top", "Speaker: Revanth"),
        )
    )
    persons, _ = find_people(d)
    assert persons == (
        Person("Shrayas", "speaker", "talk-1"),
        Person("Revanth", "speaker", "speaker-top"),
    )
    assert section_speakers(d, persons) == {
        "talk-1": ("Shrayas",),
        "speaker-shrayas": ("Shrayas",),
        "details": ("Shrayas",),
        "speaker-top": ("Revanth",),
    }


def test_heading_speaker_bio_goes_to_the_parent_section() -> None:
    d = doc(
        sections=(
            section("main", "Main Talk: MonkeyType"),
            section(
                "bio",
                "Speaker bio: Moshe Zadka",
                para("Moshe has been ..."),
                parent="main",
                level=2,
            ),
        )
    )
    assert find_people(d)[0] == (Person("Moshe Zadka", "speaker", "main"),)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('"Ruff: an extremely fast Python linter" presented by Monte Davidoff', ["Monte Davidoff"]),
        ('"GenAI-Powered Microservice Automation" by Val Huber', ["Val Huber"]),
        ("PyShark in Network Packet Analysis by Rengaraj", ["Rengaraj"]),
        (
            "Lightning Talk by Vijay Kumar and Shrayas Rajagopal",
            ["Vijay Kumar", "Shrayas Rajagopal"],
        ),
        ("Hadoop with Python by S.Venkatesh", ["S.Venkatesh"]),
        ("Networking and Tea Break by Qube Cinemas", []),
        ("Networking Tea Break sponsored by InkMonk", []),
        ("Compiled by PythonPune", []),
        ("Venue hosted by Jane Doe", []),
        ("Photos by Marc Petit", []),
        ("Writing Parsers in Python by Hand", []),
        ("Lightning Talk: Master OOP by Building Games and GUI's", []),
        ("Breaking Free with Rope by Me", []),
    ],
)
def test_title_by_name(title: str, expected: list[str]) -> None:
    persons, _ = find_people(doc(sections=(section("s", title),)))
    assert [p.name for p in persons] == expected
    assert all(p.section == "s" for p in persons)


def test_name_colon_title_under_a_talk_list_parent() -> None:
    d = doc(
        sections=(
            section("main", "Main Presentation"),
            section(
                "alex",
                "Alexandre Vassalotti: CPython module extension",
                para("More."),
                parent="main",
                level=2,
            ),
            section("other", "Topic"),
            section("web", "Web Scraping: a tutorial", parent="other", level=2),
        )
    )
    assert find_people(d)[0] == (Person("Alexandre Vassalotti", "speaker", "alex"),)


# --- results: order, dedupe, sections --------------------------------------------


def test_document_order_and_dedupe_per_section() -> None:
    d = doc(
        para("Intervenant : Gaël"),
        sections=(
            section(
                "pyramid",
                "Pyramid",
                para("Intervenant : Gaël"),
                para("Intervenant : GAËL"),
                para("Rapporteur : Gaël"),
            ),
            section(
                "coroutines", "Générateurs", para("Intervenant : Hugo"), para("Intervenant : Gaël")
            ),
        ),
    )
    persons, _ = find_people(d)
    assert persons == (
        Person("Gaël", "speaker", None),
        Person("Gaël", "speaker", "pyramid"),
        Person("Gaël", "reporter", "pyramid"),
        Person("Hugo", "speaker", "coroutines"),
        Person("Gaël", "speaker", "coroutines"),
    )


def test_section_speakers_inherit_from_ancestors_only() -> None:
    d = doc(
        para("Speaker: Intro Person"),
        sections=(
            section("a", "A", para("Speaker: Alice Martin")),
            section("a1", "A1", para("Speaker: Bob Stone"), parent="a", level=2),
            section("a1x", "A1x", parent="a1", level=3),
            section("b", "B", para("Participants : Carl Dupont")),
        ),
    )
    persons, _ = find_people(d)
    assert section_speakers(d, persons) == {
        "a": ("Alice Martin",),
        "a1": ("Bob Stone",),  # its own speaker, not its parent's too (issue 13)
        "a1x": ("Bob Stone",),
        "b": (),
    }


def test_section_speakers_survives_a_parent_cycle() -> None:
    d = doc(
        sections=(
            section("x", "X", para("Speaker: Ann Lee"), parent="y"),
            section("y", "Y", parent="x"),
        )
    )
    persons, _ = find_people(d)
    assert section_speakers(d, persons) == {"x": ("Ann Lee",), "y": ("Ann Lee",)}


def test_empty_document() -> None:
    assert find_people(doc()) == ((), ())


# --- name helpers ------------------------------------------------------------------


def test_clean_name_and_looks_like_name() -> None:
    assert clean_name("  Laurent Guérin (ltguerin). ") == "Laurent Guérin"
    assert clean_name("Mathieu F.") == "Mathieu F."
    assert clean_name("Dr. Akilesh") == "Akilesh"
    assert looks_like_name("Jean-Luc D'Arcy")
    assert looks_like_name("Guido van Rossum")
    assert looks_like_name("Gaël")
    for bad in ("Il", "Python", "The Team", "jean dupont", "@foo", "1234", "A B C D E", "IRTT"):
        assert not looks_like_name(bad), bad


# --- real corpus posts (skipped when the corpora or the readers are absent) --------


def _reader(suffix: str):  # type: ignore[no-untyped-def]
    name, func = ("rst", "read_rst") if suffix == ".rst" else ("markdown", "read_markdown")
    try:
        module = importlib.import_module(f"barcamp_search.read.formats.{name}")
    except ImportError:
        pytest.skip(f"reader {name} not available")
    return getattr(module, func)


def _read(corpora: Path, relative: str) -> Document:
    path = corpora / relative
    if not path.is_file():
        pytest.skip(f"corpus file {relative} not available")
    return _reader(path.suffix)(path.read_text("utf-8"), relative)


def _speakers_by_title(d: Document) -> dict[str | None, list[str]]:
    titles = {s.anchor: s.title for s in d.sections}
    persons, _ = find_people(d)
    result: dict[str | None, list[str]] = {}
    for p in persons:
        if p.role == "speaker":
            result.setdefault(titles.get(p.section) if p.section else None, []).append(p.name)
    return result


# Verified by reading each file: every speaker it names, and no one else.
GOLD: dict[str, set[str]] = {
    "python-nantes/sources/articles/009-cr-meetup-2014-11-18-pelican-ipython.rst": {
        "Damien Nicolas",
        "Gordon",
        "Thomas Gratier",
    },
    "python-nantes/sources/articles/022-compte-rendu-meetup-juin-2018.rst": {
        "Laurent Guérin",
        "Céline Libéral",
        "Zoé Belleton",
    },
    "python-nantes/sources/articles/011-cr-meetup-2015-01-27-pyramid-generateurs-coroutines.rst": {
        "Gaël",
        "Hugo",
    },
    "baypiggies/meetings/Meeting-2016-09-22.rst": {"Guido van Rossum"},
    "baypiggies/meetings/Meeting-2017-04-27.rst": {
        "Moshe Zadka",
        "Al Sweigart",
        "Asheesh Laroia",
        "Philip James",
    },
    "baypiggies/meetings/Meeting-2023-05-25.rst": {"Monte Davidoff", "Steven Cutting"},
    "chennaipy/meetups/mom/2018/2018-11-mom-2.md": {
        "Ashok Kumar",
        "Praveen Kumar",
        "Aziz",
        "Karthick",
        "Deepak",
    },
    "chennaipy/meetups/mom/2026/2026-05-mom.md": {
        "Shrayas",
        "Revanth",
        "Arunachaleswaran",
        "Govindaraj",
        "Praveen",
        "Madhava Kumar",
    },
    "pythonpune/2019/May/README.md": {
        "Akshay Gaikwad",
        "Amol Kahat",
        "Bhavin Gandhi",
        "Chandan Kumar",
        "Vishal Vijayraghavan",
    },
    "afpyro/dates/2013/2013_10_23.rst": {"Laurent Peuch", "Nicolas Pettiaux"},
    "afpyro/dates/2016/2016_10_18.rst": {"Cédric"},
    "mtlpy/2010/5/mp-8.md": {"Alexandre Vassalotti"},
    "quebecpython/2013-11-17.md": {
        "Bernard Chhun",
        "Yannick Hold-Geoffroy",
        "Gregory Eric Sanderson",
    },
    "baypiggies/meetings/Meeting-2018-12-20.rst": {
        "Doug Purcell",
        "Chris Brousseau",
        "Ahsan Zhahid",
    },
    "mtlpy/2011/5/mp-21.md": {
        "Joao S. O. Bueno",
        "Christopher Allan Webber",
        "Eric Schrijver",
        "Alex Quessy",
        "Ricardo Lafuente",
        "Alessandro Rimoldi",
        "Gregory Pittman",
    },
    "hostile/speaker-variants.rst": {
        "Alice Dupont",
        "Bob Sans-Espace",
        "Claire Insécable",
        "Damien Fine",
        "Élodie Martin",
        "Farid",
        "Gaëlle",
        "Hugo",
        "Inès Gras",
        "Jules Citation",
        "N" * MAX_NAME,
    },
    "python-nantes/sources/articles/012-annonce-barcamp-2015-02-24.rst": set(),
    "afpyro/dates/2015/2015_03_06.rst": {"Michael", "Ludovic", "Fabien", "Stephane"},
}


@pytest.mark.parametrize("relative", sorted(GOLD))
def test_real_post_speakers(corpora: Path, relative: str) -> None:
    persons, _ = find_people(_read(corpora, relative))
    assert {p.name for p in persons if p.role == "speaker"} == GOLD[relative]


def test_real_barcamp_report_roles_and_sections(corpora: Path) -> None:
    d = _read(corpora, "python-nantes/sources/articles/003-cr-meetup-2014-07-09.rst")
    titles = {s.anchor: s.title for s in d.sections}
    persons, _ = find_people(d)
    got = [(p.name, p.role, titles.get(p.section) if p.section else None) for p in persons]
    assert got[:5] == [
        ("Georges G.", "host", None),  # "Georges" and "Georges G." are one person here
        ("Florent", "participant", "Outils Python pour les adminsys/devops"),
        ("Antoine", "participant", "Outils Python pour les adminsys/devops"),
        ("Pablo", "participant", "Outils Python pour les adminsys/devops"),
        ("Pablo", "reporter", "Outils Python pour les adminsys/devops"),
    ]
    assert ("Mathieu F.", "participant", "Django") in got
    assert not any("?" in name for name, _, _ in got)


def test_real_heading_speakers_cover_subsections(corpora: Path) -> None:
    d = _read(corpora, "chennaipy/meetups/mom/2018/2018-11-mom-2.md")
    persons, _ = find_people(d)
    by_title = {s.title: section_speakers(d, persons)[s.anchor] for s in d.sections}
    assert by_title["Introduction to PyGTK"] == ("Ashok Kumar",)
    assert by_title["Glade"] == ("Ashok Kumar",)
    assert by_title["Spicing up the Command Line"] == ("Aziz",)
    assert _speakers_by_title(d)["Accessing Spreadsheets in Python"] == ["Praveen Kumar"]


def test_real_overlong_name_warning(corpora: Path) -> None:
    _, warnings = find_people(_read(corpora, "hostile/speaker-variants.rst"))
    assert len(warnings) == 1 and "truncated" in warnings[0].message


def test_print_observed_precision_on_gold_sample(corpora: Path) -> None:
    """Print (do not assert) precision/recall over the verified sample."""
    found = correct = expected = 0
    for relative, gold in GOLD.items():
        if not (corpora / relative).is_file():
            continue
        persons, _ = find_people(_read(corpora, relative))
        got = {p.name for p in persons if p.role == "speaker"}
        found += len(got)
        correct += len(got & gold)
        expected += len(gold)
    if not found:
        pytest.skip("no corpus files")
    print(
        f"\npeople: speaker precision {correct}/{found} = {correct / found:.1%}, "
        f"recall {correct}/{expected} = {correct / max(expected, 1):.1%}"
    )


# --- people across posts (barcamp_search.search.people) ------------------------------


def _groups(*names: str, archive: str = "a", aliases: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from barcamp_search.search.people import group_people

    per_post = [tuple(n.split("|")) for n in names]
    return group_people(per_post, [archive] * len(per_post), aliases)


def test_spellings_of_one_person_are_grouped() -> None:
    groups = _groups("Ravi Shankar", "Ravi Shankar R", "Ravishankar", "ravi  shankar", "Ravi")
    assert groups.variants == {
        "Ravi Shankar": ("Ravi Shankar", "Ravi Shankar R", "Ravishankar", "ravi  shankar"),
        "Ravi": ("Ravi",),
    }
    assert groups.name_of("Ravishankar") == "Ravi Shankar"


def test_accents_and_case_are_one_person_the_accented_spelling_shown() -> None:
    groups = _groups("Hélène Garnier", "Helene Garnier", "HELENE GARNIER")
    assert groups.variants == {
        "Hélène Garnier": ("Hélène Garnier", "HELENE GARNIER", "Helene Garnier")
    }


def test_the_most_used_spelling_is_shown() -> None:
    groups = _groups("Anna Berg", "Anna Berg", "anna berg")
    assert groups.name_of("anna berg") == "Anna Berg"


def test_an_initial_matches_the_one_full_name_of_the_archive() -> None:
    assert _groups("Lucas M.", "Lucas Morel").name_of("Lucas M.") == "Lucas Morel"
    ambiguous = _groups("Lucas M.", "Lucas Morel", "Lucas Martin")
    assert ambiguous.name_of("Lucas M.") == "Lucas M."
    assert _groups("Lucas B.", "Lucas Morel").name_of("Lucas B.") == "Lucas B."


def test_unrelated_people_are_never_grouped() -> None:
    groups = _groups("Ashok Raman", "Ashik Raman", "Christophe", "Christopher", "Nina", "Nina Roy")
    assert all(len(v) == 1 for v in groups.variants.values())
    assert len(groups.variants) == 6


def test_initials_and_inserted_letters_need_the_same_archive() -> None:
    from barcamp_search.search.people import group_people

    groups = group_people(
        [("Ravi Shankar R",), ("Ravi Shankar",), ("Ravishankara",)], ["a", "b", "c"]
    )
    assert len(groups.variants) == 3
    same_letters = group_people([("Ravi Shankar",), ("Ravishankar",)], ["a", "b"])
    assert same_letters.variants == {"Ravi Shankar": ("Ravi Shankar", "Ravishankar")}


def test_aliases_merge_and_split() -> None:
    merged = _groups("Bob Stone", "Robert Stone", aliases={"Bob Stone": "Robert Stone"})
    assert merged.variants == {"Robert Stone": ("Robert Stone", "Bob Stone")}
    split = _groups("Lucas M.", "Lucas Morel", aliases={"Lucas M.": "Lucas M."})
    assert split.variants == {"Lucas M.": ("Lucas M.",), "Lucas Morel": ("Lucas Morel",)}


def test_people_aliases_from_the_config_file(tmp_path: Path) -> None:
    from barcamp_search.config import load_settings
    from barcamp_search.errors import ConfigError

    config = tmp_path / "barcamp-search.toml"
    config.write_text('[people.aliases]\n"Bob Stone" = "Robert Stone"\n"Lucas M." = "Lucas M."\n')
    settings = load_settings({}, {}, config)
    assert settings.people_aliases == {"Bob Stone": "Robert Stone", "Lucas M.": "Lucas M."}
    assert load_settings({}, {}, None).people_aliases == {}
    config.write_text('[people.aliases]\n"Bob Stone" = 3\n')
    with pytest.raises(ConfigError, match=r"\[people.aliases\] must be a table"):
        load_settings({}, {}, config)
    config.write_text('[people]\nalias = {"Bob" = "Rob"}\n')
    with pytest.raises(ConfigError, match="unknown: alias"):
        load_settings({}, {}, config)


# --- author fields and the post's own URL (read.assemble) ------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nora Quist", ("Nora Quist", None)),
        ("Nora Quist March 2011", ("Nora Quist", "'March 2011' dropped")),
        ("Nora Quist Reviewed May, ", ("Nora Quist", "'Reviewed May' dropped")),
        ("Paul de Vries 3 June 2015", ("Paul de Vries", "'3 June 2015' dropped")),
        ("Reviewed April 2010", (None, "not a person")),
        ("Sept 2011", (None, "not a person")),
        ("group_member", (None, "not a person")),
        ("Admin", (None, "not a person")),
        ("Lyon-Python", (None, "not a person")),
        ("June Carter", ("June Carter", None)),  # a month that is a first name
        ("Marc Dec", ("Marc Dec", None)),  # a month without a year is no date
    ],
)
def test_clean_author(value: str, expected: tuple[str | None, str | None]) -> None:
    from barcamp_search.read.names import clean_author

    name, warning = clean_author(value)
    assert name == expected[0]
    assert (warning is None) == (expected[1] is None)
    assert expected[1] is None or expected[1] in str(warning)


def _assembled(fields: dict[str, object], site_url: str | None = None):  # type: ignore[no-untyped-def]
    from barcamp_search.archive import ArchiveOptions
    from barcamp_search.read.assemble import build_post

    document = Document("A post", fields, "Write to team@example.org for details.", (), (), ())
    return build_post(document, "posts/a.md", "markdown", ArchiveOptions("demo", site_url=site_url))


def test_author_dates_are_dropped_with_a_warning() -> None:
    post = _assembled({"authors": "Nora Quist, Reviewed June 2008", "author": None})
    assert post.authors == ("Nora Quist",)
    assert any("'Reviewed June 2008' is not a person" in w for w in post.warnings)
    assert _assembled({"author": "Li Wei October 2008"}).authors == ("Li Wei",)


@pytest.mark.parametrize(
    ("fields", "site_url", "url"),
    [
        ({"url": "event/june-meetup"}, None, "/event/june-meetup"),
        ({"permalink": "/2019/06/june/"}, None, "/2019/06/june/"),
        ({"url": "https://example.org/june/"}, None, "https://example.org/june/"),
        ({"url": "javascript:alert(1)"}, None, None),
        ({}, None, None),
        ({"save_as": "june.html"}, None, None),
        (
            {"url": "event/june-meetup"},
            "https://pune.example",
            "https://pune.example/event/june-meetup",
        ),
        ({}, "https://pune.example", "https://pune.example/a-post.html"),
    ],
)
def test_url_from_the_posts_own_front_matter(
    fields: dict[str, object], site_url: str | None, url: str | None
) -> None:
    assert _assembled(fields, site_url).url == url


def test_a_removed_email_leaves_a_placeholder_not_a_hole() -> None:
    assert _assembled({}).text == "Write to [e-mail] for details."


def test_one_letter_more_counts_any_spelling_in_two_words() -> None:
    groups = _groups("Ravishankara", "Ravishankar", "Ravi Shankar")
    assert groups.name_of("Ravishankara") == "Ravi Shankar"


def test_aliases_and_grouped_filters_on_a_real_index(tmp_path: Path, sample_dir: Path) -> None:
    from barcamp_search.archive import Archive, ArchiveOptions
    from barcamp_search.indexer.build import index_archives
    from barcamp_search.search.engine import SearchIndex, SearchQuery

    index_archives(tmp_path / "index", [Archive(sample_dir, ArchiveOptions("demo"))], workers=1)

    def posts_of(engine: SearchIndex, speaker: str) -> set[str]:
        found = engine.search(SearchQuery(speakers=(speaker,), per_page=50))
        return {hit.slug for hit in found.hits}

    with SearchIndex(tmp_path / "index") as engine:
        morel, riviere = posts_of(engine, "Kévin Morel"), posts_of(engine, "Léa Fontaine")
    assert morel and riviere - morel
    aliases = {"Léa Fontaine": "Kévin Morel"}  # merged by hand (made up: two people)
    with SearchIndex(tmp_path / "index", people_aliases=aliases) as engine:
        speakers = {n for v in engine.state().tables.values("speaker") for n in v}
        assert "Kévin Morel" in speakers and "Léa Fontaine" not in speakers
        assert engine.state().tables.variants["Kévin Morel"] == ("Kévin Morel", "Léa Fontaine")
        # the filter on a person finds every post of every spelling it gathered
        assert posts_of(engine, "Kévin Morel") == morel | riviere


def test_an_initial_is_no_inserted_letter() -> None:
    groups = _groups("Balasubramanian", "K. Balasubramanian")
    assert len(groups.variants) == 2


def test_two_swapped_letters_of_one_first_name() -> None:
    assert _groups("Rahul Sehgal", "Rahul Shegal").name_of("Rahul Shegal") == "Rahul Sehgal"
    assert len(_groups("Rahul Sehgal", "Rahlu Sehgla").variants) == 2  # two swaps
    assert len(_groups("Anna Sehgal", "Nana Sehgal").variants) == 2  # another first name


def test_speaker_page_of_a_person_lists_the_talks_of_every_spelling(
    tmp_path: Path, sample_dir: Path
) -> None:
    from urllib.parse import quote

    from barcamp_search.archive import Archive, ArchiveOptions
    from barcamp_search.config import Settings
    from barcamp_search.indexer.build import index_archives
    from barcamp_search.web.app import create_app

    index_archives(tmp_path / "index", [Archive(sample_dir, ArchiveOptions("demo"))], workers=1)
    aliases = {"Léa Fontaine": "Kévin Morel"}  # merged by hand (made up: two people)
    client = create_app(Settings(index=tmp_path / "index", people_aliases=aliases)).test_client()
    page = client.get("/speakers/" + quote("Kévin Morel")).get_data(as_text=True)
    # Léa Fontaine's talk in the May announcement now belongs to the person's page
    assert "Annonce : meetup Python de mai" in page and "Au programme" in page
    plain = create_app(Settings(index=tmp_path / "index")).test_client()
    page = plain.get("/speakers/" + quote("Kévin Morel")).get_data(as_text=True)
    assert "Annonce : meetup Python de mai" not in page
