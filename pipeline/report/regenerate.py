"""``pipeline report RUN_DIR``: a finished run reported again from what its folder keeps.

``aligned.tsv`` gives the links, texts and flags (scores are computed again from the texts),
``manifest.json`` the score and export settings and, for the run facts, the previous ``report.json``
(what the links show when it is missing). Rebuilding an untouched run gives the same files; the
TSV is read once, a batch of documents at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import ExportSection, ScoreSection
from pipeline.errors import ConfigError, InputError
from pipeline.export.rows import LinkRow
from pipeline.export.tsv import read_link_rows
from pipeline.registry import SCORERS
from pipeline.report.builder import ReportBuilder, RunFacts
from pipeline.report.page import ReportPage
from pipeline.score.base import DocumentLinks, Scorer

#: Links scored together when ``pipeline report`` scores a run again.
_SCORE_BATCH = 2_000


def document_links(doc_id: str, links: Sequence[LinkRow]) -> DocumentLinks:
    """A document's links as a scorer sees them (links with both sides, texts as the TSV holds them)."""
    pairs = tuple((i, lk.mt, lk.en) for i, lk in enumerate(links) if lk.src_ids and lk.ref_ids)
    return DocumentLinks(doc_id, len(links), pairs)


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
