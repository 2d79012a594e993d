"""Bytes of a source file -> clean text for the readers, with warnings.

Archives are other people's files: BOMs, CRLF, Latin-1, broken UTF-8, NUL
bytes, binary files under a ``.rst`` name, terminal escapes. The rules:

* a UTF-8 BOM is dropped (anywhere, U+FEFF is removed); UTF-16 with a BOM, or
  recognisably UTF-16 without one, is decoded as such, with a warning;
* valid UTF-8 is used as is; a file with no valid multi-byte UTF-8 sequence
  but with high bytes is read as Windows-1252 (a superset of Latin-1) with a
  warning; otherwise invalid sequences become U+FFFD, with a warning;
* CRLF and lone CR become LF; NUL becomes a space (warning);
* C0/C1 control characters other than tab and newline (BEL, backspace, ANSI
  escapes), bidi embedding/override/isolate controls and zero-width spaces are
  removed, so no stored field can reorder or colour a terminal or a page;
  ZWJ/ZWNJ stay (they matter in several scripts). Text is NFC-normalised;
* empty or white-space-only files and binary files raise ``ExtractError``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from barcamp_search.errors import ExtractError

_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x7fELF")
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def decode_source(data: bytes, source: str) -> tuple[str, list[str]]:
    """Return the text of a source file and the warnings its decoding raised."""
    warnings: list[str] = []
    if not data.strip():
        raise ExtractError(source, "empty file")
    text = _decode_utf16(data, warnings)
    if text is None:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        if data.startswith(_BINARY_MAGIC) or _looks_binary(data):
            raise ExtractError(source, "binary file, not text")
        text = _decode_8bit(data, warnings)
    if "\x00" in text:
        warnings.append("NUL bytes replaced by spaces")
        text = text.replace("\x00", " ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise ExtractError(source, "empty file (white space only)")
    return text, warnings


def _decode_utf16(data: bytes, warnings: list[str]) -> str | None:
    """UTF-16 with a BOM, or without one when every other byte is NUL."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.append("file is UTF-16; read as such")
        return data.decode("utf-16", errors="replace")
    sample = data[:2000]
    if len(sample) >= 4 and sample.count(0) * 10 >= len(sample) * 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        if odd_nuls * 10 >= len(sample) // 2 * 9 and even_nuls == 0:
            warnings.append("file is UTF-16 (little-endian, no BOM); read as such")
            return data.decode("utf-16-le", errors="replace")
        if even_nuls * 10 >= len(sample) // 2 * 9 and odd_nuls == 0:
            warnings.append("file is UTF-16 (big-endian, no BOM); read as such")
            return data.decode("utf-16-be", errors="replace")
    return None


def _looks_binary(data: bytes) -> bool:
    """More than 5% control bytes (NUL excepted: a few stray NULs are text damage)."""
    sample = data[:8192]
    controls = len(_CONTROL_BYTES.findall(sample))
    nuls = sample.count(0)
    return controls * 20 > len(sample) or nuls * 4 > len(sample)


def _decode_8bit(data: bytes, warnings: list[str]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        if not _UTF8_MULTIBYTE.search(data):
            warnings.append(f"line {line}: not UTF-8; read as Windows-1252 (Latin-1)")
            return data.decode("cp1252", errors="replace")
        warnings.append(f"line {line}: invalid UTF-8 sequences replaced by U+FFFD")
        return data.decode("utf-8", errors="replace")
