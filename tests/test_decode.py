"""Decoding the bytes of hostile files (decode.py)."""

from __future__ import annotations

import codecs

import pytest

from barcamp_search.errors import ExtractError
from barcamp_search.read.decode import decode_source


def test_utf8_bom_and_crlf_are_removed():
    text, warnings = decode_source(codecs.BOM_UTF8 + b"Titre\r\n=====\r\n", "a.rst")
    assert text == "Titre\n=====\n"
    assert warnings == []


def test_latin1_falls_back_to_cp1252_with_a_warning():
    text, warnings = decode_source("Café, Zoé et Rémi".encode("latin-1"), "a.rst")
    assert text == "Café, Zoé et Rémi"
    assert warnings == ["line 1: not UTF-8; read as Windows-1252 (Latin-1)"]


def test_broken_utf8_gets_replacement_characters():
    text, warnings = decode_source("Café ".encode() + b"\xff\xfe ok", "a.rst")
    assert text == "Café \ufffd\ufffd ok"
    assert "invalid UTF-8" in warnings[0]


def test_nul_becomes_space_and_controls_vanish():
    text, warnings = decode_source(b"Octets\x00nuls \x1b[31mrouge\x1b[0m\x07 \xe2\x80\xae", "a")
    assert text == "Octets nuls rouge "
    assert warnings == ["NUL bytes replaced by spaces"]


@pytest.mark.parametrize("data", [b"", b"   \n\n", codecs.BOM_UTF8])
def test_empty_files_are_skipped(data):
    with pytest.raises(ExtractError, match="empty"):
        decode_source(data, "a.rst")


def test_binary_is_skipped():
    with pytest.raises(ExtractError, match="binary"):
        decode_source(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "a.rst")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_recognised(encoding):
    text, warnings = decode_source("Titre\n=====\n\nCafé".encode(encoding), "a.rst")
    assert text == "Titre\n=====\n\nCafé"
    assert "UTF-16" in warnings[0]


def test_decomposed_accents_are_composed():
    text, _ = decode_source("e\u0301vènement".encode(), "a.rst")
    assert text == "évènement"
