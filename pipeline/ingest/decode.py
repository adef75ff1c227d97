"""Bytes to clean text: encoding detection, binary-file refusal, control and zero-width characters.

Real corpora arrive as UTF-8 with or without a byte order mark, GB18030/GBK, Big5 or UTF-16, with
CRLF or CR line ends, stray NULs and invisible characters. Each file is decoded strictly (never
with replacement characters, which would lose text silently); what had to be changed is counted
and reported, and a file that is not text at all is refused with a message that says so.

A file that is neither UTF-8 nor marked by a byte order mark is decoded with the encodings of the
language it holds first (:mod:`pipeline.ingest.charsets`), and with charset-normalizer's guess only
when none of them fits.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.charsets import Language, guess

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

_OVERRIDE = "set ingest -> encoding to override"
_LANGUAGE_NAMES: dict[Language, str] = {"zh": "Chinese", "en": "English"}

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


def decode(data: bytes, encoding: str, path: Path, clean: bool = True, language: Language | None = None) -> Decoded:
    """Decode a whole file. ``encoding`` is a codec name or ``auto`` (BOM, then UTF-8, then the encodings
    of ``language``, then detection). ``clean`` removes control and zero-width characters and unifies
    line separators (see :func:`_clean`)."""
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{path}: not a text file, it is {kind}")
    decoded = _decode(data, encoding, path, language)
    return _clean(decoded, path) if clean else decoded


def _decode(data: bytes, encoding: str, path: Path, language: Language | None) -> Decoded:
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
        fitting = guess(data, language)
        if fitting is not None:
            name = fitting.chosen.encoding
            note = f"{path}: not UTF-8; decoded as {name} (detected {fitting.reason()}; {_OVERRIDE})"
            return Decoded(fitting.chosen.text, name, True, [note])
    name = _detect(data, path)
    decoded = Decoded(_decode_strict(data, name, path), name, True)
    tried = f", as no {_LANGUAGE_NAMES[language]} encoding fits" if language else ""
    decoded.notes.append(f"{path}: not UTF-8; decoded as {name} (detected by charset-normalizer{tried}; {_OVERRIDE})")
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


# ---------------------------------------------------------------------------------------------
# reading a large file line by line

#: Bytes read at a time when a file is streamed.
_STREAM_CHUNK = 1 << 20
#: The control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) that cleaning removes.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class _Scan:
    """What a first pass over a file found: its codec, and what cleaning will change (for the notes)."""

    codec: str
    strip_bom: bool
    characters: int = 0
    controls: int = 0
    nul: int = 0
    invisible: int = 0


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(_STREAM_CHUNK), b"")


def _codec(head: bytes, encoding: str) -> tuple[str, bool] | None:
    """The codec a file is read with and whether one leading U+FEFF is dropped, as :func:`_decode` decides;
    None for ``auto`` without a byte order mark (UTF-8 or detection: the scan tells)."""
    if encoding.lower() != "auto":
        return encoding, True
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, True
    return None


def _decoded_chunks(path: Path, codec: str, strip_bom: bool) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    first = True
    for chunk in _chunks(path):
        text = decoder.decode(chunk)
        if first and text:
            text, first = (text.removeprefix("\ufeff") if strip_bom else text), False
        yield text
    yield decoder.decode(b"", final=True)


def _scan(path: Path, encoding: str) -> _Scan | None:
    """Decode the whole file once, a chunk at a time, counting what cleaning removes. None when the file
    must be decoded whole instead: it needs detection, or it does not decode (the whole-file path then
    says where, or detects its encoding)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    kind = _binary_kind(head)
    if kind:
        raise InputError(f"{path}: not a text file, it is {kind}")
    chosen = _codec(head, encoding)
    if chosen is None:
        size = path.stat().st_size
        if sum(chunk.count(b"\x00") for chunk in _chunks(path)) > size // 10:
            return None  # UTF-16/32 without a byte order mark: detection reads the whole file
        chosen = ("utf-8", False)
    scan = _Scan(*chosen)
    try:
        for text in _decoded_chunks(path, scan.codec, scan.strip_bom):
            text = _LINE_BREAKS.sub("\n", text)
            scan.characters += len(text)
            scan.controls += len(_CONTROLS.findall(text))
            scan.nul += text.count("\x00")
            scan.invisible += len(_INVISIBLE.findall(text))
    except (UnicodeDecodeError, LookupError):
        return None
    return scan


def _notes(scan: _Scan, path: Path) -> list[str]:
    """The notes :func:`_clean` writes, from the counts of the scan."""
    notes = []
    if scan.controls:
        if scan.nul > scan.characters // 10:
            raise InputError(f"{path}: not a text file ({scan.nul} NUL characters); convert it to UTF-8 text first")
        notes.append(f"{path}: removed {scan.controls} control characters (NUL and the like)")
    if scan.invisible:
        notes.append(f"{path}: removed {scan.invisible} zero-width characters")
    return notes


def _clean_chunk(text: str) -> str:
    """What :func:`_clean` does to a text, done to a piece of it (every step works character by character)."""
    return _INVISIBLE.sub("", _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text)))


def stream_lines(path: Path, encoding: str) -> tuple[list[str], Iterator[str]] | None:
    """The lines of a text file (split at ``\\n``) as ``decode(...).text.split("\\n")`` gives them, decoded and
    cleaned a chunk at a time, with the notes :func:`decode` would write: a file of any size is read in
    bounded memory. The file is read twice (the notes come first). None when the file has to be decoded
    whole: its encoding must be detected, or it does not decode (then :func:`decode` says where)."""
    scan = _scan(path, encoding)
    if scan is None:
        return None
    notes = _notes(scan, path)

    def lines() -> Iterator[str]:
        rest = ""
        for text in _decoded_chunks(path, scan.codec, scan.strip_bom):
            parts = (rest + _clean_chunk(text)).split("\n")
            rest = parts.pop()
            yield from parts
        yield rest

    return notes, lines()
