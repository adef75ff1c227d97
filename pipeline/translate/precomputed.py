"""Translations read from a file instead of a model (``translate.name: precomputed``).

The file is read once, before any document, into a table from source text to translation; each
source sentence the segmenter produces is then looked up by its exact text (white space around it
ignored). So a line of the file is used for a sentence when the line's source text *is* that
sentence: translations made one sentence a line fit the default segmenters, and translations made
one line (segment) at a time, as in WMT test sets, need ``segment.zh.name: zh-lines`` so that each
source line stays one sentence. A sentence missing from the table stops the run and names it.

The same source text translated differently in two places (``你好`` twice in a test set) gets the
first translation; the report says how many such sources there were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import PrecomputedSettings
from pipeline.errors import ConfigError, InputError
from pipeline.ingest.base import parse_json_object, read_lines, read_text_file
from pipeline.io import sha256_file
from pipeline.translate.base import Translator

#: ``(source text, translation, where)``, ``where`` naming the file and line for messages.
Entry = tuple[str, str, str]


def source_key(text: str) -> str:
    """The lookup key of a source text: the text without the white space around it."""
    return text.strip()


def _require(path: Path, key: str) -> None:
    if not path.is_file():
        raise InputError(f"translate -> {key}: {path} is not a file (relative to {Path.cwd()})")


def line_entries(source: Path, path: Path, encoding: str) -> Iterator[Entry]:
    """Line-parallel plain text; the two files must have the same number of lines."""
    _require(source, "source")
    _require(path, "path")
    sources, translations = read_lines(source, encoding), read_lines(path, encoding)
    if len(sources) != len(translations):
        raise InputError(
            f"translate: {source} has {len(sources)} lines but {path} has {len(translations)}; "
            "line i of path must translate line i of source"
        )
    for number, (src, mt) in enumerate(zip(sources, translations, strict=True), start=1):
        yield src, mt, f"{path}, line {number}"


def _field(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        got = "missing" if key not in record else f"a {type(value).__name__}"
        raise InputError(f'{where}: "{key}" must be a string, got {got} (keys here: {", ".join(record)})')
    return value


def jsonl_entries(path: Path, source_field: str, translation_field: str, encoding: str) -> Iterator[Entry]:
    """One object a line; a multi-line source and its translation pair line by line."""
    _require(path, "path")
    for number, line in enumerate(read_text_file(path, encoding, clean=False).text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        record = parse_json_object(line, where, f"an object with keys {source_field!r} and {translation_field!r}")
        sources = _field(record, source_field, where).split("\n")
        translations = _field(record, translation_field, where).split("\n")
        if len(sources) != len(translations):
            raise InputError(
                f'{where}: "{source_field}" has {len(sources)} lines but "{translation_field}" has '
                f"{len(translations)}; each line of the source needs one line of translation"
            )
        for src, mt in zip(sources, translations, strict=True):
            yield src, mt.rstrip(), where


def tsv_entries(path: Path, source_field: str, translation_field: str) -> Iterator[Entry]:
    """A TSV in the aligned TSV's format (header row, escaped text), e.g. a previous run's ``aligned.tsv``."""
    from pipeline.export.tsv import read_tsv

    _require(path, "path")
    header, rows = read_tsv(path)
    missing = [c for c in (source_field, translation_field) if c not in header]
    if missing:
        raise InputError(f"{path}: no column {', '.join(map(repr, missing))}; the header has {', '.join(header)}")
    src_at, mt_at = header.index(source_field), header.index(translation_field)
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InputError(f"{path}, row {number}: {len(row)} fields, the header has {len(header)}")
        yield row[src_at], row[mt_at], f"{path}, row {number}"


class PrecomputedTranslator(Translator):
    """Looks translations up in a file; no model, so batches only group the bookkeeping."""

    batch_size = 4096
    show_progress = False
    passthrough = False  # the file's translation of "2020" or "……" is the system's output: use it
    use_cache = False  # the file is the cache
    can_translate_spans = False  # only the file's own lines have translations

    def __init__(self, settings: PrecomputedSettings) -> None:
        super().__init__()
        self.settings = settings
        self.table: dict[str, str] | None = None
        self.conflicts = 0

    def _entries(self) -> Iterator[Entry]:
        s = self.settings
        if s.format == "lines":
            if s.source is None:  # PrecomputedSettings refuses this; settings built by hand may not
                raise ConfigError(["translate -> source: format 'lines' needs the source file"])
            return line_entries(s.source, s.path, s.encoding)
        if s.format == "jsonl":
            return jsonl_entries(s.path, s.source_field, s.translation_field, s.encoding)
        return tsv_entries(s.path, s.source_field, s.translation_field)

    def load(self) -> None:
        """Read the whole file now, so that a missing or malformed file stops the run before any work."""
        table: dict[str, str] = {}
        first_conflict = ""
        for src, mt, where in self._entries():
            key = source_key(src)
            if not key:
                continue
            if key in table and table[key] != mt:
                self.conflicts += 1
                first_conflict = first_conflict or f"{where}: {key!r}"
                continue
            table.setdefault(key, mt)
        self.table = table
        if self.conflicts:
            self.stats.notes.append(
                f"{self.conflicts} source sentences occur again in {self.settings.path} with another translation; "
                f"each sentence got its first translation (first repeat at {first_conflict})"
            )

    def translate_batch(self, texts: list[str]) -> list[str]:
        if self.table is None:
            self.load()
        table = self.table or {}
        out = []
        for text in texts:
            translation = table.get(source_key(text))
            if translation is None:
                raise InputError(self._missing_message(text))
            out.append(translation)
        return out

    def _missing_message(self, text: str) -> str:
        hint = (
            "translations are looked up by the exact text of each sentence as the segmenter splits it; "
            "if the file translates whole lines that hold several sentences, set segment.zh.name: zh-lines"
        )
        return f"translate: the source sentence {text!r} has no translation in {self.settings.path}; {hint}"

    def signature(self) -> str:
        s = self.settings
        digest = sha256_file(s.path)[:16] if s.path.is_file() else "missing"
        fields = "" if s.format == "lines" else f"|fields:{s.source_field},{s.translation_field}"
        return f"precomputed|format:{s.format}{fields}|sha256:{digest}"

    def describe(self) -> dict[str, Any]:
        from pipeline.manifest import file_record

        s = self.settings
        return {
            "signature": self.signature(),
            "translations": file_record(s.path) if s.path.is_file() else str(s.path),
            "source": file_record(s.source) if s.source is not None and s.source.is_file() else None,
            "entries": len(self.table or {}),
            "repeated_sources_with_other_translations": self.conflicts,
        }
