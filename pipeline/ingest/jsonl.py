"""JSON Lines reader: ``{"id": ..., "zh": ..., "en": ...}`` one document a line; newlines split paragraphs.

The file is read a line at a time (:func:`pipeline.ingest.decode.stream_lines`), so a file of any size
is read in bounded memory; only a file whose encoding must be detected is decoded whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import JsonlIngest
from pipeline.errors import InputError
from pipeline.ingest.base import Reader, paragraphs_from_text, parse_json_object
from pipeline.ingest.decode import stream_lines
from pipeline.records import Document


def _field(record: dict[str, Any], key: str, where: str, required: bool) -> str | None:
    value = record.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        got = "missing" if key not in record else f"a {type(value).__name__}"
        raise InputError(f'{where}: "{key}" must be a string, got {got}')
    return value


class JsonlReader(Reader):
    def __init__(self, settings: JsonlIngest) -> None:
        super().__init__()
        self.settings = settings
        if not settings.path.is_file():
            raise InputError(f"ingest -> path: {settings.path} is not a file (relative to {Path.cwd()})")

    def input_files(self) -> list[Path]:
        return [self.settings.path]

    def read(self) -> Iterator[Document]:
        path = self.settings.path
        seen: dict[str, int] = {}
        for number, line in enumerate(self._lines(path), start=1):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            record = parse_json_object(line, where, 'an object {"id": ..., "zh": ..., "en": ...}')
            doc_id = _field(record, "id", where, required=True) or ""
            if doc_id in seen:
                raise InputError(f"{where}: document id {doc_id!r} already used on line {seen[doc_id]}")
            seen[doc_id] = number
            zh = _field(record, "zh", where, required=True) or ""
            en = _field(record, "en", where, required=False)
            unknown = sorted(set(record) - {"id", "zh", "en"})
            if unknown:
                self.warnings.append(f"{where}: ignored keys {unknown} (expected id, zh, en)")
            yield Document(
                id=doc_id,
                source=paragraphs_from_text(zh),
                reference=paragraphs_from_text(en) if en is not None else None,
                source_path=f"{path}:{number}",
                reference_path=f"{path}:{number}" if en is not None else None,
            )

    def _lines(self, path: Path) -> Iterator[str]:
        """The file's lines, read a chunk at a time (a file of any size is read in bounded memory), or
        decoded whole when its encoding must be detected."""
        streamed = stream_lines(path, self.settings.encoding)
        if streamed is None:
            # The file's Chinese is what tells its encoding (its keys and English are ASCII or Latin).
            return iter(self._text(path, self.settings.encoding, "zh").split("\n"))
        notes, lines = streamed
        self.warnings.extend(notes)
        return lines

    def signature(self) -> str:
        return f"jsonl|encoding:{self.settings.encoding}"
