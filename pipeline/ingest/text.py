"""Plain-text reader: one document per file, one paragraph per line, references paired by id."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.config import TextIngest
from pipeline.errors import InputError
from pipeline.ingest.base import Reader, paragraphs_from_text
from pipeline.records import Document

_LANG_SUFFIX = re.compile(r"\.(zh|cn|chs|cht|zho|en|eng)$", re.IGNORECASE)


def document_id(path: Path) -> str:
    """``news/a.zh.txt`` -> ``a``: the file name without ``.txt`` and a trailing language tag."""
    stem = path.name.removesuffix(".txt")
    return _LANG_SUFFIX.sub("", stem) or stem


def expand(patterns: Sequence[str], key: str) -> list[Path]:
    """Files named by a list of paths or glob patterns, sorted, each pattern required to match."""
    files: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        paths = [Path(m) for m in matches]
        if not paths or not all(p.exists() for p in paths):
            raise InputError(f"ingest -> {key}: {pattern!r} matches no file (relative to {Path.cwd()})")
        if not glob.has_magic(pattern) and paths[0].is_dir():
            raise InputError(f"ingest -> {key}: {pattern!r} is a folder; name its files, e.g. '{pattern}/*.txt'")
        files.extend(p for p in paths if p.is_file())  # a glob may also match folders
    return files


def by_id(files: Sequence[Path], key: str) -> dict[str, Path]:
    """Map document id -> file, refusing two files with the same id."""
    found: dict[str, Path] = {}
    for path in files:
        doc_id = document_id(path)
        if doc_id in found and found[doc_id] != path:
            raise InputError(
                f"ingest -> {key}: {found[doc_id]} and {path} have the same document id {doc_id!r}; rename one"
            )
        found[doc_id] = path
    return found


class TextReader(Reader):
    def __init__(self, settings: TextIngest) -> None:
        super().__init__()
        self.settings = settings
        self.sources = by_id(expand(settings.sources, "sources"), "sources")
        self.references = by_id(expand(settings.references, "references"), "references")
        for doc_id, path in self.references.items():
            if doc_id not in self.sources:
                self.warnings.append(f"{path}: reference has no source document with id {doc_id!r}; not used")

    def input_files(self) -> list[Path]:
        return [*self.sources.values(), *self.references.values()]

    def read(self) -> Iterator[Document]:
        for doc_id, path in self.sources.items():
            ref_path = self.references.get(doc_id)
            source = paragraphs_from_text(self._text(path, self.settings.encoding, "zh"))
            if not source:
                self.warnings.append(f"{path}: empty document; nothing to translate")
            reference = None
            if ref_path is not None:
                reference = paragraphs_from_text(self._text(ref_path, self.settings.encoding, "en"))
                if not reference:
                    self.warnings.append(f"{ref_path}: empty reference; its source is translated but not scored")
            yield Document(
                id=doc_id,
                source=source,
                reference=reference,
                source_path=str(path),
                reference_path=str(ref_path) if ref_path else None,
            )

    def signature(self) -> str:
        return f"text|encoding:{self.settings.encoding}"
