"""Runs the stages in order and writes the run folder.

ingest -> segment -> translate -> align -> score -> export, then ``report.json``,
``report.html`` and ``manifest.json``. Every backend is built and the translation model located before any document
is read, so a bad config or a missing model stops the run before any work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import manifest
from pipeline.align.base import Aligner, align_document
from pipeline.config import Config
from pipeline.export.base import Exporter
from pipeline.export.report import build_report, run_links, write_reports
from pipeline.ingest.base import Reader
from pipeline.io import atomic_write_json
from pipeline.records import AlignedDocument, Document, ScoreResult
from pipeline.registry import ALIGNERS, EXPORTERS, READERS, SCORERS, SEGMENTERS, TRANSLATORS
from pipeline.score.base import Scorer
from pipeline.segment.base import Segmenter, segment_document
from pipeline.translate.base import Translator, translate_documents

log = logging.getLogger("pipeline")

#: The translation cache's file in ``<run folder>/cache/``: a rerun translates only what is missing.
TRANSLATION_CACHE = "translations.sqlite"


@dataclass
class Backends:
    """The chosen implementation of every stage, built from the config."""

    reader: Reader
    zh: Segmenter
    en: Segmenter
    translator: Translator
    aligner: Aligner
    scorer: Scorer
    exporters: dict[str, Exporter]

    def signatures(self) -> dict[str, str]:
        return {
            "ingest": self.reader.signature(),
            "segment.zh": self.zh.signature(),
            "segment.en": self.en.signature(),
            "translate": self.translator.signature(),
            "align": self.aligner.signature(),
            "score": self.scorer.signature(),
        }


def build_backends(config: Config) -> Backends:
    """Import and construct the backend each section names (heavy libraries load only here)."""
    return Backends(
        reader=READERS.load(config.ingest.name)(config.ingest),
        zh=SEGMENTERS.load(config.segment.zh.name)(config.segment.zh),
        en=SEGMENTERS.load(config.segment.en.name)(config.segment.en),
        translator=TRANSLATORS.load(config.translate.name)(config.translate),
        aligner=ALIGNERS.load(config.align.name)(config.align),
        scorer=SCORERS.load(config.score.name)(config.score),
        exporters={name: EXPORTERS.load(name)(config.export) for name in config.export.formats},
    )


@dataclass
class Timings:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 3)


@dataclass
class RunResult:
    run_dir: Path
    documents: list[AlignedDocument]
    scores: ScoreResult
    report: dict[str, Any]
    files: list[Path]


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
        backends.translator.load()
        backends.aligner.attach_translator(backends.translator)  # aligners may ask the model again
    run_dir = run_dir_for(config, config_path, output)
    run_dir.mkdir(parents=True, exist_ok=True)
    backends.translator.open_cache(run_dir / "cache" / TRANSLATION_CACHE)
    with timings.stage("ingest"):
        documents = list(backends.reader.read())
    log.info("ingest: %d documents", len(documents))
    aligned, scores = _process(documents, backends, timings)
    with timings.stage("export"):
        files = [p for exporter in backends.exporters.values() for p in exporter.export(aligned, scores, run_dir)]
    report = build_report(config.run_name(config_path), documents, aligned, scores, backends, timings.seconds)
    files.extend(write_reports(run_dir, report, run_links(aligned, scores)))
    record = manifest.build(config, config_path, backends, files, started, command)
    atomic_write_json(run_dir / "manifest.json", record)
    backends.translator.close()
    return RunResult(run_dir, aligned, scores, report, [*files, run_dir / "manifest.json"])


def _process(
    documents: Sequence[Document], backends: Backends, timings: Timings
) -> tuple[list[AlignedDocument], ScoreResult]:
    with timings.stage("segment"):
        segmented = [segment_document(doc, backends.zh, backends.en) for doc in documents]
    log.info("segment: %d source sentences", sum(len(d.sources) for d in segmented))
    with timings.stage("translate"):
        translated = translate_documents(segmented, backends.translator)
    with timings.stage("align"):
        aligned = [align_document(doc, backends.aligner) for doc in translated]
    log.info("align: %d links", sum(len(d.links) for d in aligned))
    with timings.stage("score"):
        scores = backends.scorer.score(aligned)
    return aligned, scores
