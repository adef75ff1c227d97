"""``report.json`` and ``report.html``: scores with signatures and intervals, counts, flagged links, timings.

A report is assembled from two things: the links (one per aligned-TSV row, :class:`LinkRow`)
and the facts only the run knew (warnings, translation statistics, timings, input files:
:class:`RunFacts`). The links stream past one document at a time (:class:`ReportBuilder`): counts,
document rows and the page's sections accumulate as they come, and only what the report shows is
kept (at most ``export.report_max_links`` flagged links and listed links; what is left out is
counted in ``report.json``'s ``left_out``). So a run of any size is reported in bounded memory,
apart from one row per document.

A finished run can be reported again (``pipeline report RUN_DIR``, :func:`regenerate`) from what its
folder keeps: ``aligned.tsv`` (links, texts, flags; scores are computed again from the texts),
``manifest.json`` (the score and export settings) and, for the run facts, the previous
``report.json``. Rebuilding an untouched run gives the same files.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import ExportSection
from pipeline.errors import ConfigError, InputError
from pipeline.export.digests import DigestSet
from pipeline.export.rows import LinkRow
from pipeline.export.tsv import read_link_rows
from pipeline.io import AtomicFile
from pipeline.records import AlignedDocument, CorpusScores, Document, MetricScore, ScoreResult
from pipeline.score.base import DocumentLinks, Scorer
from pipeline.score.metrics import score_json
from pipeline.translate.flags import CLAUSE_SPLIT, PASSTHROUGH, REPETITION, RETRIED, UNRESOLVED, WINDOWED

if TYPE_CHECKING:
    from pipeline.export.html_report import ReportPage

#: Most links drawn in report.html's length scatter (a sample chosen by a hash of the link id beyond that):
#: more points show nothing more, and make the page larger.
SCATTER_POINTS = 20_000
#: Links scored together when ``pipeline report`` scores a run again.
_SCORE_BATCH = 2_000


@dataclass
class RunFacts:
    """What only the run knew; ``documents`` rows hold ids, input files and sentence counts."""

    run: str
    documents: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    translation: dict[str, Any] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: corpus pairs and export filter counts (None when the run writes no corpus format)
    export: dict[str, Any] | None = None
    #: which signals the aligner used (its ``describe()``)
    alignment: dict[str, Any] | None = None


# ---------------------------------------------------------------------------------------------
# links


def document_links(doc_id: str, links: Sequence[LinkRow]) -> DocumentLinks:
    """A document's links as a scorer sees them (links with both sides, texts as the TSV holds them)."""
    pairs = tuple((i, lk.mt, lk.en) for i, lk in enumerate(links) if lk.src_ids and lk.ref_ids)
    return DocumentLinks(doc_id, len(links), pairs)


# ---------------------------------------------------------------------------------------------
# the report


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


