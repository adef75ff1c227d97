"""``report.json`` and ``report.html``: scores with signatures and intervals, counts, flagged links, timings.

A report is assembled from two things: the links (one per aligned-TSV row, :class:`ReportLink`)
and the facts only the run knew (warnings, translation statistics, timings, input files:
:class:`RunFacts`). Scores are computed from the links' texts. So a finished run can be
reported again (``pipeline report RUN_DIR``, :func:`rebuild`) from what its folder keeps:
``aligned.tsv`` (links, texts, flags), ``manifest.json`` (the score settings) and, for the run
facts, the previous ``report.json``. Rebuilding an untouched run gives the same files.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError, InputError
from pipeline.export.corpus import export_summary
from pipeline.io import atomic_write_json, atomic_write_text
from pipeline.records import AlignedDocument, Document, ScoreResult
from pipeline.score.base import Scorer
from pipeline.score.metrics import score_json
from pipeline.translate.flags import CLAUSE_SPLIT, PASSTHROUGH, REPETITION, RETRIED, UNRESOLVED, WINDOWED

if TYPE_CHECKING:
    from pipeline.runner import Backends

#: Columns ``pipeline report`` needs in ``aligned.tsv`` (other columns, e.g. review columns, are ignored).
NEEDED_COLUMNS = ("doc_id", "link_id", "src_ids", "ref_ids", "zh", "mt", "en", "align_score", "flags")


@dataclass(frozen=True, slots=True)
class ReportLink:
    """One link as the report shows it: one row of ``aligned.tsv``."""

    doc_id: str
    link_id: int
    src_ids: tuple[int, ...]
    ref_ids: tuple[int, ...]
    zh: str
    mt: str
    en: str
    align_score: float | None
    chrf: float | None = None
    bleu: float | None = None
    flags: tuple[str, ...] = ()

    @property
    def type(self) -> str:
        return f"{len(self.src_ids)}-{len(self.ref_ids)}"

    @property
    def key(self) -> tuple[str, int]:
        return (self.doc_id, self.link_id)


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


def run_links(docs: Sequence[AlignedDocument], scores: ScoreResult) -> list[ReportLink]:
    """The links of a run, with the values the aligned TSV writes (confidence rounded to 4 places)."""
    out = []
    for doc in docs:
        for link in doc.links:
            key = (doc.id, link.index)
            out.append(
                ReportLink(
                    doc_id=doc.id,
                    link_id=link.index,
                    src_ids=link.src,
                    ref_ids=link.ref,
                    zh=doc.source_text(link),
                    mt=doc.translation_text(link),
                    en=doc.reference_text(link),
                    align_score=None if link.score is None else round(link.score, 4),
                    chrf=scores.link_chrf.get(key),
                    bleu=scores.link_bleu.get(key),
                    flags=doc.translation_flags(link),
                )
            )
    return out


def _ids(text: str, where: str) -> tuple[int, ...]:
    try:
        return tuple(int(i) for i in text.split(",") if i.strip())
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a comma-separated list of sentence numbers") from None


def _number(text: str, where: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a number") from None


def links_from_tsv(path: Path) -> list[ReportLink]:
    """The links of ``aligned.tsv``; a missing column or a malformed row is named with its row number."""
    from pipeline.export.tsv import read_tsv

    if not path.is_file():
        raise InputError(f"{path} not found: pipeline report needs the run's aligned TSV (export.formats: [tsv])")
    header, rows = read_tsv(path)
    missing = [c for c in NEEDED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}; the header has {', '.join(header)}")
    at = {name: header.index(name) for name in NEEDED_COLUMNS}
    links = []
    for number, row in enumerate(rows, start=2):
        where = f"{path}, row {number}"
        if len(row) != len(header):
            raise InputError(f"{where}: {len(row)} fields, the header has {len(header)}")
        try:
            link_id = int(row[at["link_id"]])
        except ValueError:
            raise InputError(f"{where}: link_id {row[at['link_id']]!r} is not a number") from None
        links.append(
            ReportLink(
                doc_id=row[at["doc_id"]],
                link_id=link_id,
                src_ids=_ids(row[at["src_ids"]], f"{where}, src_ids"),
                ref_ids=_ids(row[at["ref_ids"]], f"{where}, ref_ids"),
                zh=row[at["zh"]],
                mt=row[at["mt"]],
                en=row[at["en"]],
                align_score=_number(row[at["align_score"]], f"{where}, align_score"),
                flags=tuple(f for f in row[at["flags"]].split(",") if f),
            )
        )
    return links


def with_scores(links: Sequence[ReportLink], scores: ScoreResult) -> list[ReportLink]:
    return [replace(lk, chrf=scores.link_chrf.get(lk.key), bleu=scores.link_bleu.get(lk.key)) for lk in links]


def score_links(links: Sequence[ReportLink], scorer: Scorer) -> ScoreResult:
    """Score links as the run did: links with both sides, texts as the TSV holds them."""
    pairs = [(lk.key, lk.mt, lk.en) for lk in links if lk.src_ids and lk.ref_ids]
    return scorer.score_pairs(pairs, [lk.key for lk in links])


# ---------------------------------------------------------------------------------------------
# the report


def _has_reference(facts: RunFacts) -> set[str]:
    return {d["id"] for d in facts.documents if d.get("has_reference")}


def _link_types(links: Sequence[ReportLink], with_reference: set[str]) -> dict[str, int]:
    counts = Counter(lk.type for lk in links if lk.doc_id in with_reference)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _document_rows(facts: RunFacts, links: Sequence[ReportLink], scores: ScoreResult) -> list[dict[str, Any]]:
    by_doc: dict[str, list[ReportLink]] = {}
    for lk in links:
        by_doc.setdefault(lk.doc_id, []).append(lk)
    rows = []
    for doc in facts.documents:
        own = by_doc.get(doc["id"], [])
        confidences = [lk.align_score for lk in own if lk.align_score is not None]
        row = dict(doc)
        row.update(
            {
                "scored_links": sum(1 for lk in own if lk.src_ids and lk.ref_ids),
                "flagged_links": sum(1 for lk in own if lk.flags),
                "mean_align_score": _mean(confidences),
                "scores": {m.name: m.score for m in scores.documents.get(doc["id"], ())},
            }
        )
        rows.append(row)
    return rows


def assemble(facts: RunFacts, links: Sequence[ReportLink], scores: ScoreResult) -> dict[str, Any]:
    """The report as a JSON-ready dict: every score with its signature and interval, counts, flagged links."""
    flagged = [lk for lk in links if lk.flags]
    first_doc = next(iter(scores.documents.values()), ())
    return {
        "run": facts.run,
        "warnings": list(facts.warnings),
        "scores": [score_json(m) for m in scores.corpus],
        "counts": {
            "documents": len(facts.documents),
            "documents_with_reference": len(_has_reference(facts)),
            "sentences": {
                "zh": sum(d["sentences"]["zh"] for d in facts.documents),
                "en": sum(d["sentences"]["en"] for d in facts.documents),
            },
            "links": len(links),
            "link_types": _link_types(links, _has_reference(facts)),
            "scored_links": scores.scored_links,
            "unscored_links": scores.skipped_links,
            "flagged_links": len(flagged),
            "flags": dict(Counter(f for lk in flagged for f in lk.flags).most_common()),
        },
        "flagged": [{"doc_id": lk.doc_id, "link_id": lk.link_id, "flags": list(lk.flags)} for lk in flagged],
        "translation": dict(facts.translation),
        "export": facts.export,
        "alignment": facts.alignment,
        "signatures": dict(facts.signatures),
        "document_score_signatures": {m.name: m.signature for m in first_doc},
        "documents": _document_rows(facts, links, scores),
        **({"timings_seconds": dict(facts.timings)} if facts.timings else {}),
    }


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


def _translation_counts(aligned: Sequence[AlignedDocument]) -> dict[str, Any]:
    """What the translations show, counted from the documents themselves, so that a run that reused
    stored translations reports the same as the run that made them (speed and cache use: manifest.json)."""
    sentences = empty = passthrough = duplicates = 0
    flags: Counter[str] = Counter()
    seen: set[str] = set()
    for doc in aligned:
        for sentence, translation in zip(doc.sources, doc.translations, strict=True):
            sentences += 1
            empty += not sentence.text.strip()
            passthrough += PASSTHROUGH in translation.flags
            flags.update(translation.flags)
            if sentence.text.strip() and sentence.text in seen:
                duplicates += 1
            seen.add(sentence.text)
    return {
        "sentences": sentences,
        "empty": empty,
        "passthrough": passthrough,
        "duplicates": duplicates,
        "retried": flags.get(RETRIED, 0),
        "flags": dict(sorted(flags.items())),
    }


def _warnings(documents: Sequence[Document], backends: Backends, flags: Mapping[str, int]) -> list[str]:
    notes = list(backends.reader.warnings)
    model = backends.translator.describe().get("model") or {}
    if model.get("tiny_random_model"):
        notes.append(
            f"the translation model {model.get('requested')} is the tiny random-weight test model: "
            "its translations are nonsense and so are the scores"
        )
    notes.extend(backends.translator.stats.notes)
    notes.extend(_translation_notes(flags))
    notes.extend(
        f"{doc.source_path}: no reference; translated and exported, not scored"
        for doc in documents
        if doc.reference is None
    )
    return notes


def run_facts(
    run_name: str,
    documents: Sequence[Document],
    aligned: Sequence[AlignedDocument],
    backends: Backends,
    align_counts: Mapping[str, int] | None = None,
) -> RunFacts:
    translation = _translation_counts(aligned)
    rows = [
        {
            "id": doc.id,
            "source": doc.source_path,
            "reference": doc.reference_path,
            "has_reference": doc.reference is not None,
            "paragraphs": {"zh": len(doc.source), "en": len(doc.reference or ())},
            "sentences": {"zh": len(out.sources), "en": len(out.references or ())},
            "links": len(out.links),
        }
        for doc, out in zip(documents, aligned, strict=True)
    ]
    return RunFacts(
        run=run_name,
        documents=rows,
        warnings=_warnings(documents, backends, translation["flags"]),
        translation=translation,
        signatures=backends.signatures(),
        alignment=backends.aligner.describe(align_counts),
    )


def build_report(
    run_name: str,
    documents: Sequence[Document],
    aligned: Sequence[AlignedDocument],
    scores: ScoreResult,
    backends: Backends,
    align_counts: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The report of a run that has just finished (timings and speed are in manifest.json, not here:
    the report holds only what the inputs and settings determine, so reruns give identical files)."""
    facts = run_facts(run_name, documents, aligned, backends, align_counts)
    facts.export = export_summary(aligned, scores, backends.exporters)
    return assemble(facts, run_links(aligned, scores), scores)


