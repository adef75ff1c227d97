"""Runs the stages in order and writes the run folder.

prepare -> ingest (into shards) -> segment -> translate -> align (per shard, by the executor) ->
score (per shard, then summed) -> export (+ ``report.json``, ``report.html``) -> ``manifest.json``.

After alignment the run holds one document at a time: each shard is scored on its own (stored in
``stages/shard-scores/``), the corpus scores are summed from the shards' statistics, and one pass
over the stored shards writes every output file (:mod:`pipeline.export.stream`).

Every backend is built and the translation model located before any document is read, so a bad
config or a missing model stops the run before any work. Every stage result is stored in the run
folder (``stages/``) under a key made of its inputs' hashes and its own settings
(:mod:`pipeline.stages`), so a rerun does only the work whose inputs or settings changed, and a
run killed halfway resumes where it stopped: finished shards are kept whole, and translations
finished inside an unfinished shard are in the translation cache (``cache/``).

Outputs are deterministic: the same inputs and config give byte-identical files. What differs from
one run to the next (timestamps, timings, what was reused, translation speed) is recorded only in
``manifest.json``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import manifest
from pipeline.backends import Backends, build_backends, ready
from pipeline.config import Config
from pipeline.export.stream import export_run
from pipeline.io import atomic_write_json, sha256_file
from pipeline.records import AlignedDocument, CorpusScores, Document, DocumentScores
from pipeline.report.run import RunReport
from pipeline.score.base import DocumentLinks, Scorer, document_links
from pipeline.stages import (
    ALIGN_COUNTS,
    Shard,
    ShardResult,
    StoredDocuments,
    aligned_documents,
    ingested_documents,
    write_shards,
)
from pipeline.store import StageStore, stage_key
from pipeline.version import __version__

log = logging.getLogger("pipeline")

#: The translation cache's file in ``<run folder>/cache/``: a rerun translates only what is missing.
TRANSLATION_CACHE = "translations.sqlite"
#: Stage results inside the run folder.
STAGES = "stages"
#: Each shard's scores (sentence scores, document scores, metric statistics), beside its alignment.
SHARD_SCORES = "shard-scores"


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 3)


@dataclass
class RunResult:
    run_dir: Path
    documents: StoredDocuments[AlignedDocument]
    scores: CorpusScores
    report: dict[str, Any]
    files: list[Path]
    reused: dict[str, int]


def run_dir_for(config: Config, config_path: Path | None, output: Path | None) -> Path:
    """``--output DIR`` is the run folder itself; otherwise ``run.output_dir/<run name>``."""
    if output is not None:
        return output
    return config.run.output_dir / config.run_name(config_path)


def run(
    config: Config,
    config_path: Path | None = None,
    output: Path | None = None,
    command: Sequence[str] = (),
) -> RunResult:
    """Run every stage and write the run folder; returns what was written."""
    started = manifest.now()
    timings = Timings()
    with timings.stage("prepare"):
        backends = build_backends(config)
        ready(backends.shard_stages())
    run_dir = run_dir_for(config, config_path, output)
    run_dir.mkdir(parents=True, exist_ok=True)
    backends.translator.open_cache(run_dir / "cache" / TRANSLATION_CACHE)
    store = StageStore(run_dir / STAGES)
    try:
        return _run(config, config_path, command, backends, run_dir, store, timings, started)
    finally:
        backends.translator.close()
        backends.executor.close()


def _run(
    config: Config,
    config_path: Path | None,
    command: Sequence[str],
    backends: Backends,
    run_dir: Path,
    store: StageStore,
    timings: Timings,
    started: str,
) -> RunResult:
    with timings.stage("ingest"):
        shards = write_shards(backends.reader.read(), store, config.run.shard_documents, config.run.shard_characters)
    documents = ingested_documents(store, shards)
    log.info("ingest: %d documents in %d shards", len(documents), len(shards))
    results = backends.executor.process(shards, backends.shard_stages(), store)
    if backends.translator.stats.sentences:  # nothing when every shard's translations were reused
        log.info(backends.translator.summary())
    for result in results:
        for stage, seconds in result.seconds.items():
            timings.add(stage, seconds)
    aligned = aligned_documents(store, results, len(documents))
    with timings.stage("score"):
        scores, score_key, score_reused, score_keys = _score(
            backends.scorer, results, store, len(documents), backends.translator.translates
        )
    run_name = config.run_name(config_path)
    export_key = _export_key(config, run_name, score_key, backends)
    align_counts = _sum_counts(r.align_counts for r in results)
    with timings.stage("export"):
        scored = _scored_documents(store, shards, results, score_keys)
        files, report, export_reused = _export(
            run_name, config, scored, scores, backends, run_dir, store, export_key, align_counts
        )
    reused = _reused(shards, results, score_reused, export_reused)
    record = manifest.build(
        config,
        config_path,
        files,
        started,
        command,
        model=backends.translator.describe(),
        signatures=backends.signatures(),
        inputs=backends.reader.input_files(),
    )
    record["alignment"] = manifest.alignment(report)
    record["run"] = _run_record(shards, results, score_key, export_key, reused, timings, backends)
    atomic_write_json(run_dir / "manifest.json", record)
    _prune(store, shards, results, score_keys, score_key, export_key)
    return RunResult(run_dir, aligned, scores, report, [*files, run_dir / "manifest.json"], reused)


def _export_key(config: Config, run_name: str, score_key: str, backends: Backends) -> str:
    """The export's stage key: the scores, the package version, the run's name, the export settings, the
    reader's warnings (they reach the report) and what else changes a format's files (``SOURCE_DATE_EPOCH``)."""
    environment = [e.environment() for e in backends.exporters.values() if e.environment()]
    key = stage_key(
        "export", score_key, __version__, run_name, config.export.model_dump(mode="json"), backends.reader.warnings
    )
    return stage_key(key, *environment) if environment else key


def _score(
    scorer: Scorer, results: Sequence[ShardResult], store: StageStore, documents: int, translated: bool
) -> tuple[CorpusScores, str, bool, list[str]]:
    """Score each shard (stored beside its alignment), then sum the shards' statistics into the corpus
    scores, one document at a time; a stored result with the same key is read instead. Without
    translations (``translate: none``) no link is scorable."""
    shard_keys = [_score_shard(scorer, r, store, translated) for r in results]
    key = stage_key("score", "corpus", shard_keys)
    if store.has("score", key):
        return next(store.read("score", key, CorpusScores)), key, True, shard_keys
    scores = scorer.aggregate(StoredDocuments(store, SHARD_SCORES, shard_keys, DocumentScores, documents))
    store.write("score", key, [scores])
    return scores, key, False, shard_keys


def _score_shard(scorer: Scorer, result: ShardResult, store: StageStore, translated: bool) -> str:
    """Score one shard's documents unless their scores are stored; returns their key."""
    key = stage_key(SHARD_SCORES, result.keys["align"], scorer.signature())
    if not store.has(SHARD_SCORES, key):
        documents = [document_links(doc) for doc in store.read("align", result.keys["align"], AlignedDocument)]
        if not translated:
            documents = [DocumentLinks(d.id, d.links, ()) for d in documents]
        store.write(SHARD_SCORES, key, scorer.score_documents(documents))
    return key