class ReportBuilder:
    """The report of links given one document at a time, in the order of the run.

    Holds one row per document, counts, at most ``max_links`` flagged links (``report.json``'s
    ``flagged``) and, when given a ``page``, builds ``report.html`` alongside (:class:`ReportPage`).
    ``review_max_links`` is the run's review page limit, when it writes one, so the report can say how
    many links that page leaves out.
    """

    def __init__(self, max_links: int, page: ReportPage | None = None, review_max_links: int | None = None) -> None:
        self.max_links = max_links
        self.page = page
        self.review_max_links = review_max_links
        self.documents: list[dict[str, Any]] = []
        self.links = self.flagged_links = self.scatter_candidates = 0
        self.link_types: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.flagged: list[dict[str, Any]] = []
        self.document_signatures: dict[str, str] | None = None

    def add_document(self, row: Mapping[str, Any], links: Sequence[LinkRow], scores: Sequence[MetricScore]) -> None:
        """``row``: the document's facts (id, files, sentence counts...); ``links``: all its links, in order."""
        confidences = [lk.align_score for lk in links if lk.align_score is not None]
        doc = dict(row)
        doc.update(
            {
                "scored_links": sum(1 for lk in links if lk.src_ids and lk.ref_ids),
                "flagged_links": sum(1 for lk in links if lk.flags),
                "mean_align_score": _mean(confidences),
                "scores": {m.name: m.score for m in scores},
            }
        )
        self.documents.append(doc)
        self.links += len(links)
        if row.get("has_reference"):
            self.link_types.update(lk.link_type for lk in links)
        for lk in links:
            if lk.flags:
                if self.flagged_links < self.max_links:
                    self.flagged.append({"doc_id": lk.doc_id, "link_id": lk.link_id, "flags": list(lk.flags)})
                self.flagged_links += 1
                self.flags.update(lk.flags)
            if lk.zh and lk.en and lk.align_score is not None:
                self.scatter_candidates += 1
        if self.document_signatures is None and scores:
            self.document_signatures = {m.name: m.signature for m in scores}
        if self.page is not None:
            self.page.add_document(doc["id"], doc["scores"], links)

    def left_out(self) -> dict[str, Any]:
        """What the report and the pages do not show, by count; empty when they show everything."""
        counts = {
            "flagged": self.flagged_links - self.max_links,
            "document_links": self.links - self.max_links,
            "scatter_points": self.scatter_candidates - SCATTER_POINTS,
        }
        if self.review_max_links is not None:
            counts["review_links"] = self.links - self.review_max_links
        shown = {name: n for name, n in counts.items() if n > 0}
        if not shown:
            return {}
        limits: dict[str, Any] = {"report_max_links": self.max_links, "scatter_points": SCATTER_POINTS}
        if self.review_max_links is not None:
            limits["review_max_links"] = self.review_max_links
        return {"every_link": "aligned.tsv", "limits": limits, **shown}

    def report(self, facts: RunFacts, scores: CorpusScores | ScoreResult) -> dict[str, Any]:
        """The report as a JSON-ready dict; its documents are the rows given here, the rest comes from ``facts``."""
        docs = self.documents
        left_out = self.left_out()
        return {
            "run": facts.run,
            "warnings": list(facts.warnings),
            "scores": [score_json(m) for m in scores.corpus],
            "counts": {
                "documents": len(docs),
                "documents_with_reference": sum(1 for d in docs if d.get("has_reference")),
                "sentences": {
                    "zh": sum(d["sentences"]["zh"] for d in docs),
                    "en": sum(d["sentences"]["en"] for d in docs),
                },
                "links": self.links,
                "link_types": dict(sorted(self.link_types.items(), key=lambda kv: (-kv[1], kv[0]))),
                "scored_links": scores.scored_links,
                "unscored_links": scores.skipped_links,
                "flagged_links": self.flagged_links,
                "flags": dict(self.flags.most_common()),
            },
            "flagged": self.flagged,
            **({"left_out": left_out} if left_out else {}),
            "translation": dict(facts.translation),
            "export": facts.export,
            "alignment": facts.alignment,
            "signatures": dict(facts.signatures),
            "document_score_signatures": dict(self.document_signatures or {}),
            "documents": docs,
            **({"timings_seconds": dict(facts.timings)} if facts.timings else {}),
        }

    def write(self, run_dir: Path, report: Mapping[str, Any]) -> list[Path]:
        """Write ``report.json`` and (from the page) ``report.html``, atomically; returns their paths."""
        if self.page is None:
            raise ValueError("this builder has no page to write")
        paths = [run_dir / "report.json", run_dir / "report.html"]
        _write_json(paths[0], report)
        page = AtomicFile(paths[1])
        try:
            self.page.write(page.handle, report)
        except BaseException:
            page.discard()
            raise
        finally:
            self.page.close()
        page.commit()
        return paths

    def discard(self) -> None:
        if self.page is not None:
            self.page.close()


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """As :func:`atomic_write_json` writes it, piece by piece (a report's JSON text is never whole in memory)."""
    file = AtomicFile(path)
    try:
        json.dump(data, file.handle, ensure_ascii=False, indent=2, sort_keys=False)
        file.write("\n")
    except BaseException:
        file.discard()
        raise
    file.commit()


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


# ---------------------------------------------------------------------------------------------
# from a run


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
        from pipeline.export.html_report import ReportPage

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


# ---------------------------------------------------------------------------------------------
# from a finished run's folder


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def _section(path: Path, manifest: Mapping[str, Any], name: str, kind: Any) -> Any:
    """One section of the manifest's config, validated."""
    from pydantic import TypeAdapter, ValidationError

    section = (manifest.get("config") or {}).get(name, {})
    try:
        return TypeAdapter(kind).validate_python(section)
    except ValidationError as exc:
        raise ConfigError([f"config -> {name}: {e['msg']}" for e in exc.errors()], str(path)) from None


def _scorer_from_manifest(path: Path, manifest: Mapping[str, Any]) -> Scorer:
    from pipeline.config import ScoreSection
    from pipeline.registry import SCORERS

    settings = _section(path, manifest, "score", ScoreSection)
    return SCORERS.load(settings.name)(settings)


def _derived_facts(name: str, links: Iterable[LinkRow]) -> RunFacts:
    """Facts the links themselves show, for a run folder without its report.json."""
    rows: dict[str, dict[str, Any]] = {}
    for lk in links:
        row = rows.setdefault(lk.doc_id, {"id": lk.doc_id, "has_reference": False, "zh": set(), "en": set(), "n": 0})
        row["has_reference"] |= lk.align_score is not None or bool(lk.ref_ids)
        row["zh"].update(lk.src_ids)
        row["en"].update(lk.ref_ids)
        row["n"] += 1
    documents = [
        {
            "id": r["id"],
            "has_reference": r["has_reference"],
            "sentences": {"zh": len(r["zh"]), "en": len(r["en"])},
            "links": r["n"],
        }
        for r in rows.values()
    ]
    note = "report.json was missing: the run's warnings, translation statistics and timings are unknown"
    return RunFacts(run=name, documents=documents, warnings=[note])