def write_reports(run_dir: Path, report: Mapping[str, Any], links: Sequence[ReportLink]) -> list[Path]:
    """Write ``report.json`` and ``report.html`` (atomically) and return their paths."""
    from pipeline.export.html_report import render_html

    paths = [run_dir / "report.json", run_dir / "report.html"]
    atomic_write_json(paths[0], report)
    atomic_write_text(paths[1], render_html(report, links))
    return paths


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


def _scorer_from_manifest(path: Path, manifest: Mapping[str, Any]) -> Scorer:
    from pydantic import TypeAdapter, ValidationError

    from pipeline.config import ScoreSection
    from pipeline.registry import SCORERS

    section = (manifest.get("config") or {}).get("score", {})
    try:
        settings = TypeAdapter(ScoreSection).validate_python(section)
    except ValidationError as exc:
        raise ConfigError([f"config -> score: {e['msg']}" for e in exc.errors()], str(path)) from None
    return SCORERS.load(settings.name)(settings)


def _derived_facts(name: str, links: Sequence[ReportLink]) -> RunFacts:
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


def rebuild(run_dir: Path) -> tuple[dict[str, Any], list[ReportLink]]:
    """The report of a finished run, from ``aligned.tsv``, ``manifest.json`` and the old ``report.json``."""
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such run folder")
    manifest_path = run_dir / "manifest.json"
    manifest = _read_json(manifest_path)
    if manifest is None:
        raise InputError(f"{manifest_path} not found: {run_dir} is not a finished run (pipeline run writes it last)")
    scorer = _scorer_from_manifest(manifest_path, manifest)
    links = links_from_tsv(run_dir / "aligned.tsv")
    old = _read_json(run_dir / "report.json")
    facts = _facts_from_report(old) if old is not None else _derived_facts(run_dir.name, links)
    known = {d["id"] for d in facts.documents}
    for doc_id in dict.fromkeys(lk.doc_id for lk in links):
        if doc_id not in known:
            raise InputError(f"{run_dir / 'aligned.tsv'}: document {doc_id!r} is not in {run_dir / 'report.json'}")
    scores = score_links(links, scorer)
    links = with_scores(links, scores)
    return assemble(facts, links, scores), links


def regenerate(run_dir: Path) -> list[Path]:
    """``pipeline report RUN_DIR``: rewrite ``report.json`` and ``report.html`` of a finished run."""
    report, links = rebuild(run_dir)
    return write_reports(run_dir, report, links)