def _scored_documents(
    store: StageStore, shards: Sequence[Shard], results: Sequence[ShardResult], score_keys: Sequence[str]
) -> Iterator[tuple[Document, AlignedDocument, DocumentScores]]:
    """Each document as read, aligned and scored, shard by shard: one shard is read at a time."""
    for shard, result, key in zip(shards, results, score_keys, strict=True):
        yield from zip(
            store.read("ingest", shard.key, Document),
            store.read("align", result.keys["align"], AlignedDocument),
            store.read(SHARD_SCORES, key, DocumentScores),
            strict=True,
        )


def _export(
    run_name: str,
    config: Config,
    documents: Iterable[tuple[Document, AlignedDocument, DocumentScores]],
    scores: CorpusScores,
    backends: Backends,
    run_dir: Path,
    store: StageStore,
    key: str,
    align_counts: dict[str, int],
) -> tuple[list[Path], dict[str, Any], bool]:
    """Write the output files and the report, unless the same files (by hash) were written for this key."""
    marker = store.root / "export" / f"{key}.json"
    done = _finished_export(marker, run_dir)
    if done is not None:
        files, report = done
        return files, report, True
    run_report = RunReport(run_name, run_dir, config.export)
    exported = export_run(documents, list(backends.exporters.values()), config.export, run_dir, run_report)
    report, report_files = run_report.finish(
        scores,
        export=exported.summary,
        notes=backends.notes(),
        signatures=backends.signatures(),
        alignment=backends.aligner.describe(align_counts),
    )
    files = [*exported.files, *report_files]
    record = {"files": {p.name: sha256_file(p) for p in files}}
    atomic_write_json(marker, record)
    return files, report, False