def _document_facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """A document row of an old report without what the report computes (older reports lack ``has_reference``)."""
    facts = {k: v for k, v in row.items() if k not in ("scored_links", "flagged_links", "mean_align_score", "scores")}
    facts.setdefault("has_reference", row.get("reference") is not None)
    return facts


def _facts_from_report(old: Mapping[str, Any]) -> RunFacts:
    return RunFacts(
        run=str(old.get("run", "")),
        documents=[_document_facts(d) for d in old.get("documents", [])],
        warnings=list(old.get("warnings", [])),
        translation=dict(old.get("translation", {})),
        signatures=dict(old.get("signatures", {})),
        timings=dict(old.get("timings_seconds", {})),
        export=old.get("export"),
        alignment=old.get("alignment"),
    )


def _documents_with_links(
    facts: RunFacts, links: Iterable[LinkRow], tsv: Path, report_path: Path
) -> Iterator[tuple[dict[str, Any], list[LinkRow]]]:
    """Each document of ``facts`` with its links, read from the TSV in one pass: the TSV lists the
    documents' links in the report's order (documents without links have no row)."""
    rows = facts.documents
    known = {d["id"] for d in rows}
    position = 0
    current: list[LinkRow] = []
    for lk in links:
        if current and lk.doc_id == current[0].doc_id:
            current.append(lk)
            continue
        if current:
            position = yield from _up_to(rows, position, current)
        if lk.doc_id not in known:
            raise InputError(f"{tsv}: document {lk.doc_id!r} is not in {report_path}")
        current = [lk]
    if current:
        position = yield from _up_to(rows, position, current)
    for row in rows[position:]:
        yield row, []


def _up_to(
    rows: Sequence[dict[str, Any]], position: int, links: list[LinkRow]
) -> Iterator[tuple[dict[str, Any], list[LinkRow]]]:
    """The documents before the one ``links`` belong to (without links), then that one; returns the next position."""
    doc_id = links[0].doc_id
    while position < len(rows) and rows[position]["id"] != doc_id:
        yield rows[position], []
        position += 1
    if position == len(rows):
        raise InputError(
            f"aligned.tsv lists the links of document {doc_id!r} apart or out of the order of report.json; "
            "keep the run's aligned.tsv as it was written"
        )
    yield rows[position], links
    return position + 1


def regenerate(run_dir: Path) -> list[Path]:
    """``pipeline report RUN_DIR``: rewrite ``report.json`` and ``report.html`` of a finished run from
    ``aligned.tsv``, ``manifest.json`` and the old ``report.json``, one document at a time."""
    from pipeline.export.html_report import ReportPage

    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such run folder")
    manifest_path = run_dir / "manifest.json"
    manifest = _read_json(manifest_path)
    if manifest is None:
        raise InputError(f"{manifest_path} not found: {run_dir} is not a finished run (pipeline run writes it last)")
    scorer = _scorer_from_manifest(manifest_path, manifest)
    settings: ExportSection = _section(manifest_path, manifest, "export", ExportSection)
    tsv = run_dir / "aligned.tsv"
    if not tsv.is_file():
        raise InputError(f"{tsv} not found: pipeline report needs the run's aligned TSV (export.formats: [tsv])")
    old = _read_json(run_dir / "report.json")
    facts = _facts_from_report(old) if old is not None else _derived_facts(run_dir.name, read_link_rows(tsv))
    review = settings.review_max_links if "review" in settings.formats else None
    page = ReportPage(settings.report_max_links, run_dir)
    builder = ReportBuilder(settings.report_max_links, page, review)
    try:
        totals = scorer.totals()
        batch: list[tuple[dict[str, Any], list[LinkRow]]] = []
        for item in _documents_with_links(facts, read_link_rows(tsv), tsv, run_dir / "report.json"):
            batch.append(item)
            if sum(len(links) for _, links in batch) >= _SCORE_BATCH:
                _score_batch(batch, scorer, builder, totals)
                batch = []
        _score_batch(batch, scorer, builder, totals)
        report = builder.report(facts, totals.result())
    except BaseException:
        builder.discard()
        raise
    return builder.write(run_dir, report)


def _score_batch(
    batch: Sequence[tuple[dict[str, Any], list[LinkRow]]], scorer: Scorer, builder: ReportBuilder, totals: Any
) -> None:
    """Score some documents' links again from their texts and give them to the report."""
    scored = scorer.score_documents([document_links(row["id"], links) for row, links in batch])
    for (row, links), doc in zip(batch, scored, strict=True):
        links = [lk.with_scores(c, b) for lk, c, b in zip(links, doc.chrf, doc.bleu, strict=True)]
        builder.add_document(row, links, doc.scores)
        totals.add(doc)
