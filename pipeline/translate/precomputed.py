"""Translations read from a file instead of a model (``translate.name: precomputed``).

The file is read once, before any document, into a table from source text to translation; each
source sentence the segmenter produces is then looked up by its exact text (white space around it
ignored). So a line of the file is used for a sentence when the line's source text *is* that
sentence: translations made one sentence a line fit the default segmenters, and translations made
one line (segment) at a time, as in WMT test sets, need ``segment.zh.name: zh-lines`` so that each
source line stays one sentence.

Translations made a paragraph (a document line) at a time are looked up by the paragraph's text
(white space ignored): each is split into English sentences (``en-rules``) and those are aligned to
the paragraph's Chinese sentences by a sibling of the run's aligner, from the dictionary and
lengths, so that each Chinese sentence gets the English sentences it was linked to as its
translation (where two Chinese sentences share English ones, the first gets them; the manifest
counts the documents translated each way). ``unit: auto`` decides per document; a document whose
sentences are not all in the file, nor all its paragraphs, stops the run with both counts: aligning
it would give nonsense.

The same source text translated differently in two places (``你好`` twice in a test set) gets the
first translation; the report says how many such sources there were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import PrecomputedSettings
from pipeline.errors import ConfigError, InputError, StageError
from pipeline.ingest.base import parse_json_object, read_lines, read_text_file
from pipeline.io import sha256_file
from pipeline.records import Paragraph, SegmentedDocument, Sentence, TranslatedDocument, Translation
from pipeline.translate.base import SentenceAligner, Translator, documents_with
from pipeline.translate.batching import token_batches

#: ``(source text, translation, where)``, ``where`` naming the file and line for messages.
Entry = tuple[str, str, str]
#: A file has no model to batch for: sentences are looked up this many at a time (longest first, as a
#: model's batches), and counted so in the run's statistics. Not a setting: ``batch_size`` is a model's.
LOOKUPS_PER_BATCH = 4096


def source_key(text: str) -> str:
    """The lookup key of a source text: the text without the white space around it."""
    return text.strip()


def compact(text: str) -> str:
    """The lookup key of a paragraph: its text without any white space (sentences are joined without it)."""
    return "".join(text.split())


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
    """Looks translations up in a file, so it has none of a model's engine settings: nothing is cut, cached,
    guarded or shown with a progress bar, and every sentence but a blank one is looked up, even ``2020`` or
    ``……`` (the file's translation is the system's output). The file is the cache."""

    can_translate_spans = False  # only the file's own lines have translations

    def __init__(self, settings: PrecomputedSettings) -> None:
        super().__init__()
        self.settings = settings
        self.table: dict[str, str] | None = None
        self.by_paragraph: dict[str, str] = {}  # the same, keyed without any white space
        self.conflicts = 0
        self.aligner: SentenceAligner | None = None
        self.units: Counter[str] = Counter()  # documents translated by sentence and by paragraph

    def attach_aligner(self, aligner: SentenceAligner) -> None:
        """Paragraph translations are aligned to their Chinese sentences by a fresh aligner of the run's kind
        and settings (its counts stay out of the run's alignment statistics)."""
        self.aligner = type(aligner)(aligner.settings)  # type: ignore[call-arg]

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
        self.by_paragraph = {compact(src): mt for src, mt in table.items()}
        if self.conflicts:
            self.stats.notes.append(
                f"{self.conflicts} source sentences occur again in {self.settings.path} with another translation; "
                f"each sentence got its first translation (first repeat at {first_conflict})"
            )

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Each text's translation from the file; one per input, in input order."""
        return self.each_once(texts, self._look_up)

    def _look_up(self, texts: list[str]) -> dict[str, Translation]:
        lengths = self.count_tokens(texts)
        done: dict[str, Translation] = {}
        for batch in token_batches(lengths, None, LOOKUPS_PER_BATCH):
            found = [texts[i] for i in batch]
            done.update((t, Translation(mt.strip())) for t, mt in zip(found, self.translate_batch(found), strict=True))
            self.stats.add_batch([lengths[i] for i in batch])
        return done

    def translate_batch(self, texts: list[str]) -> list[str]:
        """The file's translation of each text; an error naming the first that has none."""
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
            "translations are looked up by the exact text of each sentence as the segmenter splits it (for one line "
            "a segment, set segment.zh.name: zh-lines), or of each paragraph with translate.unit: paragraphs"
        )
        return f"translate: the source sentence {text!r} has no translation in {self.settings.path}; {hint}"

    def translate_documents(self, docs: Sequence[SegmentedDocument]) -> list[TranslatedDocument]:
        """Each document by sentence or by paragraph, whichever the file holds for it (``unit``)."""
        if self.table is None:
            self.load()
        out = []
        for doc in docs:
            unit = self._unit(doc)
            self.units[unit] += 1
            if unit == "sentences":
                out.append(self.translate([s.text for s in doc.sources]))
            else:
                out.append(self._from_paragraphs(doc))
        return documents_with(docs, out)

    def _unit(self, doc: SegmentedDocument) -> str:
        """``sentences`` or ``paragraphs``: what the file translates for every one in this document."""
        table = self.table or {}
        wanted = self.settings.unit
        sentences = sum(source_key(s.text) in table for s in doc.sources if s.text.strip())
        texts = _paragraphs(doc.sources)
        paragraphs = sum(compact(t) in self.by_paragraph for t in texts.values())
        every_sentence = sentences == sum(1 for s in doc.sources if s.text.strip())
        if wanted in ("auto", "sentences") and every_sentence:
            return "sentences"
        if wanted in ("auto", "paragraphs") and paragraphs == len(texts):
            return "paragraphs"
        raise InputError(
            f"translate: {self.settings.path} holds translations of {sentences} of the {len(doc.sources)} sentences "
            f"and {paragraphs} of the {len(texts)} paragraphs of document {doc.id!r}; its lines must translate every "
            "sentence as the segmenter splits it (for one line a segment, set segment.zh.name: zh-lines) or every "
            f"paragraph, one a line (translate.unit: paragraphs){'' if wanted == 'auto' else f'; unit is {wanted!r}'}"
        )

    def _from_paragraphs(self, doc: SegmentedDocument) -> list[Translation]:
        """Each paragraph's translation split into English sentences and aligned to its Chinese sentences."""
        if self.aligner is None:
            raise StageError("translate: paragraph translations need the run's aligner (attach_aligner)")
        from pipeline.segment.en_rules import EnglishRuleSegmenter

        splitter = EnglishRuleSegmenter()
        out: list[Translation] = []
        for paragraph, text in _paragraphs(doc.sources).items():
            sources = [s for s in doc.sources if s.paragraph == paragraph]
            english = self.by_paragraph[compact(text)]
            pieces = [s.text for s in splitter.sentences(doc.id, (Paragraph(0, english, 0),))]
            given = [""] * len(sources)
            for bead in self.aligner.align([s.text for s in sources], None, pieces):
                if bead.src:
                    given[bead.src[0]] = " ".join(pieces[j] for j in bead.ref)
            out.extend(Translation(t) for t in given)
        self.stats.sentences += len(out)
        return out

    def summary(self) -> str:
        units = ", ".join(f"{n} document{'s' * (n > 1)} by {unit[:-1]}" for unit, n in sorted(self.units.items()) if n)
        read = f"translate: {self.stats.sentences} sentences from {self.settings.path}"
        return f"{read} ({units})" if units else read

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
            "unit": s.unit,
            "documents_by_unit": dict(self.units),  # this run's work only: stored translations are not counted
        }


def _paragraphs(sentences: Sequence[Sentence]) -> dict[int, str]:
    """Each paragraph's text as its sentences give it (joined without a space), by paragraph index."""
    texts: dict[int, str] = {}
    for s in sentences:
        texts[s.paragraph] = texts.get(s.paragraph, "") + s.text
    return texts