def _finished_export(marker: Path, run_dir: Path) -> tuple[list[Path], dict[str, Any]] | None:
    """The files of an earlier identical export, if every one is still there unchanged."""
    if not marker.is_file():
        return None
    written: dict[str, str] = json.loads(marker.read_text(encoding="utf-8"))["files"]
    files = [run_dir / name for name in written]
    if not all(p.is_file() and sha256_file(p) == digest for p, digest in zip(files, written.values(), strict=True)):
        return None
    report = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    return files, report


def _sum_counts(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in counts:
        for name, value in part.items():
            total[name] = total.get(name, 0) + value
    return total


def _reused(shards: Sequence[Shard], results: Sequence[ShardResult], score: bool, export: bool) -> dict[str, int]:
    """How many shards found each stage's result stored (score and export: 1 or 0)."""
    counts = {stage: sum(1 for r in results if stage in r.reused) for stage in ("segment", "translate", "align")}
    return {"shards": len(shards), **counts, "score": int(score), "export": int(export)}


def _run_record(
    shards: Sequence[Shard],
    results: Sequence[ShardResult],
    score_key: str,
    export_key: str,
    reused: dict[str, int],
    timings: Timings,
    backends: Backends,
) -> dict[str, Any]:
    """What this run did: stage keys, what it reused, timings and translation speed (manifest only)."""
    stats = backends.translator.stats
    return {
        "executor": backends.executor.signature(),
        "reused": reused,
        "timings_seconds": dict(timings.seconds),
        "translation": {
            "sentences": stats.sentences,
            "segments_translated": stats.segments,
            "cache_hits": stats.cache_hits,
            "batches": stats.batches,
            "source_tokens": stats.source_tokens,
            "seconds": round(stats.seconds, 3),
            "sentences_per_second": round(stats.sentences_per_second, 2),
        },
        "shards": [
            {"index": s.index, "documents": s.documents, "characters": s.characters, "keys": r.keys}
            for s, r in zip(shards, results, strict=True)
        ],
        "score_key": score_key,
        "export_key": export_key,
    }


def _prune(
    store: StageStore,
    shards: Sequence[Shard],
    results: Sequence[ShardResult],
    score_keys: Sequence[str],
    score_key: str,
    export_key: str,
) -> None:
    """Remove stage results this run no longer points to, so the run folder does not grow with every change."""
    keep: dict[str, set[str]] = {"ingest": {s.key for s in shards}, "score": {score_key}}
    keep[SHARD_SCORES] = set(score_keys)
    for stage in ("segment", "translate", "align"):
        keep[stage] = {r.keys[stage] for r in results}
    keep[ALIGN_COUNTS] = keep["align"]
    for stage, keys in keep.items():
        store.prune(stage, keys)
    for marker in (store.root / "export").glob("*.json"):
        if marker.stem != export_key:
            marker.unlink()
