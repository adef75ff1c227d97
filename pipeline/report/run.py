"""A run's report, built while the export pass streams the run's documents past (:mod:`pipeline.export.stream`).

Besides the links it counts what the translations show and collects the warnings a reader needs: the
backends', the translator's (sentences translated in clauses, loops) and each document's (no reference,
a reference that does not translate it, a machine translation the aligner found meaningless).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection
from pipeline.export.digests import DigestSet
from pipeline.export.rows import LinkRow
from pipeline.records import AlignedDocument, CorpusScores, Document, MetricScore
from pipeline.report.builder import ReportBuilder, RunFacts
from pipeline.report.page import ReportPage
from pipeline.translate.flags import CLAUSE_SPLIT, PASSTHROUGH, REPETITION, RETRIED, UNRESOLVED, WINDOWED


def _translation_notes(flags: Mapping[str, int]) -> list[str]:
    """What the translator had to do that a reader of the TSV should know about (see the ``flags`` column)."""
    notes = []
    if flags.get(CLAUSE_SPLIT) or flags.get(WINDOWED):
        notes.append(
            f"{flags.get(CLAUSE_SPLIT, 0)} sentences longer than the model's input limit were translated in clauses "
            f"and {flags.get(WINDOWED, 0)} in windows (flags {CLAUSE_SPLIT}, {WINDOWED}); none was truncated"
        )
    if flags.get(REPETITION):
        notes.append(
            f"{flags[REPETITION]} translations looked like loops (flag {REPETITION}); {flags.get(RETRIED, 0)} were "
            f"translated again, {flags.get(UNRESOLVED, 0)} of them still implausible (flag {UNRESOLVED})"
        )
    return notes


class TranslationCounts:
    """What the translations show, counted from the documents themselves, so that a run that reused
    stored translations reports the same as the run that made them (speed and cache use: manifest.json).
    Repeated sentences are recognised by digest (:class:`DigestSet`, 16 bytes per distinct sentence)."""

    def __init__(self) -> None:
        self.sentences = self.empty = self.passthrough = self.duplicates = 0
        self.flags: Counter[str] = Counter()
        self._seen = DigestSet()

    def add(self, doc: AlignedDocument) -> None:
        for sentence, translation in zip(doc.sources, doc.translations, strict=True):
            self.sentences += 1
            self.empty += not sentence.text.strip()
            self.passthrough += PASSTHROUGH in translation.flags
            self.flags.update(translation.flags)
            new = self._seen.add(sentence.text)
            if sentence.text.strip() and not new:
                self.duplicates += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "empty": self.empty,
            "passthrough": self.passthrough,
            "duplicates": self.duplicates,
            "retried": self.flags.get(RETRIED, 0),
            "flags": dict(sorted(self.flags.items())),
        }


def document_facts(doc: Document, out: AlignedDocument) -> dict[str, Any]:
    """A document's row of the report, before the report adds what it computes from the links."""
    return {
        "id": doc.id,
        "source": doc.source_path,
        "reference": doc.reference_path,
        "has_reference": doc.reference is not None,
        "paragraphs": {"zh": len(doc.source), "en": len(doc.reference or ())},
        "sentences": {"zh": len(out.sources), "en": len(out.references or ())},
        "links": len(out.links),
        "alignment": out.notes.as_dict(),
    }


class RunReport:
    """A run's report, built while the export pass streams the run's documents past."""

    def __init__(self, run_name: str, run_dir: Path, settings: ExportSection) -> None:
        review = settings.review_max_links if "review" in settings.formats else None
        self.builder = ReportBuilder(settings.report_max_links, ReportPage(settings.report_max_links, run_dir), review)
        self.run_name, self.run_dir = run_name, run_dir
        self.translations = TranslationCounts()
        self.document_warnings: list[str] = []
        self.skip_mismatched = settings.skip_mismatched_documents

    def add(self, doc: Document, out: AlignedDocument, rows: Sequence[LinkRow], scores: Sequence[MetricScore]) -> None:
        self.translations.add(out)
        if doc.reference is None:
            self.document_warnings.append(f"{doc.source_path}: no reference; translated and exported, not scored")
        if out.notes.mismatched:
            kept_out = (
                "kept out of the corpus (export.skip_mismatched_documents)"
                if self.skip_mismatched
                else ("still in the corpus: export.skip_mismatched_documents is off")
            )
            self.document_warnings.append(
                f"document {doc.id}: its reference does not look like a translation of it (its words find their "
                f"dictionary matches in the reference no more often than by chance; rate "
                f"{out.notes.text_match_rate:.2f}): its links' confidences are near 0, and its pairs are {kept_out}"
            )
        if out.notes.bridge_meaningless:
            self.document_warnings.append(
                f"document {doc.id}: its machine translation looks meaningless to the aligner (its words find their "
                f"matches in the reference no more often than by chance; trust {out.notes.bridge_trust:.2f}): "
                "aligned by the dictionary, lengths and structure alone"
            )
        self.builder.add_document(document_facts(doc, out), [*rows], scores)

    def finish(
        self,
        scores: CorpusScores,
        *,
        export: dict[str, Any] | None,
        notes: Sequence[str],
        signatures: Mapping[str, str],
        alignment: dict[str, Any] | None,
    ) -> tuple[dict[str, Any], list[Path]]:
        """The report and the paths of its two files. ``export``: the filter counts (None without a corpus
        format); ``notes``: the backends' warnings; ``signatures``: every backend's; ``alignment``: what the
        aligner used and counted. Timings and speed are in manifest.json, not here: the report holds only
        what the inputs and settings determine, so reruns give identical files."""
        translation = self.translations.as_dict()
        warnings = [*notes, *_translation_notes(translation["flags"]), *self.document_warnings]
        facts = RunFacts(
            run=self.run_name,
            documents=[],
            warnings=warnings,
            translation=translation,
            signatures=dict(signatures),
            export=export,
            alignment=alignment,
        )
        report = self.builder.report(facts, scores)
        return report, self.builder.write(self.run_dir, report)

    def discard(self) -> None:
        self.builder.discard()
