"""What every reader shares: turning text into paragraphs, and reporting its input files."""

from __future__ import annotations

import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.charsets import Language
from pipeline.ingest.decode import Decoded, decode
from pipeline.records import Document, Paragraph

#: Stripped from both ends of a paragraph: ASCII white space and the full-width space U+3000
#: that Chinese typesetting uses for the two-character paragraph indent.
PARAGRAPH_STRIP = " \t\u3000\u00a0\ufeff"


def paragraphs_from_text(text: str, first_line: int = 1) -> tuple[Paragraph, ...]:
    """One paragraph per line; indents stripped, blank lines skipped, line numbers kept.

    Only ``\\n``, ``\\r\\n`` and ``\\r`` end a line (``str.splitlines`` would also split at
    form feeds and U+2028, which appear inside real paragraphs).
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[Paragraph] = []
    for offset, line in enumerate(normalised.split("\n")):
        stripped = line.strip(PARAGRAPH_STRIP)
        if stripped:
            paragraphs.append(Paragraph(index=len(paragraphs), text=stripped, line=first_line + offset))
    return tuple(paragraphs)


def read_text_file(path: Path, encoding: str, clean: bool = True, language: Language | None = None) -> Decoded:
    """Read and decode a whole file; errors name the file, the line and the fix.

    ``clean=False`` keeps the text exactly as decoded (line-parallel files must keep every character
    and every line: a U+2028 there is not a line break). ``language``: what the file holds, whose
    encodings are tried before detection when it is not UTF-8 (:mod:`pipeline.ingest.charsets`)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a text file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return decode(data, encoding, path, clean=clean, language=language)


def read_inputs(paths: Sequence[Path], encoding: str, language: Language) -> Iterator[Decoded]:
    """Each file, or standard input when there is none (read as bytes), decoded as a run decodes its
    documents; what had to be guessed or changed is in each one's ``notes``."""
    if not paths:
        yield decode(sys.stdin.buffer.read(), encoding, Path("<stdin>"), language=language)
    for path in paths:
        yield read_text_file(path, encoding, language=language)


def parse_json_object(line: str, where: str, expected: str) -> dict[str, Any]:
    """One JSON Lines record; ``where`` names the file and line, ``expected`` the object the file should hold."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected {expected}")
    return record


def read_lines(path: Path, encoding: str = "utf-8") -> list[str]:
    """Lines of a line-aligned text file as the sacrebleu command line reads them: split at ``\\n``
    only, trailing white space (``\\r`` included) dropped; a final newline does not start a new line."""
    lines = read_text_file(path, encoding, clean=False).text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


class Reader(ABC):
    """Yields documents. Subclasses also say which files they read, for the run manifest."""

    def __init__(self) -> None:
        #: Problems that do not stop the run (e.g. a reference with no source); shown in the report.
        self.warnings: list[str] = []

    @abstractmethod
    def read(self) -> Iterator[Document]: ...

    def _text(self, path: Path, encoding: str, language: Language) -> str:
        """Decode a file, keeping what had to be changed or guessed as a warning."""
        decoded = read_text_file(path, encoding, language=language)
        self.warnings.extend(decoded.notes)
        return decoded.text

    @abstractmethod
    def input_files(self) -> list[Path]: ...

    def signature(self) -> str:
        return type(self).__name__
