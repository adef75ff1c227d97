"""One pass over a run's links writes every output: each chosen format, and the report.

The run's documents come one at a time, from the stored shards (``pipeline apply``: from the run's
``aligned.tsv``). Each document's links become aligned-TSV rows (:class:`LinkRow`), are judged once by
the corpus filters (:class:`Selector`) and go to every format's sink. Formats that hold both origins of
pairs in one file (``export.pairs: both``) get them origin after origin, as a corpus in memory would
list them: pairs of the later origin wait in a temporary file in the run folder until the first origin
is done. So a run holds one document's links at a time, whatever its size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import ExportSection
from pipeline.export.base import Exporter, Sink, Verdict
from pipeline.export.corpus import ORIGINS, CorpusExporter, Selector
from pipeline.export.rows import LinkRow, Pair
from pipeline.export.tsv import document_fields
from pipeline.io import spill_file
from pipeline.records import AlignedDocument, Document, DocumentScores, MetricScore


class DocumentSink(Protocol):
    """What sees every document of a run beside the formats (the run report)."""

    def add(self, doc: Document, out: AlignedDocument, rows: Sequence[LinkRow], scores: Sequence[MetricScore]) -> None:
        """One document as read, aligned, its links' rows and its scores."""

    def discard(self) -> None:
        """Drop what was written (the run failed)."""


def document_rows(doc: AlignedDocument, chrf: Sequence[float | None], bleu: Sequence[float | None]) -> list[LinkRow]:
    """One document's links as ``aligned.tsv`` holds them (``chrf[i]``, ``bleu[i]``: link ``i``'s scores)."""
    return [LinkRow.from_fields(fields) for fields in document_fields(doc, chrf, bleu)]


def scored_rows(doc: AlignedDocument, scores: DocumentScores) -> list[LinkRow]:
    return document_rows(doc, scores.chrf, scores.bleu)


class ExportPass:
    """Every chosen format being written; :meth:`add` gives them one document's links."""

    def __init__(
        self, exporters: Sequence[Exporter], settings: ExportSection, run_dir: Path, selector: Selector | None = None
    ) -> None:
        self.sinks: list[Sink] = []
        self.later: dict[str, Any] = {}
        try:
            for exporter in exporters:
                self.sinks.append(exporter.open(run_dir, settings))
        except BaseException:
            self.discard()
            raise
        self.pair_sinks = [s for e, s in zip(exporters, self.sinks, strict=True) if isinstance(e, CorpusExporter)]
        if selector is None and any(e.judged for e in exporters):
            selector = Selector(settings)
        self.selector = selector  # ``pipeline apply`` brings one that knows the review's decisions
        origins = ORIGINS[settings.pairs]
        self.first = origins[0]
        if self.pair_sinks:
            self.later = {o: spill_file(run_dir) for o in origins[1:]}

    def add(self, rows: Sequence[LinkRow]) -> None:
        for row in rows:
            self.add_row(row)

    def add_row(self, row: LinkRow) -> Verdict:
        """Give one link to every format; the selector's verdict on it (empty without a selector)."""
        verdict = self.selector.judge(row) if self.selector is not None else {}
        for sink in self.sinks:
            sink.add_link(row, verdict)
        if not self.pair_sinks:
            return verdict
        for origin, pair in verdict.items():
            if not isinstance(pair, Pair):
                continue
            if origin == self.first:
                self._pair(pair)
            else:
                self.later[origin].write(json.dumps([pair.zh, pair.en, pair.status, pair.note, *row.fields]) + "\n")
        return verdict

    def _pair(self, pair: Pair) -> None:
        for sink in self.pair_sinks:
            sink.add_pair(pair)

    def summary(self) -> dict[str, Any] | None:
        """The ``export`` section of ``report.json``: filter counts, when a corpus format is written."""
        return self.selector.summary() if self.selector is not None and self.pair_sinks else None

    def close(self) -> list[Path]:
        """Hand the waiting pairs over, finish every format and put its files in place."""
        try:
            for origin, spill in self.later.items():
                spill.seek(0)
                for line in spill:
                    zh, en, status, note, *fields = json.loads(line)
                    self._pair(Pair(LinkRow.from_fields(fields), origin, zh, en, status, note))
                spill.close()
        except BaseException:
            self.discard()
            raise
        files: list[Path] = []
        pending = list(self.sinks)
        try:
            while pending:
                files.extend(pending[0].close())
                pending.pop(0)
        except BaseException:
            for sink in pending[1:]:
                sink.discard()
            raise
        return files

    def discard(self) -> None:
        for sink in self.sinks:
            sink.discard()
        for spill in self.later.values():
            spill.close()


@dataclass
class ExportResult:
    files: list[Path]
    #: the ``export`` section of ``report.json`` (None when no corpus format was written)
    summary: dict[str, Any] | None


def export_run(
    documents: Iterable[tuple[Document, AlignedDocument, DocumentScores]],
    exporters: Sequence[Exporter],
    settings: ExportSection,
    run_dir: Path,
    report: DocumentSink,
) -> ExportResult:
    """A run's formats, written while its documents stream past, each also given to the ``report``."""
    run = ExportPass(exporters, settings, run_dir)
    try:
        for doc, out, scores in documents:
            rows = scored_rows(out, scores)
            if out.notes.mismatched and run.selector is not None:
                run.selector.mismatched.add(out.id)
            run.add(rows)
            report.add(doc, out, rows, scores.scores)
    except BaseException:
        run.discard()
        report.discard()
        raise
    try:
        files = run.close()
    except BaseException:
        report.discard()
        raise
    return ExportResult(files, run.summary())
