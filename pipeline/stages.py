"""The per-shard stages and their keys: the one piece of stage code every executor runs.

A run reads its documents into **shards** (consecutive documents, a bounded number of documents and
characters each) and stores each shard's documents under a key made of their content. Each shard then
goes through segment -> translate -> align; each stage's result is stored under a key made of the
previous stage's key and the stage's own signature (its settings and, for translation, the model's
exact version). A later run with the same inputs and settings finds every key and does no work; a
changed setting changes the keys of its stage and of every stage after it, and only those run again.

The local executor calls :func:`process_shard` shard after shard in this process; the Ray executor
calls the same function in its actors, so both produce the same stored results.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pipeline.align.base import Aligner, align_document
from pipeline.records import AlignedDocument, Document, SegmentedDocument, TranslatedDocument
from pipeline.segment.base import Segmenter, segment_document
from pipeline.serialize import dumps
from pipeline.store import StageStore, stage_key
from pipeline.translate.base import Translator, translate_documents

T = TypeVar("T")

#: The stages that run shard by shard, in order.
SHARD_STAGES = ("segment", "translate", "align")
#: What the aligner counted on a shard (documents, retranslated spans...), stored beside the alignment.
ALIGN_COUNTS = "align-counts"


@dataclass(frozen=True, slots=True)
class Shard:
    """Consecutive documents of the run, stored under ``ingest/<key>``."""

    index: int
    key: str
    documents: int
    characters: int


@dataclass(frozen=True, slots=True)
class ShardResult:
    """Where a shard's stage results are stored, which were already there, the seconds spent, and
    what the aligner counted on this shard (stored with the alignment, so a rerun reports the same)."""

    index: int
    keys: dict[str, str]
    reused: tuple[str, ...]
    seconds: dict[str, float] = field(default_factory=dict)
    align_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ShardStages:
    """The backends of the per-shard stages (built once per process or per Ray actor)."""

    zh: Segmenter
    en: Segmenter
    translator: Translator
    aligner: Aligner

    def keys(self, ingest_key: str) -> dict[str, str]:
        """Each stage's key: the previous stage's key plus this stage's signature."""
        keys = {"ingest": ingest_key}
        keys["segment"] = stage_key("segment", keys["ingest"], self.zh.signature(), self.en.signature())
        keys["translate"] = stage_key("translate", keys["segment"], self.translator.signature())
        keys["align"] = stage_key("align", keys["translate"], self.aligner.signature())
        return keys


def _characters(doc: Document) -> int:
    return sum(len(p.text) for p in doc.source) + sum(len(p.text) for p in doc.reference or ())


def write_shards(
    documents: Iterable[Document], store: StageStore, max_documents: int, max_characters: int
) -> list[Shard]:
    """Group documents into shards and store each under the hash of its content.

    Documents are read one at a time and only one shard is held in memory. A shard that is already
    stored (same content, from an earlier run) is not written again.
    """
    shards: list[Shard] = []
    buffer: list[Document] = []
    characters = 0

    def flush() -> None:
        nonlocal buffer, characters
        if buffer:
            lines = "".join(dumps(doc) + "\n" for doc in buffer)
            key = hashlib.sha256(lines.encode("utf-8")).hexdigest()[:32]
            if not store.has("ingest", key):
                store.write_text("ingest", key, lines)
            shards.append(Shard(len(shards), key, len(buffer), characters))
        buffer, characters = [], 0

    for doc in documents:
        buffer.append(doc)
        characters += _characters(doc)
        if len(buffer) >= max_documents or characters >= max_characters:
            flush()
    flush()
    return shards


def process_shard(shard: Shard, stages: ShardStages, store: StageStore) -> ShardResult:
    """Run segment -> translate -> align on one shard, skipping every stage whose result is stored."""
    keys = stages.keys(shard.key)
    reused = tuple(stage for stage in SHARD_STAGES if store.has(stage, keys[stage]))
    seconds: dict[str, float] = {}
    if "align" in reused and store.has(ALIGN_COUNTS, keys["align"]):
        counts = next(store.read(ALIGN_COUNTS, keys["align"], dict))
        return ShardResult(shard.index, keys, reused, seconds, counts)
    segmented = _segmented(shard, stages, store, keys, seconds)
    translated = _translated(segmented, stages, store, keys, seconds)
    started = time.perf_counter()
    before = stages.aligner.run_counts()
    aligned = [align_document(doc, stages.aligner) for doc in translated]
    after = stages.aligner.run_counts()
    counts = {name: value - before.get(name, 0) for name, value in after.items()}
    store.write(ALIGN_COUNTS, keys["align"], [counts])  # first: the alignment's existence marks both done
    store.write("align", keys["align"], aligned)
    seconds["align"] = time.perf_counter() - started
    return ShardResult(shard.index, keys, tuple(s for s in reused if s != "align"), seconds, counts)


def _segmented(
    shard: Shard, stages: ShardStages, store: StageStore, keys: dict[str, str], seconds: dict[str, float]
) -> list[SegmentedDocument]:
    if store.has("segment", keys["segment"]):
        return list(store.read("segment", keys["segment"], SegmentedDocument))
    started = time.perf_counter()
    documents = store.read("ingest", shard.key, Document)
    segmented = [segment_document(doc, stages.zh, stages.en) for doc in documents]
    store.write("segment", keys["segment"], segmented)
    seconds["segment"] = time.perf_counter() - started
    return segmented


def _translated(
    segmented: Sequence[SegmentedDocument],
    stages: ShardStages,
    store: StageStore,
    keys: dict[str, str],
    seconds: dict[str, float],
) -> list[TranslatedDocument]:
    if store.has("translate", keys["translate"]):
        return list(store.read("translate", keys["translate"], TranslatedDocument))
    started = time.perf_counter()
    translated = translate_documents(segmented, stages.translator)
    store.write("translate", keys["translate"], translated)
    seconds["translate"] = time.perf_counter() - started
    return translated


class StoredDocuments(Generic[T]):
    """The records of one stage over all shards, read from the store each time it is iterated.

    Consumers (scoring, exporters, the report) iterate it like a list, but only one shard is in
    memory at a time.
    """

    def __init__(self, store: StageStore, stage: str, keys: Sequence[str], kind: type[T], count: int) -> None:
        self.store, self.stage, self.keys, self.kind, self.count = store, stage, list(keys), kind, count

    def __iter__(self) -> Iterator[T]:
        for key in self.keys:
            yield from self.store.read(self.stage, key, self.kind)

    def __len__(self) -> int:
        return self.count


def aligned_documents(
    store: StageStore, results: Sequence[ShardResult], count: int
) -> StoredDocuments[AlignedDocument]:
    return StoredDocuments(store, "align", [r.keys["align"] for r in results], AlignedDocument, count)


def ingested_documents(store: StageStore, shards: Sequence[Shard]) -> StoredDocuments[Document]:
    return StoredDocuments(store, "ingest", [s.key for s in shards], Document, sum(s.documents for s in shards))
