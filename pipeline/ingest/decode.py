"""Bytes to clean text: encoding detection, binary-file refusal, control and zero-width characters.

Real corpora arrive as UTF-8 with or without a byte order mark, GB18030/GBK, Big5 or UTF-16, with
CRLF or CR line ends, stray NULs and invisible characters. Each file is decoded strictly (never
with replacement characters, which would lose text silently); what had to be changed is counted
and reported, and a file that is not text at all is refused with a message that says so.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError

#: Signatures of common binary formats people mistake for text, with what to do instead.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF file; extract its text first (e.g. pdftotext)"),
    (b"PK\x03\x04", "a ZIP archive (also .docx/.xlsx/.epub); extract or convert its text first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls); save it as UTF-8 text first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive; decompress it first"),
    (b"\x7fELF", "an executable"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Characters that end a line besides \n: CR is handled by paragraph splitting; these become \n.
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: Invisible characters removed: zero-width space, ZWNJ, word joiner, BOM inside the text, soft hyphen.
#: ZWJ (U+200D) is kept: it joins emoji sequences.
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")


@dataclass
class Decoded:
    text: str
    encoding: str
    detected: bool
    notes: list[str] = field(default_factory=list)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _decode_strict(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}, line {line}: not valid {encoding} (byte {exc.start}); set ingest -> encoding to the "
            f"file's encoding (e.g. gb18030, big5, utf-16) or to auto, or convert the file to UTF-8"
        ) from None
    except LookupError:
        raise InputError(f"ingest -> encoding: unknown encoding {encoding!r} (for {path})") from None


def _detect(data: bytes, path: Path) -> str:
    """Best guess for a file that is neither UTF-8 nor marked by a byte order mark."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError(
            f"{path}: cannot tell its text encoding, or it is not text; set ingest -> encoding "
            "(e.g. gb18030, big5, utf-16) or convert the file to UTF-8"
        )
    return _prefer_superset(best.encoding)


def _prefer_superset(encoding: str) -> str:
    """GB2312 and GBK are subsets of GB18030: decoding with the superset never loses a character."""
    name = codecs.lookup(encoding).name
    return "gb18030" if name in {"gb2312", "gbk", "hz"} else name


def decode(data: bytes, encoding: str, path: Path, clean: bool = True) -> Decoded:
    """Decode a whole file. ``encoding`` is a codec name or ``auto`` (BOM, then UTF-8, then detection).
    ``clean`` removes control and zero-width characters and unifies line separators (see :func:`_clean`)."""
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{path}: not a text file, it is {kind}")
    decoded = _decode(data, encoding, path)
    return _clean(decoded, path) if clean else decoded


def _decode(data: bytes, encoding: str, path: Path) -> Decoded:
    if encoding.lower() != "auto":
        return Decoded(_decode_strict(data, encoding, path).removeprefix("\ufeff"), encoding, False)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(_decode_strict(data, name, path).removeprefix("\ufeff"), name, False)
    # Many NULs mean UTF-16/32 without a byte order mark (English in UTF-16 is also valid UTF-8).
    if data.count(b"\x00") <= len(data) // 10:
        try:
            return Decoded(data.decode("utf-8"), "utf-8", False)
        except UnicodeDecodeError:
            pass
    name = _detect(data, path)
    decoded = Decoded(_decode_strict(data, name, path), name, True)
    decoded.notes.append(f"{path}: not UTF-8; decoded as {name} (detected; set ingest -> encoding to override)")
    return decoded


def _control_count(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")


def _clean(decoded: Decoded, path: Path) -> Decoded:
    """Turn odd line separators into line breaks; remove control and zero-width characters, counted."""
    text = _LINE_BREAKS.sub("\n", decoded.text)
    controls = _control_count(text)
    if controls:
        nul = text.count("\x00")
        if nul > len(text) // 10:
            raise InputError(f"{path}: not a text file ({nul} NUL characters); convert it to UTF-8 text first")
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
        decoded.notes.append(f"{path}: removed {controls} control characters (NUL and the like)")
    invisible = len(_INVISIBLE.findall(text))
    if invisible:
        text = _INVISIBLE.sub("", text)
        decoded.notes.append(f"{path}: removed {invisible} zero-width characters")
    decoded.text = text
    return decoded
