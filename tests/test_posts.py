"""Normalisation rules shared by every reader (posts.py) and slugs (slugs.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from barcamp_search.model import (
    normalize_categories,
    normalize_tags,
    parse_date,
    split_list,
    split_people,
    strip_emails,
)
from barcamp_search.read.slugs import AnchorMaker, make_anchor, slugify


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("python,nantes, pyconfr", ("python", "nantes", "pyconfr")),
        ("python,django,nantes,PEP,PEP8", ("python", "django", "nantes", "pep", "pep8")),
        ("présentations", ("présentations",)),
        ("python,bar, nantes", ("python", "bar", "nantes")),
        ("a; b, c; a", ("a", "b, c")),  # ';' present: split on ';' only (Pelican)
        (["Meeting Minutes", "meeting  minutes", "Events"], ("meeting minutes", "events")),
        ("Python, python , PYTHON", ("python",)),
        ("", ()),
        (None, ()),
    ],
)
def test_normalize_tags(raw, expected):
    assert normalize_tags(raw) == expected


def test_categories_keep_spelling_and_merge_case_variants():
    assert normalize_categories("Django, Montréal Python, Sprints, django") == (
        "Django",
        "Montréal Python",
        "Sprints",
    )
    # accent variants are different words: both kept
    assert normalize_categories("évènements, événements") == ("évènements", "événements")


@given(st.lists(st.text(max_size=20), max_size=8))
def test_tag_normalisation_is_idempotent(values):
    once = normalize_tags(values)
    assert normalize_tags(list(once)) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pierre, Gordon, Florent", ("Pierre", "Gordon", "Florent")),
        (
            "Moshe Zadka, Al Sweigart, Asheesh Laroia and Philip James",
            ("Moshe Zadka", "Al Sweigart", "Asheesh Laroia", "Philip James"),
        ),
        (
            "Guido Van Rossum, Jukka Lehtosalo, Greg Price, and David Fisher",
            ("Guido Van Rossum", "Jukka Lehtosalo", "Greg Price", "David Fisher"),
        ),
        ("Bhavin Gandhi & Vishal Vijayraghavan", ("Bhavin Gandhi", "Vishal Vijayraghavan")),
        ("Florent, Antoine et Pablo", ("Florent", "Antoine", "Pablo")),
        ("Chandan Kumar (raukadah)", ("Chandan Kumar",)),
        ("Éric St-Jean(esj@wwd.ca)", ("Éric St-Jean",)),
        ("Jean Dupont (jean@example.org)", ("Jean Dupont",)),
        ("Lucas Cimon lucas.cimon AT gmail", ("Lucas Cimon",)),
        (("Author, First", "Author, Second"), ("Author, First", "Author, Second")),
        ("Author, First; Author, Second", ("Author, First", "Author, Second")),
        (
            ("Moshe Zadka", "Asheesh Laroia and Philip James"),
            ("Moshe Zadka", "Asheesh Laroia", "Philip James"),
        ),
        ("", ()),
    ],
)
def test_split_people(raw, expected):
    assert split_people(raw) == expected


def test_split_list_follows_pelican():
    assert split_list("a;b, c") == ["a", "b, c"]
    assert split_list("a, b,,c ") == ["a", "b", "c"]


def test_strip_emails():
    assert strip_emails("write to jean@example.org today") == "write to [e-mail] today"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2014-07-31", "2014-07-31T00:00:00"),
        ("2012-11-09 14:20", "2012-11-09T14:20:00"),
        ("2008/11/04 01:15:00", "2008-11-04T01:15:00"),
        ("2008/11/04 01:15:00 GMT-5", "2008-11-04T01:15:00-05:00"),
        ("2004/10/01 16:35:00.000000 GMT-7", "2004-10-01T16:35:00-07:00"),
        ("2014-10-27T10:45:00+05:30", "2014-10-27T10:45:00+05:30"),
        ("2019-03-01 10:00:00 +0530", "2019-03-01T10:00:00+05:30"),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2019-02-30 25:61", "hier soir", "", "   "])
def test_bad_dates_raise_value_error(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Compte-rendu des conférences : Pélican et (i)Python",
            "compte-rendu-des-conferences-pelican-et-ipython",
        ),
        ("This is a super article !", "this-is-a-super-article"),
        ("Meetup #42: data pipelines", "meetup-42-data-pipelines"),
        ("<b>Bold</b> title", "bold-title"),
    ],
)
def test_slugify_like_pelican(title, slug):
    assert slugify(title) == slug


def test_anchors_like_docutils():
    assert make_anchor("Let's roll") == "let-s-roll"
    assert make_anchor("Outils Python pour les adminsys / devops") == (
        "outils-python-pour-les-adminsys-devops"
    )
    maker = AnchorMaker()
    assert [maker("Intro"), maker("Intro"), maker("2024"), maker("Intro")] == [
        "intro",
        "intro-1",
        "section-1",
        "intro-2",
    ]
